"""The web pages: the dealer portal at ``/`` and the operations console at
``/console/``. They are static files (ES modules, no build step) that call the
same ``/api/v1`` endpoints as any other client; nothing here reads the database."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"

# The pages load only their own scripts and styles: an injected <script> or
# inline handler does not run, and no other site may frame them.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class _PageFiles(StaticFiles):
    """Static files with the pages' security headers, revalidated on every load
    so a deploy is seen at once."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                headers.append((b"cache-control", b"no-cache"))
                message["headers"] = headers
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def _page(name: str) -> FileResponse:
    return FileResponse(
        STATIC / name / "index.html",
        headers=SECURITY_HEADERS | {"Cache-Control": "no-cache"},
    )


def mount(app: FastAPI) -> None:
    """Serve the pages from the API's own server (no second server)."""

    @app.get("/", include_in_schema=False)
    async def portal() -> FileResponse:
        return _page("portal")

    @app.get("/console", include_in_schema=False)
    async def console_redirect() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=308)

    @app.get("/console/", include_in_schema=False)
    async def console() -> FileResponse:
        return _page("console")

    app.mount("/web", _PageFiles(directory=STATIC), name="web")
