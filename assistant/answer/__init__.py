"""Answering: understand the question, compose a grounded answer (extractive by default, or an LLM's)."""
