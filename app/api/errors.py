"""Errors as application/problem+json (RFC 9457) on the API; never a stack trace."""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.services.errors import DomainError, Unauthorized
from app.services.validation import field_errors

log = logging.getLogger("dvk")
PROBLEM = "application/problem+json"
METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


class Problem(BaseModel):
    type: str = Field("about:blank", title="Loại lỗi")
    title: str = Field(title="Tiêu đề")
    status: int = Field(title="Mã trạng thái")
    detail: str = Field(title="Chi tiết")
    errors: list[dict[str, Any]] | None = Field(None, title="Các lỗi theo trường")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": {PROBLEM: {}}}
    for status, text in ((401, "Not signed in"), (403, "Forbidden"), (404, "Not found"),
                         (409, "Conflict"), (412, "Stale version"), (422, "Invalid input"))
}


# The sign-in's answer to a guesser (app.services.auth throttles).
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": Problem, "description": "Too many failed attempts: wait, then try again",
          "content": {PROBLEM: {}}},
}


# What a client is told in place of Starlette's English phrases.
DETAILS = {404: "Không có tài nguyên nào ở địa chỉ này (đường dẫn hoặc số hiệu không đúng).",
           413: "Nội dung gửi lên quá lớn."}


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path in ("/health", "/docs", "/openapi.json"))


def respond(request: Request, status: int, title: str, detail: str, *,
            errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    # Pages render errors their own way (app.ui.errors.render, given to install()).
    render = getattr(request.app.state, "render_html_error", None)
    if render is not None and _is_page(request):
        return render(request, status, title, detail)
    return problem(status, title, detail, errors=errors, headers=headers)


def problem(status: int, title: str, detail: str, *, errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else exc.headers
    return respond(request, exc.status, exc.title, exc.detail, errors=exc.errors or None,
                   headers=headers)


def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(list(exc.errors()))
    detail = " ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                      for e in errors[:5])
    return respond(request, 422, "Dữ liệu không hợp lệ", detail, errors=errors)


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and "parsing the body" in str(exc.detail):
        # Bytes that are not UTF-8 JSON: as unprocessable as JSON of the wrong shape.
        return respond(request, 422, "Dữ liệu không hợp lệ",
                       "Nội dung gửi lên không phải JSON hợp lệ (UTF-8).",
                       errors=[{"loc": ["body"], "msg": "JSON không hợp lệ.", "type": "json_invalid"}])
    if exc.status_code == 405:
        return _method_not_allowed(request)
    titles = {404: "Không tìm thấy", 413: "Dữ liệu quá lớn"}
    detail = str(exc.detail)
    # Starlette's own English ("Not Found"): the pages have words of their own for it.
    if detail == HTTPStatus(exc.status_code).phrase and not _is_page(request):
        detail = DETAILS.get(exc.status_code, titles.get(exc.status_code, "Lỗi"))
    return respond(request, exc.status_code, titles.get(exc.status_code, "Lỗi"), detail,
                   headers=getattr(exc, "headers", None))


def path_methods(request: Request) -> list[str]:
    """Every method of the request's path, across all its routes (FastAPI makes one route per
    method, and Starlette's own Allow names only the first route's), and OPTIONS: each method
    is tried against the router as a request of that method would be."""
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    methods = {"OPTIONS"}
    for method in METHODS:
        probe = {"type": "http", "path": request.scope["path"], "method": method,
                 "root_path": request.scope.get("root_path", ""), "headers": []}
        if any(route.matches(probe)[0] == Match.FULL for route in routes):
            methods.add(method)
    return sorted(methods)


def _method_not_allowed(request: Request) -> Response:
    allow = ", ".join(path_methods(request))
    if request.method == "OPTIONS":  # no route declares it: every path answers it here
        return Response(status_code=204, headers={"Allow": allow})
    response = respond(request, 405, "Phương thức không được hỗ trợ",
                       f"{request.method} không dùng được ở địa chỉ này; dùng: {allow}.")
    response.headers["Allow"] = allow
    return response


def _integrity(request: Request, exc: Exception) -> Response:
    # A race the service checks could not see (two writers, one unique key): a conflict.
    log.warning("integrity error on %s %s", request.method, request.url.path)
    return respond(request, 409, "Xung đột", "Dữ liệu trùng hoặc đang được người khác ghi; hãy thử lại.")


def _stale(request: Request, exc: Exception) -> Response:
    # Two writers raced on one version; the loser changed nothing.
    return respond(request, 412, "Bản ghi đã bị thay đổi",
                   "Bản ghi vừa được người khác sửa; hãy tải lại rồi sửa tiếp.")


def _operational(request: Request, exc: Exception) -> Response:
    log.exception("database unavailable on %s %s", request.method, request.url.path)
    return respond(request, 503, "Cơ sở dữ liệu đang bận", "Cơ sở dữ liệu đang bận; hãy thử lại sau ít giây.",
                   headers={"Retry-After": "2"})


def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return respond(request, 500, "Lỗi hệ thống", "Có lỗi ngoài dự kiến; lỗi đã được ghi lại.")


class Unexpected:
    """An error no handler knows becomes the 500 problem here, inside the app. Starlette's
    outermost handler would answer too, but then re-raises for the server to log, and the
    server closes the kept-alive connection under the client's next request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started:  # half an answer sent: only closing the connection tells the client
                raise
            response = await run_in_threadpool(_unexpected, Request(scope), exc)
            await response(scope, receive, send)


def install(app: FastAPI, *, html: Callable[[Request, int, str, str], Response] | None = None) -> None:
    app.state.render_html_error = html
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(OperationalError, _operational)
    # Errors raised inside the middleware themselves still reach Starlette's handler.
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(Unexpected)
