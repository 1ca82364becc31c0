"""A district manager's unit pages in Chromium, only by clicking: open the tree a level at a
time down to a commune, tick two villages and mark them remote; add three villages by typing
one name a line; a bad line saves nothing; divide a commune between two successors with the
picker, choose the default, and read it on the tree and in the form. At 1366×768 and on a
phone; the pages with the tick boxes, the villages form and the open picker pass axe."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert

from app.db.units import Unit
from app.enums import Role
from app.services import auth
from tests.bigtree import _rows
from tests.e2e.axe import audit
from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.journey import SIZES, nav, sign_in
from tests.factories import PASSWORD, make_tree, make_unit

MANAGER = "lanhdao.htb"
SAVED = 15_000  # ms a save may take on a machine busy with other test runs


@pytest.fixture
def district(engine: Any, db: Any) -> dict[str, int]:
    """The test tree, two 2025 communes to succeed Hàm Trí, a second village of Hàm Trí, and
    200 more communes: the district's tree is large, so it opens a level at a time."""
    with db() as s:
        tree = make_tree(s)
        make_unit(s, code="T-HT.01", name="Thôn Trung", level="village", kind="thon",
                  parent_id=tree.ham_tri)
        a = make_unit(s, code="T-A", name="Hàm Thuận", kind="xa", parent_id=tree.district,
                      active_from="2025-07-01")
        b = make_unit(s, code="T-B", name="Phan Thiết Mới", kind="phuong",
                      parent_id=tree.district, active_from="2025-07-01")
        auth.create_user(s, username=MANAGER, password=PASSWORD, role=Role.manager,
                         unit_code="T-HTB")
    with engine.begin() as conn:
        conn.execute(insert(Unit.__table__), _rows("commune", "xa", [  # type: ignore[attr-defined]
            (f"T-X{i:03d}", f"Xã Vùng Cao {i:03d}", tree.district) for i in range(200)], None))
    return {"ham_tri": tree.ham_tri, "a": a.id, "b": b.id}


def _row(page: Any, name: str) -> Any:
    """The tree's row of the unit `name` (its own link, the manager's way to edit it)."""
    return page.locator("table.tree tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)).first


def _open(page: Any, name: str) -> None:
    """Open a unit's level in the tree by its ▸, and wait for its rows."""
    toggle = _row(page, name).locator("a.toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def _down_to_ham_tri(page: Any) -> None:
    nav(page, "Đơn vị")
    _open(page, "Hàm Thuận Bắc")
    _open(page, "Hàm Trí")
    expect(_row(page, "Lâm Giang")).to_be_visible()


def _seen(page: Any, name: str, at: Any = None) -> None:
    """A screenshot of the whole page, and of the screen as the manager sees it (at `at`)."""
    shot(page, name)
    if at is not None:
        at.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}-screen.png"))


def _no_error(page: Any) -> None:
    shown = page.locator(".notice.error:visible")
    assert shown.count() == 0, shown.all_inner_texts()


@pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)
def test_manager_marks_villages_remote_and_adds_villages(journey: Any, district: Any,
                                                          request: Any) -> None:
    page, size = journey, request.node.callspec.params["journey"]
    sign_in(page, MANAGER)
    _down_to_ham_tri(page)
    page.get_by_label("Chọn Lâm Giang").check()
    page.get_by_label("Chọn Thôn Trung").check()
    page.get_by_role("button", name="Đánh dấu vùng sâu, vùng xa").click()
    notice = page.locator("#list .notice.ok")
    expect(notice).to_have_text("Đã đánh dấu vùng sâu, vùng xa: Lâm Giang, Thôn Trung.",
                                timeout=SAVED)
    _no_error(page)
    for name in ("Lâm Giang", "Thôn Trung"):  # the tree opened where they lie, flagged
        expect(_row(page, name).locator("td").last).to_contain_text("vùng sâu, vùng xa")
    expect(_row(page, "Hàm Trí").locator("td").last).not_to_contain_text("vùng sâu")
    _seen(page, f"units-remote-{size}", notice)

    _row(page, "Hàm Trí").get_by_role("link", name="Thêm thôn vào Hàm Trí").click()
    form = page.locator("#entry-form.villages")
    expect(form.locator("h2")).to_have_text("Thêm thôn vào Hàm Trí")
    form.get_by_label("Tên các thôn, mỗi dòng một tên").fill("Thôn Đông\nThôn Tây\nT-HT-NAM;Thôn Nam")
    form.get_by_role("button", name="Thêm các thôn").click()
    expect(page.locator("#entry-form .notice.ok")).to_have_text(
        "Đã thêm 3 thôn vào Hàm Trí: Thôn Đông, Thôn Tây, Thôn Nam.", timeout=SAVED)
    for name, code in (("Thôn Đông", "T-HT.02"), ("Thôn Tây", "T-HT.03"), ("Thôn Nam", "T-HT-NAM")):
        expect(_row(page, name)).to_contain_text(code)
    _seen(page, f"units-villages-added-{size}", page.locator("#entry-form"))

    # A bad line: nothing saved, the line told; what was typed stays to be corrected.
    form = page.locator("#entry-form.villages")
    form.get_by_label("Tên các thôn, mỗi dòng một tên").fill("Thôn Mới\nT-LG;Thôn Trùng Mã")
    form.get_by_role("button", name="Thêm các thôn").click()
    error = page.locator("#entry-form .notice.error")
    expect(error).to_contain_text("Không lưu gì: 1 dòng có lỗi", timeout=SAVED)
    expect(error).to_contain_text("Dòng 2 (“Thôn Trùng Mã”): Mã đơn vị: Mã 'T-LG' đang là mã của 'Lâm Giang'")
    assert page.locator("#v-lines").input_value() == "Thôn Mới\nT-LG;Thôn Trùng Mã"
    expect(page.locator("table.tree tbody tr", has_text="Thôn Mới")).to_have_count(0)
    _seen(page, f"units-villages-refused-{size}", page.locator("#entry-form"))
    if size == "phone":
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1


def _tick_found(form: Any, typed: str, name: str) -> None:
    """Type into the successors' search, and tick the unit `name` among those found."""
    search = form.get_by_label("Tìm đơn vị để thêm")
    search.fill("")
    search.press_sequentially(typed, delay=20)
    found = form.locator("#f-successor_ids-list .many-row").filter(
        has=form.page.locator("strong", has_text=re.compile(rf"^{re.escape(name)}$")))
    found.first.wait_for()
    found.first.get_by_role("checkbox").check()


@pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)
def test_manager_divides_a_commune_between_two_successors(journey: Any, district: Any,
                                                          request: Any) -> None:
    page, size = journey, request.node.callspec.params["journey"]
    sign_in(page, MANAGER)
    _down_to_ham_tri(page)
    _row(page, "Hàm Trí").get_by_role("link", name="Hàm Trí", exact=True).click()
    form = page.locator("#entry-form")
    expect(form.locator("h2")).to_contain_text("Sửa đơn vị")
    _tick_found(form, "ham thuan", "Hàm Thuận")
    _tick_found(form, "phan thiet", "Phan Thiết Mới")
    chosen = form.locator("#f-successor_ids-chosen")
    expect(chosen.locator(".many-row")).to_have_count(2)  # both moved up, kept across searches
    chosen.get_by_label("Phan Thiết Mới: đơn vị kế thừa mặc định").check()
    _seen(page, f"units-successors-picked-{size}", chosen)
    form.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#entry-form .notice.ok")).to_contain_text("Đã cập nhật đơn vị số",
                                                                  timeout=SAVED)
    _no_error(page)

    _open(page, "Hàm Thuận Bắc")
    expect(_row(page, "Hàm Trí").locator("td").last).to_have_text(
        "chia cho: Phan Thiết Mới (đơn vị kế thừa mặc định), Hàm Thuận")
    expect(_row(page, "Hàm Thuận").locator("td").last).to_contain_text(
        "Nhận một phần từ: Hàm Trí (đơn vị kế thừa mặc định: Phan Thiết Mới)")
    _row(page, "Hàm Trí").get_by_role("link", name="Hàm Trí", exact=True).click()
    form = page.locator("#entry-form")
    chosen = form.locator("#f-successor_ids-chosen")
    expect(chosen.locator(".many-row")).to_have_count(2)
    assert chosen.locator(".many-row").first.locator("strong").inner_text() == "Phan Thiết Mới"
    expect(chosen.get_by_label("Phan Thiết Mới: đơn vị kế thừa mặc định")).to_be_checked()
    expect(chosen.get_by_label("Hàm Thuận: đơn vị kế thừa mặc định")).not_to_be_checked()
    expect(form.locator(".history")).to_contain_text(
        "Các đơn vị kế thừa “” → “Phan Thiết Mới, Hàm Thuận”")
    _seen(page, f"units-successors-saved-{size}", chosen)


@pytest.fixture
def axe_page(chromium: Any, server: str) -> Iterator[Any]:
    """A clicking journey's page whose context lets axe in (the CSP forbids its script)."""
    context = chromium.new_context(base_url=server, viewport=SIZES["desktop"], locale="vi-VN",
                                   bypass_csp=True)
    page = context.new_page()
    page._journey_tried = []
    yield page
    context.close()
    assert not page._journey_tried


def test_the_unit_pages_pass_axe(axe_page: Any, district: Any) -> None:
    page = axe_page
    sign_in(page, MANAGER)
    _down_to_ham_tri(page)
    page.get_by_label("Chọn Lâm Giang").check()
    page.wait_for_load_state("networkidle")
    assert audit(page) == [], "tree with ticks"
    _row(page, "Hàm Trí").get_by_role("link", name="Thêm thôn vào Hàm Trí").click()
    page.locator("#entry-form.villages").get_by_role("button", name="Thêm các thôn").click()
    page.locator("#entry-form .notice.error").wait_for()
    page.wait_for_load_state("networkidle")
    assert audit(page) == [], "villages form, refused"
    _row(page, "Hàm Trí").get_by_role("link", name="Hàm Trí", exact=True).click()
    _tick_found(page.locator("#entry-form"), "ham thuan", "Hàm Thuận")
    page.locator("#entry-form").get_by_label("Tìm đơn vị để thêm").press_sequentially(" ", delay=20)
    page.wait_for_load_state("networkidle")
    assert audit(page) == [], "unit form with the successors' picker open"
