"""The last few readings of each meter in a readings.csv, for the meter list of the web UI (what arrived last)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from milkprint.readings.aggregate import connect, csv_source


@dataclass(frozen=True)
class LatestReading:
    timestamp: str  # as written in the file
    value: str  # as written in the file (the meter list shows what the meter sent)


def latest_readings(path: Path, timezone: str, per_meter: int = 3) -> dict[str, list[LatestReading]]:
    """Each meter's `per_meter` newest readings, newest first, by instant (offsets and local times compared alike);
    rows whose timestamp does not parse are left out (the readings check names them)."""
    if not path.is_file():
        return {}
    con = connect(timezone)
    try:
        rows = con.execute(
            f"""
            SELECT meter_id, timestamp, value FROM (
                SELECT meter_id, timestamp, value,
                       row_number() OVER (PARTITION BY meter_id ORDER BY instant DESC) AS n
                FROM (SELECT *, try_cast(timestamp AS TIMESTAMPTZ) AS instant FROM {csv_source(path)}) WHERE instant IS NOT NULL
            ) WHERE n <= ? ORDER BY meter_id, n
            """,
            [per_meter],
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[LatestReading]] = {}
    for meter_id, ts, value in rows:
        out.setdefault(str(meter_id).strip(), []).append(LatestReading(str(ts), str(value)))
    return out
