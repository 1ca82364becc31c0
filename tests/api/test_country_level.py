"""The national root: a country unit above the provinces (issue 20), its level rule, its
summary report and documents, and the report page and dashboard an admin opens on it."""

import io

import openpyxl

from docx import Document

from app.enums import Role
from tests.factories import make_contribution, make_tree, make_unit, make_work

U = "/api/v1/units"
PERIOD = {"date_from": "2018-01-01", "date_to": "2018-12-31"}


def _country(api) -> int:
    r = api.post(U, json={"code": "VN", "name": "Việt Nam", "level": "country",
                          "kind": "quoc_gia"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _two_provinces_under_a_country(api, db):
    """Việt Nam → Bình Thuận (T-…) and Lâm Đồng (L-…), each with its district, communes and
    villages; the provinces are put under the country through the API."""
    with db() as s:  # the provinces first: the country is not the first root by its id
        a, b = make_tree(s, "T"), make_tree(s, "L")
    country = _country(api)
    for tree in (a, b):
        r = api.patch(f"{U}/{tree.province}", json={"parent_id": country})
        assert r.status_code == 200, r.text
        assert r.json()["parent_id"] == country
    return country, a, b


def test_a_country_root_above_two_provinces(api, db):
    country, a, b = _two_provinces_under_a_country(api, db)
    r = api.get(U, params={"parent_id": country})
    assert r.status_code == 200
    assert sorted(u["id"] for u in r.json()["items"]) == sorted([a.province, b.province])
    # A province may also be created under the country directly.
    r = api.post(U, json={"code": "HN", "name": "Hà Nội", "level": "province",
                          "kind": "thanh_pho_tw", "parent_id": country})
    assert r.status_code == 201, r.text
    assert api.get(f"{U}/{country}").json()["level"] == "country"


def test_a_country_under_a_province_is_refused_in_vietnamese(api, db):
    with db() as s:
        tree = make_tree(s)
    r = api.post(U, json={"code": "VN", "name": "Việt Nam", "level": "country",
                          "parent_id": tree.province})
    assert r.status_code == 422, r.text
    errors = {tuple(e["loc"]): e["msg"] for e in r.json()["errors"]}
    assert errors[("body", "level")] == ("Cấp 'Toàn quốc' không thể nằm dưới 'Bình Thuận' "
                                         "(Tỉnh).")
    # Nor under another country, nor can a province become a country while under one.
    country = _country(api)
    r = api.post(U, json={"code": "VN2", "name": "Khác", "level": "country", "parent_id": country})
    assert r.status_code == 422
    r = api.patch(f"{U}/{tree.province}", json={"parent_id": country})
    assert r.status_code == 200
    r = api.patch(f"{U}/{tree.province}", json={"level": "country"})
    assert r.status_code == 422
    # A country with provinces under it cannot become a province.
    r = api.patch(f"{U}/{country}", json={"level": "province"})
    assert r.status_code == 422


def test_the_country_report_adds_both_provinces_once(api, db):
    country, a, b = _two_provinces_under_a_country(api, db)
    with db() as s:
        # An old province under the country too, merged into the first: its commune's work
        # reaches the country both through the old province and through its successor.
        old = make_unit(s, code="OLD", name="Tỉnh cũ", level="province", kind="tinh",
                        parent_id=country, active_to="2025-06-30", merged_into_id=a.province)
        commune = make_unit(s, code="OLD-X", name="Xã cũ", kind="xa", parent_id=old.id,
                            active_to="2025-06-30")  # ends with its province (209beb1)
        make_work(s, unit_id=commune.id, total_cost_vnd=5_000_000)
        make_work(s, unit_id=a.ham_tri, total_cost_vnd=900_000_000)
        make_work(s, unit_id=a.lam_giang, total_cost_vnd=100_000_000)
        make_work(s, unit_id=b.ham_lien, total_cost_vnd=50_000_000)
        make_contribution(s, unit_id=a.ham_tri, amount_vnd=7_000_000)
        make_contribution(s, unit_id=b.district, amount_vnd=3_000_000)

    def figures(unit_id):
        r = api.get("/api/v1/reports/summary", params={"unit_id": unit_id, **PERIOD})
        assert r.status_code == 200, r.text
        body = r.json()
        road = body["works"]["by_category"]["road_concrete"]
        return road["count"], road["total_cost_vnd"], body["contributions"]["by_source"]["people"]

    first, second, whole = figures(a.province), figures(b.province), figures(country)
    assert first == (3, 1_005_000_000, 7_000_000)
    assert second == (1, 50_000_000, 3_000_000)
    assert whole == tuple(x + y for x, y in zip(first, second))


def test_the_country_documents_name_the_country(api, db):
    country, a, _ = _two_provinces_under_a_country(api, db)
    with db() as s:
        make_work(s, unit_id=a.ham_tri)
    r = api.get("/api/v1/reports/summary.docx", params={"unit_id": country, **PERIOD})
    assert r.status_code == 200, r.text
    doc = Document(io.BytesIO(r.content))
    header = "\n".join(c.text for c in doc.tables[0].rows[0].cells)
    # The Central Committee's Ban Dân vận issues it, a Party body, in Hà Nội.
    for expected in ("BAN CHẤP HÀNH TRUNG ƯƠNG", "BAN DÂN VẬN", "ĐẢNG CỘNG SẢN VIỆT NAM",
                     "Số …-BC/BDVTW", "Hà Nội, ngày"):
        assert expected in header, (expected, header)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "trên địa bàn toàn quốc" in body
    assert "TRƯỞNG BAN" in "\n".join(c.text for t in doc.tables for row in t.rows
                                     for c in row.cells)
    state = Document(io.BytesIO(api.get("/api/v1/reports/summary.docx", params={
        "unit_id": country, "kind": "state", **PERIOD}).content))
    header = "\n".join(c.text for c in state.tables[0].rows[0].cells)
    for expected in ("CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: …/BC-CP"):
        assert expected in header, (expected, header)
    # A province under the country keeps its own header, with no "UBND TOÀN QUỐC" above it.
    province = Document(io.BytesIO(api.get("/api/v1/reports/summary.docx", params={
        "unit_id": a.province, "kind": "state", **PERIOD}).content))
    header = "\n".join(c.text for c in province.tables[0].rows[0].cells)
    assert "UBND TỈNH BÌNH THUẬN" in header and "TOÀN QUỐC" not in header
    x = api.get("/api/v1/reports/summary.xlsx", params={"unit_id": country, **PERIOD})
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert "toàn quốc" in wb["Tổng hợp"]["A1"].value


def test_an_admin_opens_the_report_and_the_dashboard_on_the_country(api, db, sign_in):
    with db() as s:  # a root of its own before the country (as an old province left at the top)
        make_unit(s, code="OLD", name="Tỉnh cũ", level="province", kind="tinh")
    country, a, _ = _two_provinces_under_a_country(api, db)
    browser = sign_in("quantri", Role.admin, None)
    page = browser.get("/reports/summary")
    assert page.status_code == 200, page.text
    assert f"unit_id={country}&" in page.text
    assert "trên địa bàn toàn quốc" in page.text or "Việt Nam" in page.text
    dash = browser.get("/dashboard")
    assert dash.status_code == 200
    assert f"unit_id={country}" in dash.text
    # The API's report defaults the same way.
    assert api.get("/api/v1/reports/summary").json()["unit"]["id"] == country


def test_without_a_country_the_admin_opens_the_first_root_as_before(api, db, sign_in):
    with db() as s:
        tree = make_tree(s)
    _country(api)
    _country_two = api.post(U, json={"code": "VN2", "name": "Quốc gia khác", "level": "country"})
    assert _country_two.status_code == 201
    # Two country roots: no single country to open, so the first root in force, as before.
    assert api.get("/api/v1/reports/summary").json()["unit"]["id"] == tree.province


def test_the_enums_list_the_country(api):
    body = api.get("/api/v1/meta/enums").json()
    labels = {(e["code"], e["vi"]) for entries in body.values() for e in entries}
    assert ("country", "Toàn quốc") in labels and ("quoc_gia", "Quốc gia") in labels
