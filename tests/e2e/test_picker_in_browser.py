"""The unit picker of a country-sized tree (tests/bigtree.py), in Chromium: an administrator
types "phu long" into the contribution form's unit field, sees each Phú Long with its
province, picks one by keyboard and saves; the same without script, with "Tìm"; the page
with the picker open passes axe; the tree opens a level by its ▸, and its ended provinces,
folded behind one row, by a click on that row."""

from typing import Any

import pytest
from playwright.sync_api import expect

from app.enums import Role
from app.services import auth
from sqlalchemy import update

from app.db.units import Unit
from tests.bigtree import ENDED, load_country
from tests.e2e.axe import audit
from tests.e2e.conftest import shot
from tests.e2e.journey import nav, open_page, sign_in
from tests.factories import PASSWORD

ADMIN = "quantri.nuoc"


@pytest.fixture
def country(engine: Any, db: Any) -> dict[str, Any]:
    tree = load_country(engine)
    with db() as s:
        auth.create_user(s, username=ADMIN, password=PASSWORD, role=Role.admin, unit_code=None)
    return tree


def _fill_the_rest(form: Any) -> None:
    form.locator("#f-source").select_option("people")
    form.locator("#f-kind").select_option("cash")
    form.locator("#f-amount_vnd").fill("1500000")
    form.locator("#f-contributor_name").fill("Nguyễn Văn An")


def test_typing_finds_phu_long_with_its_province_and_saves(journey: Any, country: Any) -> None:
    page = journey
    sign_in(page, ADMIN)
    nav(page, "Đóng góp")
    form = page.locator("#entry-form")
    form.locator("#f-date").fill("05/02/2026")
    field = form.get_by_label("Đơn vị", exact=False).first
    field.press_sequentially("phu long", delay=30)
    found = form.locator("#f-unit_id-list label.pick")
    found.first.wait_for()
    first = found.first.inner_text()
    assert first.startswith("Phú Long") and "Tỉnh " in first, first
    assert "hiệu lực đến" not in first  # in force on the record's date, first
    commune = found.filter(has_text="Xã ·").first.inner_text()
    assert commune.startswith("Phú Long") and " › " in commune  # its province › its district
    # Enter in the picker searches, never saves; the keyboard goes down to the units found.
    field.press("Enter")
    field.press("ArrowDown")
    page.keyboard.press("Space")
    assert found.first.locator("input").is_checked()
    chosen = int(found.first.locator("input").get_attribute("value"))
    assert chosen in country["phu_long"]
    _fill_the_rest(form)
    shot(page, "picker-phu-long")
    form.get_by_role("button", name="Lưu", exact=True).click()
    page.locator("#entry-form .notice.ok").wait_for()
    assert "Đã lưu khoản đóng góp" in page.locator("#entry-form .notice.ok").inner_text()
    assert "Phú Long" in page.locator("#list tbody tr").first.inner_text()


def test_without_script_the_find_button_searches(chromium: Any, server: str, country: Any) -> None:
    context = chromium.new_context(base_url=server, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page._journey_tried = []
    try:
        sign_in(page, ADMIN)
        nav(page, "Đóng góp")
        form = page.locator("#entry-form")
        form.locator("#f-date").fill("05/02/2026")
        form.locator("#f-unit_id").fill("phu long")
        _fill_the_rest(form)
        form.get_by_role("button", name="Tìm").click()
        page.wait_for_load_state()
        form = page.locator("#entry-form")
        assert form.locator("#f-amount_vnd").input_value() == "1500000"  # kept as typed
        first = form.locator("#f-unit_id-list label.pick").first
        assert "Tỉnh " in first.inner_text()
        first.locator("input").check()
        form.get_by_role("button", name="Lưu", exact=True).click()
        page.wait_for_load_state()
        assert "Đã lưu khoản đóng góp" in page.content()
    finally:
        context.close()


def test_the_tree_opens_a_level_by_its_toggle(journey: Any, country: Any) -> None:
    page = journey
    sign_in(page, ADMIN)
    nav(page, "Đơn vị")
    rows = page.locator("table.tree tbody tr")
    assert rows.count() == 60
    toggle = rows.first.locator("a.toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    expect(rows).to_have_count(70)  # (no wait_for_function: the CSP forbids its eval)
    assert toggle.get_attribute("aria-expanded") == "true"
    shot(page, "tree-level")
    toggle.click()  # once opened, a second click loads nothing more
    page.wait_for_timeout(300)
    assert rows.count() == 70


def test_the_open_picker_passes_axe(chromium: Any, server: str, country: Any) -> None:
    """Its field labelled, its units a named group of radio buttons, contrast kept."""
    context = chromium.new_context(base_url=server, locale="vi-VN", bypass_csp=True,
                                   viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page._journey_tried = []
    try:
        sign_in(page, ADMIN)
        nav(page, "Đóng góp")
        page.locator("#entry-form #f-unit_id").press_sequentially("phu long", delay=20)
        page.locator("#f-unit_id-list label.pick").first.wait_for()
        page.locator("#q-unit_id").press_sequentially("long", delay=20)
        page.locator("#q-unit_id-list label.pick").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert audit(page) == []
    finally:
        context.close()


def test_phone_size_picker(chromium: Any, server: str, country: Any) -> None:
    context, page, errors = open_page(chromium, server, "phone")
    try:
        sign_in(page, ADMIN)
        nav(page, "Đóng góp")
        field = page.locator("#entry-form #f-unit_id")
        field.press_sequentially("phu long", delay=20)
        page.locator("#f-unit_id-list label.pick").first.wait_for()
        box = page.locator("#f-unit_id-list").bounding_box()
        assert box and box["width"] <= 390
        page.locator("#f-unit_id-list").scroll_into_view_if_needed()
        shot(page, "picker-phone")
        assert not [e for e in errors if "Failed to load resource" not in e], errors
    finally:
        context.close()


def test_the_ended_provinces_open_from_their_folded_row(journey: Any, engine: Any, db: Any) -> None:
    load_country(engine, provinces=25, districts=2, communes=2, new_provinces=3, new_communes=40)
    with engine.begin() as c:
        c.execute(update(Unit).where(Unit.level == "province", Unit.code.like("P%"))
                  .values(active_to=ENDED))
    with db() as s:
        auth.create_user(s, username=ADMIN, password=PASSWORD, role=Role.admin, unit_code=None)
    page = journey
    sign_in(page, ADMIN)
    nav(page, "Đơn vị")
    rows = page.locator("table.tree tbody tr")
    expect(rows).to_have_count(4)  # the 3 provinces in force, and the row of the others
    page.get_by_role("link", name="Xem 25 đơn vị đã hết hiệu lực hoặc chưa có hiệu lực").click()
    expect(rows.filter(has=page.locator("a.toggle"))).to_have_count(28)
    ended = page.locator("table.tree tbody tr.ended").first
    ended.locator("a.toggle").click()
    expect(rows).to_have_count(30)  # its 2 districts, below it
    shot(page, "tree-ended-provinces")
