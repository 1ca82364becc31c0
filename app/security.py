"""Security headers on every response: no inline script (CSP), no framing, no sniffing; and
nothing a signed-in user was shown kept in a cache (a shared office computer, a proxy)."""

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.deps import COOKIE

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
# Swagger UI draws with style attributes; its page (only) allows them. Scripts stay strict.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Served alike to everyone: the assets, and the wall screens (their token is in the address,
# and they revalidate by ETag).
PUBLIC = ("/static/", "/screen/")
# Their answers carry a new token or session (RFC 6749 §5.1: no-store).
SIGN_IN = ("/api/v1/auth/token", "/login")


def private(scope: Scope) -> bool:
    """A request that signs in, or carries a bearer token or the pages' session cookie."""
    path = scope.get("path", "")
    if path.startswith(PUBLIC):
        return False
    if path in SIGN_IN:
        return True
    headers = dict(scope["headers"])
    if b"authorization" in headers:
        return True
    cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
    return bool(cookies.get(COOKIE))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        csp = DOCS_CSP if scope.get("path") == "/docs" else CSP
        no_store = private(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if no_store:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                present = {k.lower() for k, _ in headers}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                extra.append((b"content-security-policy", csp.encode()))
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = [*headers, *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
