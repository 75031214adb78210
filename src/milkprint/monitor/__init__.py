"""Live monitoring: validity triggers over monthly results (and, later, live ingestion and anomalies)."""
