"""Meter registry + readings -> activity amounts (interval, cumulative, rollover, period bounds).

The package is the one place that reads readings files with DuckDB; others call its public modules:
`aggregate` (meter totals over a period, the shared connection and file helpers), `query` (the readings check's
scan, the days with readings), `latest` (each meter's newest readings), `imports`/`review` (importing exports).
"""
