"""A district manager's journey over the demo data, only by clicking: pick the district and the
2016–2020 phase, read the article's petition figures, download the Word report, issue it, then
switch the dashboard to another unit and year with its pickers."""

import io
import re
import zipfile
from collections.abc import Iterator

import pytest

from app.db.session import session_scope
from app.enums import Role
from app.services import auth
from tests.demo import _clean, demo_loaded  # noqa: F401
from tests.e2e.conftest import shot
from tests.e2e.journey import nav, sign_in
from tests.factories import PASSWORD

MANAGER = "lanhdao-htb"


@pytest.fixture(scope="module")
def manager(engine, demo_loaded) -> Iterator[str]:  # noqa: F811
    for session in session_scope(engine, write=True):
        auth.create_user(session, username=MANAGER, password=PASSWORD, role=Role.manager,
                         unit_code="BTH.HTB")
    yield MANAGER


def pick_unit(page, select: str, name: str) -> None:
    """Choose a unit in a unit picker by the name it shows (the tree indents it)."""
    option = page.locator(f"{select} option").filter(has_text=re.compile(rf"(^|— ){name}\s*$")).first
    page.select_option(select, option.get_attribute("value"))


def no_error(page) -> None:
    shown = page.locator(".notice.error:visible, [role=alert]:visible")
    assert shown.count() == 0, shown.all_inner_texts()
    assert "Ngày không hợp lệ" not in page.content() and "Phải là số nguyên" not in page.content()


def test_district_manager_reports_issues_and_switches_the_dashboard(journey, manager):
    page = journey
    sign_in(page, manager)
    nav(page, "Báo cáo")
    pick_unit(page, "#f-unit_id", "Hàm Thuận Bắc")
    page.select_option("#f-preset", label="Giai đoạn 2016 – 2020")
    page.get_by_role("button", name="Xem báo cáo").click()
    page.wait_for_load_state()
    no_error(page)
    report = page.locator("article.report")
    assert "Hàm Thuận Bắc · từ 01/01/2016 đến 31/12/2020" in report.locator(".sub").inner_text()
    figures = report.inner_text()
    assert "1.823/1.827" in figures and "99,78%" in figures, figures[:2000]
    shot(page, "manager-report-2016-2020")

    with page.expect_download() as got:
        report.get_by_role("link", name="Văn bản Word (.docx)").click()
    download = got.value
    assert download.suggested_filename == "bao-cao-dvk-2016-01-01-2020-12-31.docx"
    with open(download.path(), "rb") as f:
        docx = zipfile.ZipFile(io.BytesIO(f.read()))
    body = docx.read("word/document.xml").decode()
    assert "[Content_Types].xml" in docx.namelist() and "1.823" in body

    page.get_by_text("Ban hành báo cáo này").click()
    issue = page.locator("form.issue")
    issue.locator("#f-number").fill("125-BC/BDVHU")
    issue.locator("#f-signer_name").fill("Nguyễn Văn Bình")
    issue.get_by_role("button", name="Ban hành").click()
    page.wait_for_url(re.compile(r"/reports/issued/\d+$"))
    no_error(page)
    issued = page.locator("article.report").inner_text()
    assert "Báo cáo số 125-BC/BDVHU — đã ban hành" in issued and "1.823/1.827" in issued
    shot(page, "manager-report-issued")

    # Own dates: typing them chooses "Ngày tùy ý"; choosing a year afterwards clears them.
    nav(page, "Báo cáo")
    page.get_by_text("Chọn ngày tùy ý").click()
    page.get_by_label("Từ", exact=True).fill("01/01/2020")  # typed day first, as a clerk does
    page.get_by_label("Đến", exact=True).fill("10/06/2020")
    assert page.locator("#f-preset").input_value() == "custom"
    page.get_by_role("button", name="Xem báo cáo").click()
    page.wait_for_load_state()
    no_error(page)
    assert "từ 01/01/2020 đến 10/06/2020" in page.locator("article.report .sub").inner_text()
    assert page.get_by_label("Đến", exact=True).input_value() == "10/06/2020"  # shown as typed
    page.select_option("#f-preset", label="Năm 2019")
    assert page.get_by_label("Từ", exact=True).input_value() == ""
    page.get_by_role("button", name="Xem báo cáo").click()
    page.wait_for_load_state()
    assert "từ 01/01/2019 đến 31/12/2019" in page.locator("article.report .sub").inner_text()

    nav(page, "Theo dõi")
    no_error(page)
    pick_unit(page, "#f-unit_id", "Hàm Trí")
    page.select_option("#f-year", label="Năm 2020")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_load_state()
    no_error(page)
    assert page.locator("h1").inner_text().endswith("Hàm Trí")
    assert page.locator("#f-year").input_value() == "2020"
    assert "Năm 2020" in page.locator("#parts").inner_text()
    shot(page, "manager-dashboard-ham-tri-2020")
    # And back to "this year", the picker's blank default (it answered 422 before).
    page.select_option("#f-year", label="Năm nay (đến hôm nay)")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_load_state()
    no_error(page)
    assert page.locator("h1").inner_text().endswith("Hàm Trí")
