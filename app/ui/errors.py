"""Errors on pages: sign-in when needed, otherwise a Vietnamese error page (never a trace)."""

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.ui import templates


def render(request: Request, status: int, title: str, detail: str) -> Response:
    if status == 401:
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    response: HTMLResponse = templates.TemplateResponse(
        request, "error.html", {"status": status, "title": title, "detail": detail},
        status_code=status,
    )
    return response
