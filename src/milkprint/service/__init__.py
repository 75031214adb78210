"""The application layer: what the service does with the store, shared by the REST API and the web pages."""
