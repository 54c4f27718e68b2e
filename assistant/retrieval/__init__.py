"""Retrieval: dense search in Chroma, a lexical index over the same chunks, and their fusion."""
