"""/docs: Swagger UI from the installed fastapi-offline package (pinned by our lock, no CDN, works offline) and
its start-up script from our package (api/static/docs.js), so no third-party script runs on milkprint's origin."""

from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>milkprint API</title>
<link rel="stylesheet" href="/static-vendor/docs/swagger-ui.css"><link rel="icon" href="/static-vendor/docs/favicon.png">
</head><body><div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="/static-vendor/docs/swagger-ui-bundle.js"></script><script src="/static-vendor/docs/docs.js"></script>
</body></html>"""
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
    "docs.js": "text/javascript",
}
OURS = Path(__file__).parent.parent / "static"

router = APIRouter()


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    return HTMLResponse(DOCS_HTML)


@router.get("/static-vendor/docs/{name}", include_in_schema=False)
def docs_asset(name: str) -> Response:
    kind = DOCS_ASSETS.get(name)
    if kind is None:
        return JSONResponse({"error": "not_found", "message": "no such file", "problems": []}, status_code=404)
    if name == "docs.js":
        folder = OURS
    else:
        import fastapi_offline  # imported when first needed, as before the split

        folder = Path(fastapi_offline.__file__).parent / "static"
    return FileResponse(folder / name, media_type=kind, headers={"Cache-Control": "public, max-age=86400"})
