"""A wall screen in a real browser: it fits 1920×1080 and 1366×768 without scrolling, shows a
change made through the API within 5 seconds without reloading, keeps its figures marked
stale while its server is down, recovers when the server is back, and says so once its token
is revoked. The screen talks to a server of its own (a uvicorn process on the same database)
so that this test can stop and start it."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.enums import Role
from app.services import display_tokens
from app.services.actor import SYSTEM
from tests.e2e.conftest import shot
from tests.factories import make_petition, make_tree, make_unit

ROOT = Path(__file__).resolve().parents[2]


# How long a test waits for a change to reach a screen: no timing is asserted here, only that
# it arrives without a reload (the 5-second goal is bench/dashboard.py's to measure).
LIVE_WAIT_MS = 30_000


class Server:
    """`uvicorn app.main:app` in a process of its own, on a fixed port, that can be stopped and
    started again."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"], cwd=ROOT, env=dict(os.environ))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the screen's server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


@pytest.fixture
def screen_server(engine) -> Iterator[Server]:
    server = Server()
    server.start()
    yield server
    server.stop()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1 && "
                         "document.documentElement.scrollWidth <= window.innerWidth + 1")


# Every panel on show keeps to its box and to the screen: nothing cut off at the bottom or side.
_SPILLING = """() => [...document.querySelectorAll('[data-part]')]
  .filter(p => p.offsetParent !== null)
  .filter(p => p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1
               || p.getBoundingClientRect().bottom > window.innerHeight + 1)
  .map(p => p.dataset.part)"""


def test_screen_live_stale_recovered_revoked(chromium, screen_server, db, api):
    with db() as s:
        tree = make_tree(s)
        token, secret = display_tokens.create(s, actor=SYSTEM, data=display_tokens.DisplayTokenCreate(
            name="Phòng họp UBND xã", unit_id=tree.ham_tri))
    # The screen's computer left in UTC: its clock still shows Vietnam's time, as the feed does.
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN",
                                   timezone_id="UTC")
    page = context.new_page()
    page.goto(f"{screen_server.url}/screen/{secret}")
    year = page.locator("#part-year")
    year.wait_for()
    assert "Hàm Trí" in page.locator("h1").inner_text()
    assert _fits(page)
    shot(page, "screen-1920x1080")
    page.evaluate("window.__sameDocument = true")

    # A change through the API (to the other server) shows without reload. The screen's goal is
    # within 5 seconds (bench/dashboard.py measures it); a loaded test machine is given longer.
    r = api.post("/api/v1/contributions", json={
        "unit_id": tree.lam_giang, "source": "people", "kind": "cash", "amount_vnd": 7_350_000_000,
        "date": date.today().isoformat()})
    assert r.status_code == 201, r.text
    page.locator("#part-year", has_text="7,35 tỷ").wait_for(timeout=LIVE_WAIT_MS)
    assert page.evaluate("window.__sameDocument === true")
    assert "cập nhật lúc" in page.locator(".status").inner_text()
    shown = datetime.strptime(page.locator("#updated").inner_text(), "%H:%M:%S")
    here = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    off = abs((shown - here.replace(year=1900, month=1, day=1, tzinfo=None)).total_seconds())
    assert min(off, 86_400 - off) < 30, (shown.time(), here.time())

    # The server goes away: the figures stay, marked stale.
    screen_server.stop()
    page.locator("#stale").wait_for(state="visible", timeout=10_000)
    assert "7,35 tỷ" in year.inner_text()
    assert page.evaluate("document.body.classList.contains('is-stale')")
    shot(page, "screen-stale")

    # It comes back: the screen recovers by itself.
    screen_server.start()
    page.locator("#stale").wait_for(state="hidden", timeout=15_000)
    assert not page.evaluate("document.body.classList.contains('is-stale')")

    # Revoked: the screen says so (within a minute; here within a few seconds).
    assert api.delete(f"/api/v1/display-tokens/{token.id}").status_code == 204
    page.locator("#revoked").wait_for(state="visible", timeout=10_000)
    shot(page, "screen-revoked")
    assert page.evaluate("window.__sameDocument === true")
    context.close()

    # A fresh load of a revoked screen is refused outright.
    small = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN").new_page()
    small.goto(f"{screen_server.url}/screen/{secret}")
    assert "không còn được phép" in small.locator(".revoked").inner_text()


def test_screen_fits_a_small_office_screen(chromium, server, db):
    with db() as s:
        tree = make_tree(s)
        _, secret = display_tokens.create(s, actor=SYSTEM, data=display_tokens.DisplayTokenCreate(
            name="Màn hình nhỏ", unit_id=tree.district))
    for width, height in ((1366, 768), (1920, 1080)):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{server}/screen/{secret}")
        page.locator("#part-league").wait_for()
        assert _fits(page), f"scrolls at {width}×{height}"
        assert page.evaluate(_SPILLING) == [], f"spills at {width}×{height}"
        assert page.locator("#part-league").inner_text().count("Hàm") >= 2  # both communes
        shot(page, f"screen-district-{width}x{height}")
        context.close()
    rotating = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    rotating.goto(f"{server}/screen/{secret}?rotate=5")
    rotating.locator("#part-year.shown").wait_for()
    assert not rotating.locator("#part-league").is_visible()
    rotating.locator("#part-league.shown").wait_for(timeout=8000)  # the next panel
    assert not rotating.locator("#part-year").is_visible()
    assert _fits(rotating) and rotating.evaluate(_SPILLING) == []
    shot(rotating, "screen-rotating")


def _league_rows(page) -> tuple[int, int]:
    """The league's rows on show, and the number its note says are left out."""
    shown = page.locator("#part-league tbody tr:visible").count()
    note = page.locator("#part-league .more")
    left = int(re.search(r"và (\d+) đơn vị khác", note.inner_text())[1]) if note.is_visible() else 0
    return shown, left


def test_a_screen_shows_the_rows_that_fit_and_counts_the_rest(chromium, server, db, api):
    """A district of 30 communes, 12 of them with overdue petitions: at each size, and on a
    rotating screen, the league shows whole rows only, as many as fit, and says how many more
    there are; the due list and the feed keep to their panels too. A change swaps the parts it
    changed and leaves the others (the due list, rows hidden and all) as they were."""
    with db() as s:
        province = make_unit(s, code="F-P", name="Bình Thuận", level="province", kind="tinh")
        district = make_unit(s, code="F-D", name="Hàm Thuận Nam", level="district", kind="huyen",
                             parent_id=province.id)
        communes = [make_unit(s, code=f"F-C{i:02}", kind="xa", parent_id=district.id,
                              name="Thị trấn Thuận Nam" if i == 0 else f"Hàm Thạnh {i}")
                    for i in range(30)]
        for i, c in enumerate(communes[:12]):
            make_petition(s, unit_id=c.id, received_date=f"2026-0{1 + i % 9}-0{1 + i % 9}")
        _, secret = display_tokens.create(s, actor=SYSTEM, data=display_tokens.DisplayTokenCreate(
            name="Phòng họp huyện", unit_id=district.id))
    shown_at = {}
    for width, height in ((1366, 768), (1920, 1080)):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{server}/screen/{secret}")
        page.locator("#part-league tbody tr").first.wait_for()
        assert _fits(page) and page.evaluate(_SPILLING) == [], f"{width}×{height}"
        shown, left = _league_rows(page)
        assert shown >= 3 and shown + left == 30, (width, shown, left)
        # The due list is fitted again when the live figures arrive; wait for that (bounded).
        # (Polled from here: the page's CSP refuses a function evaluated from a string.)
        due = page.locator("#part-due li:visible")
        waited = time.monotonic() + 15
        while due.count() < 2 and time.monotonic() < waited:
            page.wait_for_timeout(200)
        assert due.count() >= 2
        shown_at[width] = shown
        shot(page, f"screen-30-communes-{width}x{height}")
        if width == 1366:
            page.evaluate("document.querySelector('#part-due ul').dataset.kept = 'yes'")
            r = api.post("/api/v1/contributions", json={
                "unit_id": communes[3].id, "source": "people", "kind": "cash",
                "amount_vnd": 4_250_000_000, "date": date.today().isoformat()})
            assert r.status_code == 201, r.text
            page.locator("#part-year", has_text="4,25 tỷ").wait_for(timeout=LIVE_WAIT_MS)
            assert page.locator("#part-due ul[data-kept='yes']").count() == 1  # not swapped
            assert page.evaluate(_SPILLING) == [] and sum(_league_rows(page)) == 30
        context.close()
    assert shown_at[1920] > shown_at[1366]  # a bigger screen shows more of the league

    rotating = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    rotating.goto(f"{server}/screen/{secret}?rotate=5")
    rotating.locator("#part-league.shown").wait_for(timeout=8000)
    assert rotating.evaluate(_SPILLING) == []
    shown, left = _league_rows(rotating)
    assert shown >= 3 and shown + left == 30
    shot(rotating, "screen-30-communes-rotating-league")
    rotating.locator("#part-due.shown").wait_for(timeout=8000)
    assert rotating.evaluate(_SPILLING) == []
    rotating.locator("#part-split.shown").wait_for(timeout=8000)
    assert rotating.evaluate(_SPILLING) == []
    shot(rotating, "screen-30-communes-rotating-sources")
