"""Security headers on pages and API alike; docs without a CDN or inline script; no trace."""

import re


def test_headers_on_every_response(anon):
    for path in ("/login", "/health", "/api/v1/models", "/docs", "/static/app.css"):
        r = anon.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


def test_docs_load_nothing_from_elsewhere(anon):
    page = anon.get("/docs").text
    assert "SwaggerUIBundle" not in page  # started from /static/docs.js, not inline
    for src in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert src.startswith("/static/"), src
    assert anon.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert anon.get("/openapi.json").status_code == 200


def test_pages_have_no_inline_script(anon):
    page = anon.get("/login").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " on" + "click=" not in page


def test_an_unexpected_error_shows_no_trace(anon):
    """A bug (here a route made to fail on purpose) answers a bare problem+json 500."""
    from app.main import app

    def boom() -> None:
        raise RuntimeError("secret detail: password=hunter2")

    app.add_api_route("/api/v1/_test_boom", boom, methods=["GET"])
    try:
        r = anon.get("/api/v1/_test_boom")
    finally:
        app.router.routes = [rt for rt in app.router.routes if getattr(rt, "path", "") != "/api/v1/_test_boom"]
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "hunter2" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text


def test_a_500_leaves_the_kept_alive_connection_usable(server):
    """The 500 is a whole answer: the client's next request goes over the same connection
    (before, the server closed it after the answer and the next request failed)."""
    import httpx

    from app.main import app

    def boom() -> None:
        raise RuntimeError("a bug")

    def port(r: httpx.Response) -> int:
        return r.extensions["network_stream"].get_extra_info("client_addr")[1]

    app.add_api_route("/api/v1/_test_boom_alive", boom, methods=["GET"])
    try:
        with httpx.Client(base_url=server, timeout=30) as client:
            first = client.get("/api/v1/_test_boom_alive")
            ports = {port(first)}
            second = client.get("/health")
            ports.add(port(second))
            third = client.get("/api/v1/_test_boom_alive")
            ports.add(port(third))
    finally:
        app.router.routes = [rt for rt in app.router.routes
                             if getattr(rt, "path", "") != "/api/v1/_test_boom_alive"]
    assert first.status_code == third.status_code == 500
    assert first.headers["content-type"].startswith("application/problem+json")
    assert first.json()["status"] == 500 and first.headers["x-content-type-options"] == "nosniff"
    assert second.status_code == 200
    assert len(ports) == 1, "the server closed the connection after the 500"
