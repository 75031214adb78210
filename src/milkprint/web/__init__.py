"""The web UI: server-rendered pages (FastAPI + Jinja2) over the same service layer as the REST API."""
