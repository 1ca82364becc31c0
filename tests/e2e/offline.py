"""What the offline tests share: a server that can be stopped and started again on the same
address (a service worker and its caches belong to an origin), and a Chromium with a profile
on disk, so that closing and reopening it keeps the service worker and the outbox as a
clerk's PC would."""

import re
import threading
import time
from typing import Any

import pytest
import uvicorn
from sqlalchemy import func, select

from tests.conftest import _free_port
from tests.e2e.conftest import CHROMIUM, FLAGS
from tests.e2e.journey import SIZES
from tests.factories import PASSWORD


class Server:
    """The app on a fixed loopback port, stopped and started at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.srv: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        from app.main import app

        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.srv = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.srv.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.srv.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.srv is not None and self.thread is not None:
            self.srv.should_exit = True
            self.thread.join(timeout=10)
        self.srv = self.thread = None


def open_browser(chromium: Any, profile: str, base_url: str, size: str = "desktop") -> tuple[Any, Any, list[str]]:
    """Chromium on a profile kept on disk: (context, its page, console errors)."""
    context = chromium.browser_type.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=FLAGS, base_url=base_url,
        viewport=SIZES[size], locale="vi-VN", bypass_csp=True)  # axe is injected inline
    page = context.pages[0] if context.pages else context.new_page()
    page._journey_tried = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} @ {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


# Whether this user's entry pages and subtree are kept (the worker warms them after sign-in).
WARM = """async (user) => {
  const c = await caches.open('dvk-pages:' + user);
  const paths = ['/works', '/contributions', '/land-donations', '/petitions', '/models',
                 '/outbox', '/offline/subtree.json'];
  for (const p of paths) if (!(await c.match(location.origin + p))) return false;
  return true;
}"""


@pytest.fixture
def app_server(engine: Any) -> Any:
    server = Server(_free_port())
    server.start()
    yield server
    server.stop()


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    kept(page, WARM, username)


def kept(page: Any, check: str, arg: Any) -> None:
    """Wait until the async `check` holds (wait_for_function takes a promise for true)."""
    deadline = time.monotonic() + 20
    while not page.evaluate(check, arg):
        assert time.monotonic() < deadline, f"never held: {check}"
        time.sleep(0.1)


def count(db: Any, table: Any, **where: Any) -> int:
    with db() as s:
        stmt = select(func.count()).select_from(table)
        for k, v in where.items():
            stmt = stmt.where(getattr(table, k) == v)
        return int(s.execute(stmt).scalar_one())


def pick_unit(form: Any, name: str) -> None:
    value = form.locator("#f-unit_id option", has_text=name).first.get_attribute("value")
    form.locator("#f-unit_id").select_option(value)


def waiting(page: Any, n: int) -> None:
    badge = page.locator("[data-outbox-badge]")
    if n:
        badge.filter(has_text=f"Chờ gửi: {n}").wait_for()
    else:
        badge.wait_for(state="hidden")


def open_edit(page: Any, name: str) -> None:
    """The list's row of `name`: its number opens the record's edit form."""
    row = page.locator("#list tr", has_text=name).first
    row.get_by_role("link", name=re.compile(r"^#\d+$")).click()
    page.locator("#entry-form h2", has_text="Sửa").wait_for()


def saved_here(page: Any) -> None:
    page.locator("#entry-form [data-outbox-notice]", has_text="Đã lưu trên máy này").wait_for()
