"""The REST API (FastAPI) and its security."""
