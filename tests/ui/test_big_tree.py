"""The pages with a country-sized tree (tests/bigtree.py, 9 660 units): no page carries every
unit. Each page stays under 150 KB (with the country's 14 149 units as a <select>, the
dashboard was 0.94 MB, the contributions page 1.85 MB, the tree 6.96 MB); the unit pickers
search, with and without script, and show where each unit lies."""

import re

import httpx
import pytest

from app.enums import Role
from tests.bigtree import load_country

LIMIT = 150_000
HX = {"HX-Request": "true"}


@pytest.fixture
def country(engine):
    return load_country(engine)


@pytest.fixture
def admin(sign_in, country) -> httpx.Client:
    return sign_in("quantri", Role.admin, None)


def _size(client: httpx.Client, url: str) -> int:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    return len(r.content)


@pytest.mark.parametrize("url", [
    "/dashboard", "/reports/summary", "/contributions", "/contributions/new", "/units",
    "/works", "/petitions", "/land-donations", "/models", "/users", "/api-tokens", "/screens",
])
def test_no_page_carries_the_whole_tree(admin, url):
    assert _size(admin, url) < LIMIT


def test_the_tree_opens_one_level_at_a_time(admin, country):
    page = admin.get("/units").text
    assert page.count('<tr id="units-') == 60  # the provinces, closed
    assert "Bấm ▸ để mở" in page and "9.660 đơn vị" in page
    province = int(re.search(r'<tr id="units-(\d+)"', page).group(1))
    # With script: the level under a province, as rows.
    level = admin.get(f"/units/level?parent={province}&depth=1", headers=HX).text
    assert level.count('<tr id="units-') == 10 and "<html" not in level
    # Without script: the page opened at a commune shows the levels down to it, and no more.
    commune = country["phu_long"][0]
    opened = admin.get(f"/units?open={commune}")
    assert opened.status_code == 200 and len(opened.content) < LIMIT
    assert opened.text.count('<tr id="units-') == 60 + 10 + 15
    assert f'id="units-{commune}"' in opened.text


def test_a_level_of_hundreds_comes_a_page_at_a_time(sign_in, engine):
    load_country(engine, provinces=1, new_provinces=1, new_communes=250)
    admin = sign_in("quantri", Role.admin, None)
    page = admin.get("/units").text
    province = int(re.search(r'<tr id="units-(\d+)"[^>]*>\s*(?:<td class="tick">[^<]*</td>)?\s*<td[^>]*><a class="toggle" href="/units\?open=\d+" '
                             r'hx-get="/units/level\?parent=(\d+)&amp;depth=1"[^>]*>▸ 250<', page).group(2))
    first = admin.get(f"/units/level?parent={province}&depth=1", headers=HX).text
    assert first.count('<tr id="units-') == 100 and "Xem tiếp 101–200 / 250 đơn vị" in first
    last = admin.get(f"/units/level?parent={province}&depth=1&offset=200", headers=HX).text
    assert last.count('<tr id="units-') == 50 and "Xem tiếp" not in last
    # Without script: the same pages, by links.
    opened = admin.get(f"/units?open={province}&offset=100").text
    assert opened.count('<tr id="units-') == 2 + 100 and "Xem tiếp 201–250 / 250" in opened


def test_the_filter_finds_a_commune_without_script(admin, country):
    page = admin.get("/contributions?unit_id_q=phu+long&_pick=unit_id").text
    found = re.findall(r'<input type="radio" name="unit_id" value="(\d+)"', page)
    assert found and int(found[0]) in country["phu_long"]
    assert "Phú Long</strong>" in page and " › " in page  # with its province and district
    assert 'value="phu long"' in page  # what was typed stays


def test_the_picker_answers_as_one_types(admin, country):
    r = admin.get("/units/pick", params={"field": "unit_id", "prefix": "f-", "unit_id_q": "Phú Long",
                                         "date_field": "date", "date": "05/02/2026"}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    first = re.search(r'value="(\d+)"> <strong>([^<]+)</strong> <span class="muted">([^<]+)</span>',
                      r.text)
    assert first and int(first.group(1)) in country["phu_long"] and first.group(2) == "Phú Long"
    assert "Tỉnh " in first.group(3)
    # Units in force on the record's date first (tests/services/test_unit_search.py: the
    # ended communes of the name come after those in force).
    assert "hiệu lực" not in first.group(3)
    # Searching again with one of them chosen: the count still counts the chosen one.
    again = admin.get("/units/pick", params={
        "field": "unit_id", "prefix": "f-", "unit_id_q": "Phú Long", "unit_id": first.group(1),
        "date_field": "date", "date": "05/02/2026"}, headers=HX)
    shown = len(re.findall(r'<input type="radio" name="unit_id" value="\d+"', again.text))
    assert f"{shown} đơn vị khớp" in again.text



def test_the_entry_form_searches_without_saving_then_saves(admin, country):
    form = {"unit_id_q": "phu long", "_pick": "unit_id", "source": "people", "kind": "cash",
            "amount_vnd": "1.500.000", "date": "05/02/2026", "contributor_name": "Nguyễn Văn An"}
    r = admin.post("/contributions", data=form)
    assert r.status_code == 200 and "Đã lưu" not in r.text
    assert 'value="1.500.000"' in r.text and 'value="phu long"' in r.text
    unit = int(re.findall(r'<input type="radio" name="unit_id" value="(\d+)"', r.text)[0])
    assert unit in country["phu_long"]
    form.pop("_pick")
    saved = admin.post("/contributions", data={**form, "unit_id": str(unit)}, headers=HX)
    assert saved.status_code == 200 and "Đã lưu khoản đóng góp" in saved.text, saved.text[:2000]


def test_a_clerk_searches_only_their_subtree(sign_in, country):
    clerk = sign_in("canbo", Role.clerk, "P00")
    r = clerk.get("/units/pick", params={"field": "unit_id", "unit_id_q": "phu long"}, headers=HX)
    ids = {int(i) for i in re.findall(r'value="(\d+)"', r.text)}
    assert ids and ids <= set(country["phu_long"])
    assert "Tỉnh Bình Long" in r.text  # P00's name: every hit lies in the clerk's province


@pytest.mark.parametrize(("path", "form"), [
    ("/users", {"username": "canbo.moi", "full_name": "Cán bộ mới", "role": "clerk",
                "password": "mat-khau-dai-1"}),
    ("/api-tokens", {"name": "Cổng tỉnh", "scope": "read"}),
    ("/screens", {"name": "Màn hình hội trường"}),
])
def test_find_on_the_other_forms_saves_nothing(admin, country, path, form):
    before = admin.get(path).text.count("<tr")
    r = admin.post(path, data={**form, "unit_id_q": "phu long", "_pick": "unit_id"})
    assert r.status_code == 200, r.text[:1000]
    found = re.findall(r'<input type="radio" name="unit_id" value="(\d+)"', r.text)
    assert found and int(found[0]) in country["phu_long"]
    assert 'value="phu long"' in r.text and "mat-khau-dai-1" not in r.text
    assert admin.get(path).text.count("<tr") == before  # nothing was saved
