"""The report page over the demo: figures printed the Vietnamese way, each a link to the list
of the records behind it, and the league table adding up to the unit's figure."""

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import carry_csrf
from tests.demo import ADMIN, ADMIN_PASSWORD, _clean, demo_loaded  # noqa: F401


@pytest.fixture(scope="module")
def browser(server: str, demo_loaded: None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as client:
        r = client.post("/login", data={"username": ADMIN, "password": ADMIN_PASSWORD})
        assert r.status_code == 303
        carry_csrf(client)
        yield client


@pytest.fixture(scope="module")
def district_id(engine, demo_loaded: None) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM unit WHERE code = 'BTH.HTB'")).scalar_one()


@pytest.fixture(scope="module")
def page(browser: httpx.Client, district_id: int) -> str:
    r = browser.get("/reports/summary", params={"unit_id": district_id, "preset": "2016-2020"})
    assert r.status_code == 200
    return r.text


def test_figures_are_printed_the_vietnamese_way(page: str) -> None:
    for text in ("1.823</a>/", "1.827</a>", "99,78%", "126,8 km", "71,66 tỷ đồng", "17,5 ha",
                 "11/11 chỉ tiêu", "15,75 tỷ đồng", "19.500 lượt người", "155,3 km"):
        assert text in page, text
    assert "Hàm Chính, Hàm Hiệp, Hàm Liêm, Thuận Minh, Hàm Thắng" in page


def _count(html: str) -> int:
    return int(re.search(r"([\d.]+) bản ghi", html).group(1).replace(".", ""))


def test_each_petition_figure_links_to_exactly_its_records(browser, page: str) -> None:
    for figure, expected in (("resolved", 1823), ("in_competence", 1827), ("carried_over", 12),
                             ("received", 1862)):
        href = re.search(rf'href="(/petitions\?[^"]*figure={figure}[^"]*)"', page).group(1)
        assert _count(browser.get(href.replace("&amp;", "&")).text) == expected


def test_road_figure_links_to_the_roads(browser, page: str) -> None:
    href = re.search(r'href="(/works\?[^"]*category=road_concrete&amp;category=road_other)"', page)
    listing = browser.get(href.group(1).replace("&amp;", "&")).text
    assert _count(listing) == 149 + 173


def test_league_rows_add_up_to_the_unit(page: str) -> None:
    league = page[page.index("Bảng so sánh"):]
    rows = re.findall(r"<tr><td><a href=\"/reports/summary\?unit_id=\d+[^>]*>([^<]+)</a>", league)
    assert len(rows) == 18  # 17 communes and the district's own petitions
    assert "<th>Cộng</th><th class=\"num\">293</th>" in league


def test_league_rate_stands_beside_what_it_is_the_rate_of(page: str) -> None:
    """The cases within competence, then the resolved: the rate can be checked (1.823/1.827)."""
    league = page[page.index("Bảng so sánh"):]
    head = re.findall(r"<th[^>]*>([^<]+)</th>", league[:league.index("</thead>")])
    assert head[6:10] == ["Đơn nhận", "Thuộc thẩm quyền", "Đã giải quyết", "Tỷ lệ"]
    assert ('<th class="num">1.827</th><th class="num">1.823</th><th class="num">99,78%</th>'
            in league)


def test_comparison_shows_both_periods(browser, district_id: int) -> None:
    r = browser.get("/reports/summary", params={"unit_id": district_id, "preset": "2016-2020",
                                                "compare": "2021-2025"})
    assert "So sánh hai kỳ" in r.text and "01/01/2021 – 31/12/2025" in r.text


def test_bad_period_is_a_clear_error(browser, district_id: int) -> None:
    r = browser.get("/reports/summary", params={"unit_id": district_id, "date_from": "2020-01-01",
                                                "date_to": "2019-01-01"})
    assert r.status_code == 422
    assert "Ngày đầu kỳ phải trước" in r.text


def test_dates_typed_day_first_in_the_address_are_read_as_on_every_page(browser, district_id: int) -> None:
    """A link or a bookmark with 01/01/2020 reads as the list pages read it, and its documents
    too; a date not on the calendar says so in Vietnamese."""
    typed = {"unit_id": district_id, "date_from": "01/01/2020", "date_to": "31/12/2020"}
    r = browser.get("/reports/summary", params=typed)
    assert r.status_code == 200, r.text[:500]
    assert "từ 01/01/2020 đến 31/12/2020" in r.text
    iso = browser.get("/reports/summary", params={**typed, "date_from": "2020-01-01",
                                                  "date_to": "2020-12-31"})
    assert _figures(iso.text) == _figures(r.text)
    assert browser.get("/reports/summary.xlsx", params=typed).status_code == 200
    bad = browser.get("/reports/summary", params={**typed, "date_to": "31/02/2020"})
    assert bad.status_code == 422 and "không có trên lịch" in bad.text


def _figures(html: str) -> list[str]:
    """The report's figures as printed (their links' text), in the page's order."""
    found = [re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r'<td class="num">(.*?)</td>', html, re.S)]
    assert any(found), "no figure on the page"
    return found


def test_issue_form_offers_both_layouts_with_the_units_chosen(page: str) -> None:
    form = page[page.index('action="/reports/issued"'):]
    assert re.search(r'<option value="party" selected>Cơ quan Đảng', form)
    assert '<option value="state" >Cơ quan nhà nước' in form
    assert ">HUYỆN ỦY HÀM THUẬN BẮC\nBAN DÂN VẬN</textarea>" in form  # parent body first
    assert ">Như trên\nLưu: VT</textarea>" in form
    assert "kind=party" in page and "kind=state" in page  # the two downloads


def test_page_downloads_open_as_word_and_excel(browser, page: str) -> None:
    for ext, magic in (("docx", b"PK"), ("xlsx", b"PK")):
        href = re.search(rf'href="(/reports/summary\.{ext}\?[^"]+)"', page).group(1)
        r = browser.get(href.replace("&amp;", "&"))
        assert r.status_code == 200 and r.content[:2] == magic
        assert r.headers["content-disposition"].endswith(f'.{ext}"')


def test_issue_from_the_page_then_see_changes(browser, district_id: int) -> None:
    r = browser.post("/reports/issued", data={
        "unit_id": district_id, "date_from": "2016-01-01", "date_to": "2020-12-31",
        "number": "45-BC/BDVHU", "issuer": "HUYỆN ỦY HÀM THUẬN BẮC\nBAN DÂN VẬN",
        "place": "Hàm Thuận Bắc", "issued_on": "2021-02-05", "signer_title": "TRƯỞNG BAN",
        "signer_name": "Nguyễn Văn A", "recipients": "Ban Dân vận Tỉnh ủy\nLưu VT"})
    assert r.status_code == 303
    page = browser.get(r.headers["location"]).text
    assert "45-BC/BDVHU" in page and "ngày 05 tháng 02 năm 2021" in page
    assert "vẫn đúng như khi ban hành" in page
    docx = browser.get(r.headers["location"] + ".docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "thể thức cơ quan Đảng" in page  # a district's Ban Dân vận, by default
    state = browser.post("/reports/issued", data={
        "unit_id": district_id, "date_from": "2016-01-01", "date_to": "2020-12-31",
        "number": "46/BC-UBND", "issuer": "UBND TỈNH BÌNH THUẬN\nUBND HUYỆN HÀM THUẬN BẮC",
        "place": "Hàm Thuận Bắc", "issued_on": "2021-02-05", "kind": "state",
        "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "signer_name": "Nguyễn Văn A"})
    assert "thể thức cơ quan nhà nước" in browser.get(state.headers["location"]).text
    text = browser.get(state.headers["location"] + ".docx").content
    assert b"PK" == text[:2]
    missing = browser.post("/reports/issued", data={"unit_id": district_id, "date_from": "2016-01-01",
                                                    "date_to": "2020-12-31", "number": ""})
    assert missing.status_code == 422 and "Số văn bản" in missing.text


def test_the_page_opens_on_the_first_phase_and_the_api_on_this_year(browser, district_id: int, server) -> None:
    assert "từ 01/01/2016 đến 31/12/2020" in browser.get("/reports/summary",
                                                       params={"unit_id": district_id}).text
    from datetime import date

    from tests.conftest import login
    from tests.demo import ADMIN, ADMIN_PASSWORD

    api = login(server, ADMIN, ADMIN_PASSWORD)
    body = api.get("/api/v1/reports/summary", params={"unit_id": district_id}).json()
    assert body["date_from"] == f"{date.today().year}-01-01"
