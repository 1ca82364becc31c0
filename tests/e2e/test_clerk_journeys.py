"""A commune clerk of Hàm Trí, only clicking and typing what the pages show (after the sign-in
page, no address is typed; tests/e2e/journey.py fails a journey that does), at an office PC's
1366×768 and at a phone's 390×844:

1. records a road, a gift to it and the land given for it; corrects a mistyped amount; deletes
   a gift recorded twice (asked first), and is told in words why the road cannot be deleted;
2. walks a complaint from received to resolved, its time limit lengthened on the way (a
   complaint is lengthened by marking it complex, Luật Khiếu nại 2011 Điều 28: 30 → 45 days);
3. imports works from a sheet with mistakes, reads which row and column are wrong, then
   imports the corrected sheet."""

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app import vn
from app.db.works import Work
from tests.e2e.conftest import ARTIFACTS, CLERK, shot
from tests.e2e.journey import journey, nav, sign_in  # noqa: F401  (journey: the page fixture)

SIZES = pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)



def _size(page: Any) -> str:
    return "phone" if page.viewport_size["width"] < 600 else "desktop"


# The outermost elements that reach past the screen's right edge (inside no scrolling box).
PAST_THE_EDGE = """w => [...document.querySelectorAll('body *')].filter(e => {
    if (e.getBoundingClientRect().right <= w + 1) return false;
    for (let p = e.parentElement; p; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== 'visible') return false;
    return true;
}).slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className}#${e.id}`).join(', ')"""


def _seen(page: Any, name: str) -> None:
    """Keep what the clerk saw; and it fits the screen's width (no sideways scrolling)."""
    shot(page, f"journey-{name}-{_size(page)}")
    wide = page.evaluate("document.documentElement.scrollWidth")
    width = page.viewport_size["width"]
    assert wide <= width, f"{name}: the page is {wide}px wide; past the edge: " + page.evaluate(
        PAST_THE_EDGE, width)


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _pick(select: Any, text: str) -> None:
    """Choose the option that reads `text` (a unit's name, a work's name), as a person does."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value)


def _pick_unit(page: Any, name: str, picker: bool = False) -> None:
    form = page.locator("#entry-form")
    if not picker:
        _pick(form.locator("#f-unit_id"), name)
        return
    with page.expect_response(lambda r: "/choices?" in r.url) as answer:
        _pick(form.locator("#f-unit_id"), name)
    assert answer.value.status == 200
    page.wait_for_function("() => !document.querySelector('#f-work_id')"
                           ".textContent.includes('chọn đơn vị trước')")


def _save(page: Any, notice: str) -> int:
    """Press the form's save button; the number of the record the notice names."""
    # The answer replaces the form (with an earlier save's notice on it, until then).
    page.locator("#entry-form").evaluate("form => form.dataset.sent = 'yes'")
    # htmx binds the new form's pickers when its swap settles, a moment after the form is
    # in the page: a picker changed before then sends nothing (seen on a loaded machine).
    page.evaluate("""() => document.addEventListener('htmx:afterSettle',
        () => { document.documentElement.dataset.settled = 'yes'; }, {once: true})""")
    page.locator("#entry-form button[type=submit]").click()
    page.locator("#entry-form:not([data-sent])").wait_for()
    page.locator("html[data-settled]").wait_for(state="attached")
    page.evaluate("() => { delete document.documentElement.dataset.settled; }")
    shown = page.locator("#entry-form .notice.ok")
    match = re.search(rf"{notice} số (\d+)", shown.inner_text())
    assert match, page.locator("#entry-form").inner_text()
    return int(match.group(1))


def _row(page: Any, path: str, number: int) -> Any:
    return page.locator(f"#list #{path}-{number}")


def _edit(page: Any, path: str, number: int) -> Any:
    """Open a listed record in the entry form (its number is the link)."""
    _row(page, path, number).get_by_role("link", name=f"#{number}").click()
    form = page.locator("#entry-form")
    form.get_by_role("heading", name=re.compile(rf"Sửa .* số {number}$")).wait_for()
    return form


# -- 1 ----------------------------------------------------------------------------------


def _record_road(page: Any) -> int:
    nav(page, "Công trình")
    form = page.locator("#entry-form")
    form.locator("#f-name").fill("Đường bê tông thôn Lâm Giang")
    _pick_unit(page, "Lâm Giang")
    form.locator("#f-category").select_option(label="Đường bê tông xi măng")
    form.locator("#f-quantity").fill("2,4")
    form.locator("#f-measure").select_option(label="km")
    form.locator("#f-total_cost_vnd").fill("1500000000")
    form.locator("#f-completed_date").fill("20/11/2025")
    work = _save(page, "Đã lưu công trình")
    assert "1.500.000.000" in _row(page, "works", work).inner_text()
    return work


def _give(page: Any, amount: str, who: str) -> int:
    form = page.locator("#entry-form")
    _pick_unit(page, "Lâm Giang", picker=True)
    _pick(form.locator("#f-work_id"), "Đường bê tông thôn Lâm Giang")
    form.locator("#f-source").select_option(label="Nhân dân")
    form.locator("#f-kind").select_option(label="Tiền mặt")
    form.locator("#f-amount_vnd").fill(amount)
    form.locator("#f-contributor_name").fill(who)
    form.locator("#f-date").fill("01/06/2025")
    return _save(page, "Đã lưu khoản đóng góp")


def _give_land(page: Any) -> int:
    nav(page, "Hiến đất")
    form = page.locator("#entry-form")
    _pick_unit(page, "Lâm Giang", picker=True)
    _pick(form.locator("#f-work_id"), "Đường bê tông thôn Lâm Giang")
    form.locator("#f-donor_name").fill("Hộ ông Trần Văn Bình")
    form.locator("#f-households").fill("2")
    form.locator("#f-area_m2").fill("500")
    form.locator("#f-value_vnd").fill("150000000")
    form.locator("#f-date").fill("15/03/2025")
    return _save(page, "Đã lưu hồ sơ hiến đất")


@SIZES
def test_clerk_records_a_road_corrects_and_deletes(journey: Any, hamtri: Any) -> None:
    page = journey
    sign_in(page, CLERK)
    work = _record_road(page)
    _seen(page, "road-saved")

    # A gift to the road, its amount mistyped (25 triệu for 250 triệu), and the same gift
    # recorded a second time by mistake.
    nav(page, "Đóng góp")
    gift = _give(page, "25000000", "Nhân dân thôn Lâm Giang")
    twice = _give(page, "25000000", "Nhân dân thôn Lâm Giang")
    _give_land(page)
    _seen(page, "land-saved")

    # The mistyped amount, corrected in the gift's form; its history shows the change.
    nav(page, "Đóng góp")
    form = _edit(page, "contributions", gift)
    form.locator("#f-amount_vnd").fill("250000000")
    assert _save(page, "Đã cập nhật khoản đóng góp") == gift
    assert "250.000.000" in _row(page, "contributions", gift).inner_text()
    form = _edit(page, "contributions", gift)
    assert "“25.000.000” → “250.000.000”" in form.locator(".history").inner_text()
    _seen(page, "gift-corrected")

    # The gift recorded twice: deleted, after a page that asks.
    form = _edit(page, "contributions", twice)
    form.get_by_role("link", name="Xóa khoản đóng góp…").click()
    page.get_by_role("heading", name=f"Xóa khoản đóng góp số {twice}?").wait_for()
    facts = page.locator(".facts").inner_text()
    assert "25.000.000" in facts and "Lâm Giang" in facts, facts
    _seen(page, "gift-delete-asked")
    page.get_by_role("button", name=f"Xóa khoản đóng góp số {twice}").click()
    page.locator("#entry-form .notice.ok", has_text=f"Đã xóa khoản đóng góp số {twice}.").wait_for()
    assert _row(page, "contributions", twice).count() == 0
    assert _row(page, "contributions", gift).count() == 1
    _seen(page, "gift-deleted")

    # The road has a gift and land: its delete is refused, in words, and it stays.
    nav(page, "Công trình")
    _row(page, "works", work).get_by_role("link", name="Mở").click()
    page.get_by_role("link", name="Xóa công trình…").click()
    page.get_by_role("button", name=f"Xóa công trình số {work}").click()
    refusal = page.locator(".notice.error")
    refusal.wait_for()
    assert "Không xóa được: còn khoản đóng góp gắn với bản ghi này" in refusal.inner_text()
    assert page.get_by_role("button", name=re.compile("Xóa công trình")).count() == 0
    _seen(page, "road-delete-refused")
    page.get_by_role("link", name=f"← Quay lại công trình số {work}").click()
    facts = page.locator(".facts").inner_text()
    # 250 triệu from the people and 150 triệu of land, of 1,5 tỷ: the deleted gift is gone.
    assert "400 triệu đồng" in facts and "26,7%" in facts, facts
    assert "2 hộ, 500 m², trị giá 150 triệu đồng" in facts, facts
    _seen(page, "road-page")


@SIZES
def test_clerk_adds_a_gift_from_the_works_page_and_gets_back(journey: Any, hamtri: Any,
                                                              db: Any) -> None:
    """From a work's page, "Thêm đóng góp" opens the gift's form with the work and its unit
    chosen; saved, the notice leads back to the work, which counts the gift."""
    from tests.factories import make_work

    with db() as s:
        make_work(s, unit_id=hamtri.lam_giang, name="Nhà văn hóa thôn Lâm Giang",
                  total_cost_vnd=800_000_000)
    page = journey
    sign_in(page, CLERK)
    nav(page, "Công trình")
    page.locator("#list tr", has_text="Nhà văn hóa thôn Lâm Giang").get_by_role(
        "link", name="Mở").click()
    page.get_by_role("heading", name="Nhà văn hóa thôn Lâm Giang").wait_for()
    assert "Thôn Lâm Giang, xã Hàm Trí, huyện Hàm Thuận Bắc" in page.locator("main").inner_text()
    _seen(page, "work-page")
    page.get_by_role("link", name="Thêm đóng góp").click()
    form = page.locator("#entry-form")
    form.get_by_role("heading", name="Thêm khoản đóng góp").wait_for()
    chosen = "o => o.options[o.selectedIndex].textContent"
    assert "Lâm Giang" in form.locator("#f-unit_id").evaluate(chosen)
    assert "Nhà văn hóa thôn Lâm Giang" in form.locator("#f-work_id").evaluate(chosen)
    _seen(page, "gift-prefilled")
    form.locator("#f-source").select_option(label="Nhân dân")
    form.locator("#f-kind").select_option(label="Tiền mặt")
    form.locator("#f-amount_vnd").fill("120000000")
    form.locator("#f-date").fill("01/06/2025")
    _save(page, "Đã lưu khoản đóng góp")
    page.locator("#entry-form .notice.ok").get_by_role(
        "link", name="Về công trình “Nhà văn hóa thôn Lâm Giang”").click()
    page.get_by_role("heading", name="Nhà văn hóa thôn Lâm Giang").wait_for()
    facts = page.locator(".facts").inner_text()
    assert "120 triệu đồng" in facts and "15,0%" in facts, facts
    _seen(page, "work-with-gift")


# -- 2 ----------------------------------------------------------------------------------


@SIZES
def test_clerk_walks_a_complaint_to_resolved_lengthened(journey: Any, hamtri: Any) -> None:
    page = journey
    today = vn.today()  # the page counts in Vietnam's date
    sign_in(page, CLERK)
    nav(page, "Đơn thư")
    form = page.locator("#entry-form")
    form.locator("#f-received_date").fill(_vn(today - timedelta(days=4)))
    _pick_unit(page, "Hàm Trí")
    form.locator("#f-type").select_option(label="Khiếu nại")
    form.locator("#f-subject").fill("Khiếu nại về lối đi chung thôn Lâm Giang")
    form.locator("#f-petitioner_name").fill("Lê Văn Cường")
    form.locator("#f-signers").fill("3")
    number = _save(page, "Đã lưu đơn thư")
    _row(page, "petitions", number).get_by_role("link", name="Mở").click()
    page.get_by_role("heading", name=re.compile(f"Đơn thư số {number}:")).wait_for()
    facts = page.locator(".facts")
    assert "Đã tiếp nhận" in facts.inner_text() and "còn 6 ngày" in facts.inner_text()
    _seen(page, "complaint-received")

    page.get_by_role("button", name="Thụ lý", exact=True).click()
    # The page's forms go by htmx: wait for what the reloaded page shows, not for a navigation.
    facts.get_by_text("Đã thụ lý").wait_for()
    assert "Đã thụ lý" in facts.inner_text(), facts.inner_text()
    assert _vn(today + timedelta(days=30)) in facts.inner_text()
    # A complaint's limit is not extended by decision (that is a denunciation's): no such form.
    assert page.get_by_role("button", name="Gia hạn").count() == 0

    # Found complex: the page says how the law lengthens a complaint; the clerk marks it so,
    # and the limit becomes 45 days.
    assert "Vụ việc phức tạp được thêm thời gian" in facts.inner_text()
    page.get_by_role("link", name="Sửa thông tin đơn").click()
    form = page.locator("#entry-form")
    form.get_by_role("heading", name=f"Sửa đơn thư số {number}").wait_for()
    form.get_by_label("Vụ việc phức tạp").check()
    assert _save(page, "Đã cập nhật đơn thư") == number
    _row(page, "petitions", number).get_by_role("link", name="Mở").click()
    page.get_by_role("heading", name=re.compile(f"Đơn thư số {number}:")).wait_for()
    facts = page.locator(".facts")
    assert "(phức tạp)" in facts.inner_text()
    assert _vn(today + timedelta(days=45)) in facts.inner_text(), facts.inner_text()
    assert "còn 45 ngày" in facts.inner_text()
    _seen(page, "complaint-lengthened")

    page.get_by_role("button", name="Bắt đầu giải quyết").click()
    page.locator(".facts").get_by_text("Đang giải quyết").wait_for()
    assert "Đang giải quyết" in page.locator(".facts").inner_text()
    page.locator("#f-note").fill("Đã đối thoại với các hộ liên quan")
    page.locator("#f-outcome").fill("Các hộ thống nhất mở lối đi chung rộng 3 m")
    page.get_by_role("button", name="Đã giải quyết xong").click()
    page.locator("aside").get_by_text("Hồ sơ đã kết thúc").wait_for()
    assert "Đã giải quyết" in page.locator(".facts").inner_text()
    assert "Hồ sơ đã kết thúc" in page.locator("aside").inner_text()
    steps = page.locator("ul.history").inner_text()
    for step in ("Đã thụ lý", "Đang giải quyết", "Đã giải quyết"):
        assert step in steps, steps
    _seen(page, "complaint-resolved")


# -- 3 ----------------------------------------------------------------------------------

HEADERS = ["Tên công trình, phần việc", "Mã đơn vị", "Loại công trình", "Khối lượng",
           "Đơn vị tính", "Tổng kinh phí (đồng)", "Ngày hoàn thành", "Mã tham chiếu"]
ROWS = [
    ["Đường bê tông thôn Lâm Giang", "T-LG", "Đường bê tông xi măng", "2,4", "km",
     "1.500.000.000", "20/11/2025", "CT-01"],
    ["Đèn chiếu sáng trục xã", "T-HT", "Đèn chiếu sáng", "40", "bóng đèn", "200.000.000",
     "31/02/2025", "CT-02"],  # 31 February
    ["Kênh mương nội đồng", "T-HX", "Kênh mương thủy lợi", "1,2", "km", "350.000.000",
     "15/10/2025", "CT-03"],  # no unit has the code T-HX
]
FIXED = [ROWS[0], ROWS[1][:6] + ["28/02/2025", "CT-02"], ROWS[2][:1] + ["T-HT"] + ROWS[2][2:]]


def _sheet(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Công trình"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _send(page: Any, path: Path, button: str) -> str:
    page.locator("#import-file").set_input_files(str(path))
    page.get_by_role("button", name=button).click()
    outcome = page.locator("#import-outcome")
    outcome.wait_for(timeout=30_000)
    page.wait_for_load_state()
    return outcome.inner_text()


def _works(db: Any) -> int:
    with db() as s:
        return s.exec(select(func.count()).select_from(Work)).scalar_one()


@SIZES
def test_clerk_imports_a_sheet_with_mistakes_then_the_corrected_one(journey: Any, hamtri: Any,
                                                                   db: Any, tmp_path: Path) -> None:
    page = journey
    sign_in(page, CLERK)
    nav(page, "Nhập Excel")
    page.locator("nav.tabs").get_by_role("link", name="Công trình, phần việc").click()
    page.get_by_role("heading", name=re.compile("Công trình, phần việc: chọn tệp")).wait_for()

    outcome = _send(page, _sheet(tmp_path / "cong-trinh.xlsx", ROWS), "Kiểm tra tệp (chưa lưu)")
    assert "Không nhập: 2 lỗi trong 3 dòng; chưa lưu dòng nào" in outcome, outcome
    errors = [tuple(c.inner_text().strip() for c in tr.locator("td").all()[:3])
              for tr in page.locator("#import-outcome table.errors tbody tr").all()]
    # In row order, as the clerk reads the file.
    assert errors == [("3", "Ngày hoàn thành", "31/02/2025"), ("4", "Mã đơn vị", "T-HX")], errors
    assert _works(db) == 0
    _seen(page, "import-mistakes")
    page.locator("#import-outcome").screenshot(  # the errors as read, up close
        path=str(ARTIFACTS / f"journey-import-mistakes-{_size(page)}-errors.png"))

    fixed = _sheet(tmp_path / "cong-trinh-da-sua.xlsx", FIXED)
    outcome = _send(page, fixed, "Kiểm tra tệp (chưa lưu)")
    assert "Sẽ thêm 3, sửa 0, giữ nguyên 0" in outcome, outcome
    assert _works(db) == 0
    _seen(page, "import-checked")
    # The file just checked is imported with one press, without choosing it again.
    page.get_by_role("button", name="Nhập tệp vừa kiểm tra vào hệ thống").click()
    page.locator("#import-run h2", has_text="Nhập tệp “cong-trinh-da-sua.xlsx”").wait_for()
    outcome = page.locator("#import-outcome")
    outcome.wait_for(timeout=30_000)
    page.wait_for_load_state()
    outcome = outcome.inner_text()
    assert "Đã thêm 3, sửa 0, giữ nguyên 0 (đã có, không đổi) trong 3 dòng." in outcome, outcome
    _seen(page, "import-corrected")

    page.get_by_role("link", name=re.compile("Xem danh sách")).click()
    listed = page.locator("#list")
    listed.get_by_text("Kênh mương nội đồng").wait_for()
    assert "3 bản ghi" in listed.inner_text()
    for name in ("Đường bê tông thôn Lâm Giang", "Đèn chiếu sáng trục xã"):
        assert name in listed.inner_text()
    assert _works(db) == 3
    _seen(page, "import-listed")
