"""Data quality: the checks of the standards' data rules, as findings with severity, clause and place."""
