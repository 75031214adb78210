"""The API's routers, one per resource; `api.app.register` includes them in this order (the OpenAPI document's)."""
