"""A commune clerk imports contributions from Excel in a real browser (Chromium through
Playwright): chooses the "Đóng góp" tab and reads its columns; downloads the template; fills a
workbook the way clerks do (a title row above the headers, Vietnamese numbers and dates, a
slip in one row); checks it and reads which row and column are wrong, with nothing saved;
removes the bad row, checks again, imports it, finds the rows in the list; and imports the
same file once more without making duplicates."""

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.db.contributions import Contribution
from tests.e2e.conftest import ARTIFACTS, CLERK, shot
from tests.factories import PASSWORD

SCREEN = {"width": 1366, "height": 768}  # an old office PC's screen
TITLE = "BẢNG TỔNG HỢP ĐÓNG GÓP"
HEADERS = ["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Ngày", "Mã tham chiếu"]
GOOD = [
    ["T-HT", "Nhân dân", "Tiền mặt", "1.500.000", "05/02/2021", "DG-01"],
    # A date Excel understood as a date, and money typed as a plain number.
    ["T-LG", "Nhân dân", "Tiền mặt", "2.000.000", datetime(2021, 2, 6), "DG-02"],
    ["T-LG", "Doanh nghiệp", "Tiền mặt", 1500000, "07/02/2021", "DG-03"],
]
# 31 February does not exist; T-XX is no unit's code.
BAD = ["T-XX", "Nhân dân", "Tiền mặt", "500.000", "31/02/2021", "DG-04"]
FIRST_DATA_ROW = 3  # row 1 is the title, row 2 the headers


def check(condition: Any, what: str) -> None:
    assert condition, what


def _sign_in(page: Any, to: str) -> None:
    page.goto(to)
    check("/login" in page.url, "not sent to sign in first")
    page.fill("#username", CLERK)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(to) + "$"))


def _seen(page: Any, name: str) -> None:
    """The whole page (shot) and what fits on the screen without scrolling."""
    shot(page, name)
    page.screenshot(path=str(ARTIFACTS / f"{name}-screen.png"))


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Đóng góp"
    sheet.append([TITLE])
    sheet.merge_cells("A1:F1")  # the title centred across the columns, as clerks do
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    for cell in sheet["E"][FIRST_DATA_ROW - 1:]:
        if isinstance(cell.value, datetime):
            cell.number_format = "dd/mm/yyyy"
    book.save(path)
    return path


def _stored(db: Any) -> int:
    with db() as s:
        return s.exec(select(func.count()).select_from(Contribution)).scalar_one()


def _send(page: Any, path: Path, button: str) -> str:
    """Choose the file, press the button, wait for the streamed answer to end; its outcome."""
    page.set_input_files("#import-file", str(path))
    page.get_by_role("button", name=button).click()
    outcome = page.locator("#import-outcome")
    outcome.wait_for(timeout=30_000)
    page.wait_for_load_state()
    # Only the last progress line is shown, and it says the reading is over.
    shown = [line.inner_text() for line in page.locator("#import-run .progress-line").all()
             if line.is_visible()]
    check(len(shown) == 1 and "Đã đọc xong" in shown[0], f"progress lines shown: {shown}")
    check(page.locator("#import-file").count() == 1, "the form is not shown again")
    return outcome.inner_text()


def _listed(page: Any) -> list[str]:
    rows = page.locator("#list tr[id^='contributions-']")
    return [r.inner_text() for r in rows.all()]



def test_clerk_imports_contributions_from_excel(page: Any, db: Any, hamtri: Any,
                                                tmp_path: Path) -> None:
    page.set_viewport_size(SCREEN)
    _sign_in(page, "/imports")
    check("Chọn loại dữ liệu" in page.locator("body").inner_text(), "no prompt")

    # 1. The "Đóng góp" tab: its columns and its template.
    page.locator("nav.tabs").get_by_role("link", name="Đóng góp", exact=True).click()
    page.wait_for_url(re.compile(r"/imports\?resource=contributions$"))
    check(page.locator("nav.tabs a[aria-current=page]").inner_text().strip() == "Đóng góp",
          "the chosen tab is not marked")
    columns = page.locator("aside").inner_text()
    for header in HEADERS:
        check(header in columns, f"column {header!r} not listed: {columns!r}")
    link = page.get_by_role("link", name="mẫu nhập Excel")
    check(link.is_visible(), "no template link")
    check(link.get_attribute("href") == "/imports/contributions/template.xlsx", "template href")
    with page.expect_download() as download:
        link.click()
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    offered = [c.value for c in next(load_workbook(template).worksheets[0].iter_rows(max_row=1))]
    check(set(HEADERS) <= set(offered), f"the template's headers {offered} lack some of {HEADERS}")
    _seen(page, "import-contributions-tab")

    # 2–3. A workbook with a slip in its last row: checked, nothing saved, the slips named.
    bad_row = FIRST_DATA_ROW + len(GOOD)
    with_slip = _workbook(tmp_path / "Đóng góp tháng 2.xlsx", GOOD + [BAD])
    outcome = _send(page, with_slip, "Kiểm tra tệp (chưa lưu)")
    check("Không nhập: 2 lỗi trong 4 dòng; chưa lưu dòng nào" in outcome, outcome)
    errors = [[cell.inner_text().strip() for cell in tr.locator("td").all()]
              for tr in page.locator("#import-outcome table.errors tbody tr").all()]
    check(len(errors) == 2, f"errors listed: {errors}")
    by_column = {e[1]: e for e in errors}
    check(set(by_column) == {"Mã đơn vị", "Ngày"}, f"columns named: {errors}")
    check(by_column["Ngày"][:3] == [str(bad_row), "Ngày", "31/02/2021"], errors)
    check("không có trên lịch" in by_column["Ngày"][3], errors)
    check(by_column["Mã đơn vị"][:3] == [str(bad_row), "Mã đơn vị", "T-XX"], errors)
    check("T-XX" in by_column["Mã đơn vị"][3], errors)
    check("Đóng góp tháng 2.xlsx" in page.locator("#import-run h2").inner_text(), "file name")
    check(_stored(db) == 0, "a check saved something")
    _seen(page, "import-contributions-errors")

    # 4. The bad row removed: checked again, then imported for real.
    fixed = _workbook(tmp_path / "Đóng góp tháng 2.xlsx", GOOD)
    outcome = _send(page, fixed, "Kiểm tra tệp (chưa lưu)")
    check("Sẽ thêm 3, sửa 0, giữ nguyên 0 (đã có, không đổi) trong 3 dòng (nhập thử: chưa lưu gì)" in outcome, outcome)
    check(page.locator("#import-outcome table.errors").count() == 0, "errors after the fix")
    check(_stored(db) == 0, "a check saved something")
    _seen(page, "import-contributions-checked")
    outcome = _send(page, fixed, "Nhập vào hệ thống")
    check("Đã thêm 3, sửa 0, giữ nguyên 0 (đã có, không đổi) trong 3 dòng." in outcome, outcome)
    check(_stored(db) == 3, "not stored")
    _seen(page, "import-contributions-imported")

    page.get_by_role("link", name="Xem danh sách đóng góp").click()
    page.wait_for_url(re.compile(r"/contributions$"))
    listed = _listed(page)
    check(len(listed) == 3, f"rows listed: {listed}")
    check("3 bản ghi" in page.locator("#list").inner_text(), "count")
    check(sum("1.500.000" in r for r in listed) == 2, listed)
    check(any("2.000.000" in r for r in listed), listed)
    check(sum("Lâm Giang" in r for r in listed) == 2, listed)
    _seen(page, "import-contributions-list")

    # 5. The same file again: nothing new.
    page.goto("/imports?resource=contributions")
    outcome = _send(page, fixed, "Nhập vào hệ thống")
    check("Đã thêm 0, sửa 0, giữ nguyên 3 (đã có, không đổi) trong 3 dòng." in outcome, outcome)
    check(_stored(db) == 3, "duplicates stored")
    _seen(page, "import-contributions-again")
    page.goto("/contributions")
    check(len(_listed(page)) == 3, "the list grew")
