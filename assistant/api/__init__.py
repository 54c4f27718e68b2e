"""The HTTP API (FastAPI) and the embeddable web chat widget it serves."""
