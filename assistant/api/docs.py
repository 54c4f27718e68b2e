"""The API's documentation: the error responses routes declare in OpenAPI, and the offline /docs and /redoc pages.

Swagger UI and ReDoc come from the fastapi-offline package and are served by the app itself (FastAPI's
"self-hosting" pattern), so the pages need no CDN.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from assistant.api.errors import APIError
from assistant.api.schemas import ErrorResponse

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "Invalid JSON",
        401: "Missing or wrong API key",
        403: "Origin not allowed",
        413: "Body too large",
        422: "Invalid request",
        429: "Rate limited",
        503: "Document store unavailable",
    }.items()
}
"""The errors a route with a JSON body may answer, as OpenAPI ``responses``."""
# A GET has no body: only the caller's checks can refuse it.
GET_ERRORS = {code: ERRORS[code] for code in (401, 403, 429)}

DOCS_ASSETS = "/docs-assets"
_ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# The docs pages load nothing from elsewhere, even optional images (ReDoc's logo is on a CDN; blocked, it hides).
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


def install(app: FastAPI) -> None:
    """Add /docs (Swagger UI), /redoc and their assets to ``app`` (created with ``docs_url=redoc_url=None``)."""

    def url(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}{path}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=url(request, app.openapi_url or "/openapi.json"),
            title=f"{app.title} - API",
            swagger_js_url=url(request, f"{DOCS_ASSETS}/swagger-ui-bundle.js"),
            swagger_css_url=url(request, f"{DOCS_ASSETS}/swagger-ui.css"),
            swagger_favicon_url=url(request, f"{DOCS_ASSETS}/favicon.png"),
            swagger_ui_parameters={"validatorUrl": None},  # its default is an online validator
        )
        page.headers["Content-Security-Policy"] = DOCS_POLICY
        return page

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=url(request, app.openapi_url or "/openapi.json"),
            title=f"{app.title} - API",
            redoc_js_url=url(request, f"{DOCS_ASSETS}/redoc.standalone.js"),
            redoc_favicon_url=url(request, f"{DOCS_ASSETS}/favicon.png"),
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = DOCS_POLICY
        return page

    @app.get(DOCS_ASSETS + "/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        if name not in _ASSET_TYPES:
            raise APIError(404, "not_found", "No such documentation asset.")
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(_asset(name), media_type=_ASSET_TYPES[name], headers=headers)


@lru_cache(maxsize=len(_ASSET_TYPES))
def _asset(name: str) -> bytes:
    return (files("fastapi_offline") / "static" / name).read_bytes()
