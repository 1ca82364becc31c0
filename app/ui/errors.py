"""Errors on pages: sign-in when needed, otherwise a Vietnamese error page (never a trace),
with the menu when the visitor is signed in and a way back. The JSON API answers its errors
as problem+json (app.api.errors), untouched by this module."""

from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.services.actor import Actor
from app.ui import templates

# What a page says for each status, where the error brings no Vietnamese words of its own
# (Starlette's "Not Found", "Method Not Allowed"): the title and a sentence for a clerk.
WORDS: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Trình duyệt đã gửi một yêu cầu máy chủ không hiểu được."),
    403: ("Không có quyền", "Tài khoản của bạn không được xem hoặc làm việc này."),
    404: ("Không tìm thấy trang", "Không có trang nào ở địa chỉ này: địa chỉ có thể bị gõ sai, "
                                  "hoặc bản ghi đã bị xóa."),
    405: ("Thao tác không dùng được ở đây", "Địa chỉ này không nhận thao tác vừa gửi. Hãy mở "
                                            "lại trang từ trình đơn rồi làm lại."),
    409: ("Xung đột", "Dữ liệu trùng hoặc đang được người khác ghi; hãy thử lại."),
    412: ("Bản ghi đã bị thay đổi", "Bản ghi vừa được người khác sửa; hãy tải lại rồi sửa tiếp."),
    413: ("Dữ liệu quá lớn", "Nội dung gửi lên quá lớn."),
    422: ("Dữ liệu không hợp lệ", "Dữ liệu gửi lên không hợp lệ."),
    429: ("Thử quá nhiều lần", "Hãy đợi một lát rồi thử lại."),
    500: ("Lỗi hệ thống", "Có lỗi ngoài dự kiến; lỗi đã được ghi lại."),
    503: ("Máy chủ đang bận", "Máy chủ đang bận; hãy thử lại sau ít giây."),
}


def words(status: int, title: str, detail: str) -> tuple[str, str]:
    """The page's title and sentence: the error's own where it brings Vietnamese words of its
    own, else this module's for its status (never an HTTP reason phrase in English). A 405's
    own words name HTTP methods, which say nothing to a clerk."""
    own = WORDS.get(status, WORDS[500 if status >= 500 else 400])
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    if status == 405 or detail.strip() in ("", phrase):
        return own
    return (title or own[0]), detail


def _actor(request: Request, status: int) -> Actor | None:
    """The signed-in visitor, for the menu; None when there is none or it cannot be read (the
    database itself may be what failed: then no menu rather than a second error)."""
    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.services import auth
    from app.deps import COOKIE

    secret = request.cookies.get(COOKIE)
    if not secret or status == 503:
        return None
    try:
        for session in session_scope(get_engine()):
            return auth.actor_for_token(session, secret)
    except Exception:  # noqa: BLE001 - an error page must render whatever went wrong
        return None
    return None


def _back(request: Request) -> str | None:
    """The page the visitor came from, when it is one of this site's (never a foreign URL)."""
    came = urlsplit(request.headers.get("referer", ""))
    if came.netloc != request.url.netloc or came.path in ("", request.url.path):
        return None
    return came.path + (f"?{came.query}" if came.query else "")


def render(request: Request, status: int, title: str, detail: str) -> Response:
    if status == 401:
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    shown_title, shown_detail = words(status, title, detail)
    context: dict[str, Any] = {"status": status, "title": shown_title, "detail": shown_detail,
                               "actor": _actor(request, status), "back": _back(request)}
    response: HTMLResponse = templates.TemplateResponse(request, "error.html", context,
                                                        status_code=status)
    return response
