"""Ingestion: load documents, split them along headings, embed the chunks and keep Chroma in step."""
