"""What the offline tests share: a server that can be stopped and started again on the same
address (a service worker and its caches belong to an origin), and a Chromium with a profile
on disk, so that closing and reopening it keeps the service worker and the outbox as a
clerk's PC would."""

import threading
import time
from typing import Any

import uvicorn

from tests.e2e.conftest import CHROMIUM, FLAGS
from tests.e2e.journey import SIZES


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
