"""The REST API (FastAPI: app.py, schemas.py, errors.py) and the account and security code both doors share
(sessions.py, security.py, accounts.py, uploads.py, guard.py: they import neither the API's routes nor the pages)."""
