"""Real-browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, installed with
apt; Playwright never downloads a browser here). Without Chromium they are skipped with the
reason, unless DVK_E2E_REQUIRED=1 (CI sets it), which makes a missing browser a failure."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("DVK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("DVK_E2E_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, server: str) -> Iterator[Any]:
    context = chromium.new_context(base_url=server, viewport={"width": 1366, "height": 900},
                                   locale="vi-VN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"{m.text} @ {m.location}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    # A 4xx answer to a form is the page working (the form comes back with its messages).
    assert not [e for e in errors if "Failed to load resource" not in e], errors


# The commune clerk of Hàm Trí whom the browser tests sign in as (the `hamtri` fixture).
CLERK = "canbo.hamtri"


@pytest.fixture
def hamtri(db: Any) -> Any:
    """The test tree, and a clerk of its commune Hàm Trí."""
    from app.enums import Role
    from app.services import auth
    from tests.factories import PASSWORD, make_tree

    with db() as s:
        tree = make_tree(s)
        auth.create_user(s, username=CLERK, password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    return tree


def shot(page: Any, name: str) -> None:
    """Keep a screenshot of what the clerk saw (git-ignored test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


from tests.e2e.journey import journey  # noqa: E402,F401  (the clicking journeys' page fixture)
