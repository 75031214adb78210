"""Case bundle v1: models, reader (folder or zip)."""
