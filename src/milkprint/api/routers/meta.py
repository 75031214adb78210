"""/healthz (tag `meta`): is the process up, which version, its clock."""

import datetime as dt

from fastapi import APIRouter

from milkprint import __version__

router = APIRouter()


@router.get("/healthz", tags=["meta"])
async def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__, "time": dt.datetime.now(dt.UTC).isoformat()}
