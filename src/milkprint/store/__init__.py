"""Persistence of the service: SQLAlchemy models, the database connection, Alembic migrations."""
