"""The paper forms in Chromium (issue 21, part 5): a commune clerk opens Đóng góp, follows
"In mẫu giấy", picks the unit and the period, and sees the sheet with the unit, the period, the
entry form's fields and its version mark; and every paper form prints on one A4 sheet (a PDF
made by Chromium's own print, and a picture of the print kept in test-artifacts/)."""

import re
from typing import Any

import pytest

from app.services import registry
from tests.e2e.conftest import ARTIFACTS, CLERK, shot
from tests.e2e.journey import nav, sign_in
from tests.factories import PASSWORD

PAPERS = [r.name for r in registry.RESOURCES if r.paper is not None]
# What an A4 sheet holds inside the margins of static/paper.css and paper-wide.css, at the 96 px
# per inch a browser prints at: a picture of the print at this size is what the paper shows.
PORTRAIT = {"width": 692, "height": 1032}  # 183 × 273 mm
LANDSCAPE = {"width": 1039, "height": 718}  # 275 × 190 mm


def labels(page: Any, selector: str) -> list[str]:
    return [" ".join(t.replace("*", "").split()) for t in page.locator(selector).all_inner_texts()]


@pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)
def test_a_clerk_prints_the_paper_form_of_contributions(journey: Any, hamtri: Any) -> None:
    page = journey
    size = "phone" if page.viewport_size["width"] < 500 else "desktop"
    sign_in(page, CLERK)
    nav(page, "Đóng góp")
    on_screen = labels(page, "#entry-form label:not(.pick)")
    mark = page.locator("#entry-form [data-mark]").inner_text()
    assert re.fullmatch(r"ĐG-[0-9a-f]{4}", mark)
    page.get_by_role("link", name="In mẫu giấy").click()
    page.wait_for_load_state()

    village = page.locator("#f-unit_id option", has_text="Lâm Giang").get_attribute("value")
    page.get_by_label("Đơn vị in trên phiếu").select_option(village)
    page.get_by_label("Tháng").select_option(label="Tháng 3")
    page.get_by_label("Năm", exact=True).fill("2026")
    page.get_by_role("button", name="Xem mẫu").click()
    page.wait_for_load_state()

    sheet = page.locator("#sheet")
    assert "Lâm Giang" in sheet.locator("[data-unit]").inner_text()
    assert sheet.locator("[data-period]").inner_text() == "Tháng 03 năm 2026"
    assert sheet.locator("[data-mark]").inner_text() == mark
    assert labels(page, "#sheet .sheet-label") == on_screen
    assert sheet.locator("tbody tr").count() == registry.get("contributions").paper.rows
    shot(page, f"paper-contributions-{size}")
    if size == "desktop":
        page.emulate_media(media="print")
        page.set_viewport_size(LANDSCAPE)
        page.screenshot(path=str(ARTIFACTS / "paper-contributions-print.png"), full_page=True)


def pages_of(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_every_paper_form_prints_on_one_a4_sheet(page: Any, hamtri: Any) -> None:
    """Chromium's print of each paper form: one A4 page, portrait or (a table) landscape."""
    page.goto("/login")
    page.fill("#username", CLERK)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    ARTIFACTS.mkdir(exist_ok=True)
    sizes = {}
    for path in PAPERS:
        page.emulate_media(media="screen")
        page.goto(f"/{path}/paper")
        page.locator("#sheet").wait_for()
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        (ARTIFACTS / f"paper-{path}.pdf").write_bytes(pdf)
        wide = bool(registry.get(path).paper.rows)
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
        assert box, path
        width, height = (round(float(v)) for v in box.groups())
        sizes[path] = (pages_of(pdf), (width, height))
        page.set_viewport_size(LANDSCAPE if wide else PORTRAIT)
        page.screenshot(path=str(ARTIFACTS / f"paper-{path}-print.png"), full_page=True)
    # A4 is 595 × 842 points; a table of lines lies across it.
    expected = {p: (1, (842, 595) if registry.get(p).paper.rows else (595, 842)) for p in PAPERS}
    assert sizes == expected
