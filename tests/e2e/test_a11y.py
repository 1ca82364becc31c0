"""Accessibility of every kind of page (issue 18, "Every page"): axe-core, run in Chromium on
each page an administrator, a commune clerk and a district viewer reach by clicking, at 1366×768
and on a phone: no serious or critical violation (WCAG 2.1 AA contrast included), every control
named, and a skip link that takes the keyboard past the menu to the main content. The wall
screen, the sign-in page and an error page are opened by their address, as people do."""

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from app.db.session import session_scope
from app.db.units import Unit
from app.enums import Role
from app.services import auth, display_tokens
from app.services.actor import SYSTEM
from tests.demo import ADMIN, ADMIN_PASSWORD, _clean, demo_loaded  # noqa: F401
from tests.e2e.axe import audit
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.journey import SIZES, nav, sign_in
from tests.factories import PASSWORD

CLERK, VIEWER = "canbo-hamtri", "xem-htb"
SKIP = re.compile(r"bỏ qua|chuyển đến nội dung", re.I)
Found = dict[str, list[str]]


@pytest.fixture(scope="module")
def people(engine: Any, demo_loaded: None) -> Iterator[None]:  # noqa: F811
    for s in session_scope(engine, write=True):
        auth.create_user(s, username=CLERK, password=PASSWORD, role=Role.clerk,
                         unit_code="BTH.HTB.HAMTRI")
        auth.create_user(s, username=VIEWER, password=PASSWORD, role=Role.viewer,
                         unit_code="BTH.HTB")
    yield


@pytest.fixture
def browse(request: Any, chromium: Any, server: str) -> Iterator[Any]:
    """A clicking journey's page (tests/e2e/journey.py) whose context lets axe in: the app's
    Content-Security-Policy forbids the inline script that injects it."""
    context = chromium.new_context(base_url=server, viewport=SIZES[getattr(request, "param", "desktop")],
                                   locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    page._journey_tried = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not page._journey_tried, f"typed addresses after sign-in: {page._journey_tried}"
    # A 4xx answer is the page working (an error page, a form back with its messages).
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def check(page: Any, where: str, found: Found, *, skip_link: bool = True) -> None:
    """Record what is wrong with the page as it is now under `where` (nothing: an empty list)."""
    page.wait_for_load_state("networkidle")
    problems = audit(page)
    if skip_link:
        problems += _skip_link(page)
    found[where] = problems


def _skip_link(page: Any) -> list[str]:
    """The first Tab of a freshly loaded page reaches a visible skip link; following it puts the
    keyboard focus in the main content. A page whose first field takes the focus (the sign-in
    form) already starts there."""
    if page.evaluate("() => !!document.activeElement.closest('main')"):
        return []
    page.keyboard.press("Tab")
    link = page.evaluate("() => { const a = document.activeElement; return a && a.tagName === 'A' ?"
                         " {text: a.textContent.trim(), visible: a.getBoundingClientRect().height > 0"
                         " && a.getBoundingClientRect().top >= 0} : null }")
    if not link or not SKIP.search(link["text"]):
        return [f"skip-link: the first Tab reaches {link and link['text']!r}, not a skip link"]
    if not link["visible"]:
        return ["skip-link: the skip link stays invisible when focused"]
    page.keyboard.press("Enter")
    if not page.evaluate("() => !!document.activeElement.closest('main')"):
        return ["skip-link: following the skip link leaves the focus outside <main>"]
    return []


def report(found: Found, name: str) -> None:
    """Fail with what each page got wrong: three lines per rule (all of them in the artifact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"a11y-{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    lines = []
    for where, problems in found.items():
        rules = Counter(p.split(" ", 1)[0] for p in problems)
        for rule, count in rules.items():
            lines.append(f"{where}: {rule} ×{count}")
            lines += [f"    {p}" for p in problems if p.startswith(rule + " ")][:3]
    assert not lines, "\n".join(lines)


def open_first(page: Any, words: str) -> None:
    """Open the first row's own page from a record list (its "Mở" link)."""
    page.locator("#list tbody a", has_text=words).first.click()
    page.wait_for_load_state()


def sent_empty(page: Any) -> None:
    """The form back with the server's messages (its colours count too): sent empty, the
    browser's own checks set aside as an old browser would."""
    page.locator("#entry-form").evaluate("form => { form.noValidate = true; }")
    page.locator("#entry-form button[type=submit]").click()
    page.locator("#entry-form .error, #entry-form .notice.error").first.wait_for()


def walk_records(page: Any, found: Found, who: str, *, form: bool) -> None:
    """Every record list of the menu (its form beside it when the user may write), and the
    pages of a work, a model and a petition."""
    for name, detail in (("Đơn vị", False), ("Công trình", True), ("Mô hình", True),
                         ("Đóng góp", False), ("Hiến đất", False), ("Đơn thư", True)):
        nav(page, name)
        check(page, f"{who} · {name}", found)
        if form and name != "Đơn vị":
            assert page.locator("#entry-form").count(), f"{who} sees no form beside {name}"
            if who == "admin":
                sent_empty(page)
                check(page, f"{who} · {name}: the form's messages", found, skip_link=False)
        if detail:
            open_first(page, "Mở")
            check(page, f"{who} · {name}: a record's page", found)


def test_admin_reaches_every_page_accessibly(browse: Any, people: None) -> None:
    page, found = browse, {}
    page.goto("/login")
    check(page, "sign-in", found)
    sign_in(page, ADMIN, ADMIN_PASSWORD)
    check(page, "admin · landing (dashboard)", found)
    walk_records(page, found, "admin", form=True)
    for name in ("Theo dõi", "Báo cáo", "Nhập Excel", "Tài khoản", "Mã truy cập API", "Màn hình"):
        nav(page, name)
        check(page, f"admin · {name}", found)
    nav(page, "Tài khoản")
    page.locator("#list tbody a", has_text="Sửa").first.click()
    page.locator("#user-form").wait_for()
    check(page, "admin · Tài khoản: a user's form", found, skip_link=False)
    page.get_by_role("link", name="Đổi mật khẩu").click()
    check(page, "admin · password", found)
    report(found, "admin")


@pytest.mark.parametrize("browse", ["desktop", "phone"], indirect=True)
def test_clerk_pages_are_accessible(browse: Any, people: None) -> None:
    page, found = browse, {}
    sign_in(page, CLERK)
    check(page, "clerk · landing", found)
    walk_records(page, found, "clerk", form=True)
    # A paper form (a table of lines) and one record's (a field a line), reached from their forms.
    for name in ("Đóng góp", "Đơn thư"):
        nav(page, name)
        page.get_by_role("link", name="In mẫu giấy").click()
        page.locator("#sheet").wait_for()
        check(page, f"clerk · {name}: its paper form", found)
    for name in ("Theo dõi", "Báo cáo", "Nhập Excel"):
        nav(page, name)
        check(page, f"clerk · {name}", found)
    # One kind's import form, and its outcome for a file whose row is wrong (checked, not saved).
    page.locator("nav.tabs").get_by_role("link", name="Đóng góp").click()
    page.wait_for_load_state()
    check(page, "clerk · Nhập Excel: contributions", found)
    page.locator("#import-file").set_input_files(
        {"name": "sai.csv", "mimeType": "text/csv", "buffer": "Tên;Ngày\nx;32/13/2020\n".encode()})
    page.get_by_role("button", name=re.compile("Kiểm tra")).click()
    page.locator("#import-outcome .notice").first.wait_for()
    check(page, "clerk · Nhập Excel: a file with errors", found, skip_link=False)
    report(found, f"clerk-{page.viewport_size['width']}")


def test_viewer_pages_are_accessible(browse: Any, people: None) -> None:
    page, found = browse, {}
    sign_in(page, VIEWER)
    check(page, "viewer · landing", found)
    walk_records(page, found, "viewer", form=False)
    nav(page, "Báo cáo")
    check(page, "viewer · Báo cáo", found)
    report(found, "viewer")


@pytest.mark.parametrize("browse", ["desktop", "phone"], indirect=True)
def test_error_and_api_pages_are_accessible(browse: Any, people: None) -> None:
    """A stale bookmark's error page (with the menu) and the API's page, by their address."""
    page, found = browse, {}
    page.goto("/login")
    page.fill("#username", CLERK)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/works/999999999")
    check(page, "clerk · error page (404)", found)
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    check(page, "API documentation", found, skip_link=False)
    report(found, f"error-api-{page.viewport_size['width']}")


@pytest.mark.parametrize("size, rotate", [((1366, 768), ""), ((1920, 1080), ""),
                                          ((1366, 768), "?rotate=5")])
def test_wall_screen_is_accessible(chromium: Any, server: str, engine: Any, people: None,
                                   size: tuple[int, int], rotate: str) -> None:
    """The wall screen: no login, no menu, read from across the room; its contrast counts."""
    for s in session_scope(engine, write=True):
        district = s.exec(select(Unit).where(Unit.code == "BTH.HTB")).one()
        _, secret = display_tokens.create(s, actor=SYSTEM, data=display_tokens.DisplayTokenCreate(
            name="Phòng họp huyện", unit_id=district.id))
    context = chromium.new_context(viewport=dict(zip(("width", "height"), size)), locale="vi-VN",
                                   bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}/screen/{secret}{rotate}")
    page.locator("#part-year").wait_for()
    page.wait_for_timeout(300)  # live.js fits the panels' rows after the first paint
    found: Found = {}
    check(page, f"wall screen {size[0]}×{size[1]}{rotate}", found, skip_link=False)
    context.close()
    report(found, f"wall-{size[0]}{rotate and '-rotating'}")
