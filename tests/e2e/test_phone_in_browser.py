"""A commune clerk on a phone (390×844) and at an office PC (1366×768), issue 18 "The clerk":
the menu folds behind a "Menu" button so the first screen shows the page; no list scrolls the
page sideways; "Thêm …" at the top of a list reaches its entry form; after a refused submit the
focus is on the first field in error, which names its message; and a browser speaking English
shows no English bubble of its own: the server's Vietnamese message does."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.registry import RESOURCES
from tests.e2e.conftest import CLERK
from tests.e2e.journey import SIZES, journey, nav, sign_in  # noqa: F401  (journey: a fixture)

SHOTS = Path("/work/tmp/shots-phone")
BOTH = pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)
LISTS = [r.menu for r in RESOURCES if r.menu]


def _shot(page: Any, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"))


def _phone(page: Any) -> bool:
    return page.viewport_size["width"] < 600


@BOTH
def test_the_first_screen_shows_the_page_and_the_menu_opens_by_keyboard(journey: Any, hamtri: Any) -> None:
    sign_in(journey, CLERK)
    nav(journey, "Đóng góp")
    journey.keyboard.press("Escape")
    _shot(journey, "first-screen")
    heading = journey.get_by_role("heading", level=1).bounding_box()
    menu = journey.locator("nav[aria-label=\"Chức năng\"]")
    button = journey.get_by_role("group").locator("summary", has_text="Menu")
    if not _phone(journey):
        assert menu.is_visible() and not button.is_visible()
        assert heading["y"] + heading["height"] <= 768
        return
    journey.reload()  # the menu opened by nav() folds again on the next page
    heading = journey.get_by_role("heading", level=1).bounding_box()
    assert not menu.is_visible(), "on a phone the menu is folded"
    assert heading["y"] + heading["height"] <= 300, f"the page's heading is at {heading['y']}px"
    button.focus()
    journey.keyboard.press("Enter")
    assert menu.get_by_role("link", name="Hiến đất", exact=True).is_visible()
    _shot(journey, "menu-open")
    journey.keyboard.press("Enter")
    assert not menu.is_visible()


@BOTH
def test_no_list_scrolls_sideways_and_add_is_at_the_top(journey: Any, hamtri: Any) -> None:
    sign_in(journey, CLERK)
    for name in LISTS:
        nav(journey, name)
        _shot(journey, f"list-{name}")
        wide, inner = journey.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert wide <= inner, f"{name}: the page is {wide}px wide at {inner}px"
        add = journey.locator("main .list-head a", has_text="Thêm")
        if not add.count():  # a list this clerk may only read (units)
            continue
        top = add.bounding_box()
        assert top["y"] < 400, f"{name}: “Thêm” is at {top['y']}px"
        add.click()
        form = journey.locator("#entry-form")
        journey.wait_for_function("() => document.activeElement.closest('#entry-form')")
        box = form.bounding_box()
        assert 0 <= box["y"] < journey.viewport_size["height"], f"{name}: the form is off screen"
        if name == "Đóng góp":
            _shot(journey, "add-reaches-form")
        journey.evaluate("window.scrollTo(0, 0)")


@pytest.fixture
def english(request: Any, chromium: Any, server: str) -> Iterator[Any]:
    """A browser speaking English (en-US): its own messages would be English."""
    context = chromium.new_context(base_url=server, viewport=SIZES[request.param], locale="en-US")
    page = context.new_page()
    page._journey_tried = []
    yield page
    context.close()
    assert not page._journey_tried


@pytest.mark.parametrize("english", ["desktop", "phone"], indirect=True)
def test_a_refused_submit_focuses_the_first_field_in_error_in_vietnamese(english: Any, hamtri: Any) -> None:
    page = english
    sign_in(page, CLERK)
    nav(page, "Đóng góp")
    page.locator("main .list-head a", has_text="Thêm").click()
    # Nothing filled in: required fields are empty. No bubble of the browser's may stop the
    # submit; the server answers with its per-field messages.
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("#entry-form").get_by_role("button", name="Lưu").click()
    assert answer.value.status == 422
    page.wait_for_function("() => document.activeElement.getAttribute('aria-invalid') === 'true'")
    focused = page.evaluate("""() => { const e = document.activeElement;
        const first = document.querySelector('#entry-form [aria-invalid="true"]');
        const said = document.getElementById(e.getAttribute('aria-describedby'));
        const label = document.querySelector(`label[for="${e.id}"]`);
        return {same: e === first, said: said && said.textContent, role: said && said.getAttribute('role'),
                label_top: label ? label.getBoundingClientRect().top : null}; }""")
    assert focused["same"], "the focus is on the first field in error"
    assert focused["said"] and focused["role"] == "alert", focused
    assert focused["label_top"] is not None and focused["label_top"] >= 0, focused
    assert not any(w in focused["said"].lower() for w in ("please", "field", "required")), focused
    _shot(page, "refused")


@pytest.mark.parametrize("english", ["desktop", "phone"], indirect=True)
def test_the_import_file_button_and_its_message_are_vietnamese(english: Any, hamtri: Any) -> None:
    page = english
    sign_in(page, CLERK)
    nav(page, "Nhập Excel")
    page.locator("nav.tabs").get_by_role("link", name="Đóng góp").click()
    button = page.locator("label[for=import-file]", has_text="Chọn tệp")
    assert button.is_visible()  # the browser's own button ("Choose File") is out of sight
    assert page.locator("#import-file").evaluate("e => e.getBoundingClientRect().width") <= 1
    page.get_by_role("button", name="Kiểm tra tệp (chưa lưu)").click()  # no file chosen
    said = page.locator("#import-file").evaluate("e => e.validationMessage")
    assert said == "Vui lòng chọn một tệp.", said
    page.locator("#import-file").set_input_files(
        {"name": "gop.csv", "mimeType": "text/csv", "buffer": "Đơn vị\n".encode()})
    assert page.locator("#import-file-name").text_content() == "gop.csv"
    _shot(page, "import-file")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_menu_works_without_script(size: str, chromium: Any, server: str, hamtri: Any) -> None:
    context = chromium.new_context(base_url=server, viewport=SIZES[size], locale="vi-VN",
                                   java_script_enabled=False)
    page = context.new_page()
    page._journey_tried = []
    sign_in(page, CLERK)
    menu = page.locator("nav[aria-label=\"Chức năng\"]")
    if size == "desktop":
        assert menu.is_visible()
    else:
        assert not menu.is_visible()
        page.locator("details.menu > summary").click()
        assert menu.get_by_role("link", name="Đóng góp", exact=True).is_visible()
    context.close()


@BOTH
def test_the_report_and_its_comparison_stay_within_the_screen(journey: Any, hamtri: Any) -> None:
    """The summary's wide tables (sources, the units' league) scroll inside their own boxes;
    the comparison's second column is dated as the first (dd/mm/yyyy)."""
    sign_in(journey, CLERK)
    nav(journey, "Báo cáo")
    journey.get_by_label("So sánh với").select_option(label="Năm 2017")
    journey.get_by_role("button", name="Xem báo cáo").click()
    journey.get_by_role("heading", name="So sánh hai kỳ").wait_for()
    _shot(journey, "report-compare")
    wide, inner = journey.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert wide <= inner, f"the report is {wide}px wide at {inner}px"
    head = journey.get_by_role("region", name="So sánh hai kỳ").locator("thead").inner_text()
    assert "01/01/2017 – 31/12/2017" in head and "2017-01-01" not in head
