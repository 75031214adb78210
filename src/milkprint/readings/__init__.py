"""Meter registry + readings -> activity amounts (interval, cumulative, rollover, period bounds)."""
