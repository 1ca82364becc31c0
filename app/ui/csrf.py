"""CSRF protection for the pages: every unsafe request must carry a token derived from the
session cookie (a hidden `csrf` field in forms, the X-CSRF-Token header on htmx requests).
Another site can make a browser send the cookie, but cannot read the token. The API needs none:
it takes bearer tokens, which a browser never sends by itself."""

import hashlib
import hmac

from fastapi import Request
from markupsafe import Markup

from app.config import get_settings
from app.deps import COOKIE
from app.services.errors import Forbidden

SAFE = ("GET", "HEAD", "OPTIONS")
# Before sign-in there is no session to forge a request in.
EXEMPT = ("/login",)


def token_for(request: Request) -> str:
    session = request.cookies.get(COOKIE, "")
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()


def hidden_input(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf" value="{}">').format(token_for(request))


async def verify(request: Request) -> None:
    """Refuse (403) an unsafe page request without the session's token."""
    if request.method in SAFE or request.url.path in EXEMPT:
        return
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, token_for(request)):
        raise Forbidden("Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ; hãy tải lại trang "
                        "rồi thử lại.")
