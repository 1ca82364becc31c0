"""Exports of every list: the list's filters and scope, a denouncer hidden below manager, CSV
that Excel opens in Vietnamese, and nothing a spreadsheet would run as a formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from app.enums import Role
from app.services import registry
from tests.api import helpers
from tests.factories import make_contribution, make_petition, make_tree, make_work

API = "/api/v1"


@pytest.fixture
def tree(db):
    with db() as s:
        t = make_tree(s)
        make_work(s, unit_id=t.lam_giang, name="=HYPERLINK(\"http://x\",\"bấm\")", total_cost_vnd=1_500_000)
        make_work(s, unit_id=t.ham_lien, name="Đường của Hàm Liêm")
        make_contribution(s, unit_id=t.ham_tri, amount_vnd=2_000_000, date="2021-03-04")
        make_contribution(s, unit_id=t.ham_tri, amount_vnd=3_000_000, date="2022-03-04")
        make_petition(s, unit_id=t.ham_tri, type="denunciation", petitioner_name="Phạm Văn Tố")
    return t


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # the BOM Excel needs
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_follows_the_list_filters_and_scope(make_user, tree):
    clerk = make_user(Role.clerk, "T-HT")
    works = _csv(clerk.get(f"{API}/works.csv"))
    name = "Tên công trình, phần việc"
    assert [w[name] for w in works] == ["'=HYPERLINK(\"http://x\",\"bấm\")"]  # guarded, and no Hàm Liêm
    assert works[0]["Tổng kinh phí (đồng)"] == "1500000"
    gifts = _csv(clerk.get(f"{API}/contributions.csv", params={"date_from": "2022-01-01"}))
    assert [g["Số tiền (đồng)"] for g in gifts] == ["3000000"]
    assert "attachment" in clerk.get(f"{API}/contributions.csv").headers["content-disposition"]
    assert clerk.get(f"{API}/contributions.csv", params={"date_from": "hôm qua"}).status_code == 422


def test_a_list_for_people_speaks_vietnamese(make_user, tree):
    """Labels for headers and codes, the unit's code and name for its id, dates and decimals
    the Vietnamese way, times with their zone in the header."""
    clerk = make_user(Role.clerk, "T-HT")
    gift = _csv(clerk.get(f"{API}/contributions.csv"))[0]
    assert (gift["Mã đơn vị"], gift["Tên đơn vị"]) == ("T-HT", "Hàm Trí")
    assert (gift["Nguồn"], gift["Hình thức"], gift["Ngày"]) == ("Nhân dân", "Tiền mặt", "04/03/2021")
    assert "unit_id" not in gift and "Đơn vị (số hiệu)" not in gift
    assert gift["Tạo lúc (UTC)"].endswith("Z")
    work = _csv(clerk.get(f"{API}/works.csv"))[0]
    assert (work["Khối lượng (km)"], work["Đơn vị tính"]) == ("1,2", "km")  # one measure a column
    assert "Khối lượng" not in work
    assert work["Loại công trình"] == "Đường bê tông xi măng"


def test_a_program_asks_for_field_names(make_user, tree):
    """`columns=fields`: the API's names and JSON values, as exports were before."""
    clerk = make_user(Role.clerk, "T-HT")
    works = _csv(clerk.get(f"{API}/works.csv", params={"columns": "fields"}))
    assert works[0]["total_cost_vnd"] == "1500000" and works[0]["category"] == "road_concrete"
    assert works[0]["unit_id"] == str(tree.lam_giang) and works[0]["quantity"] == "1.2"
    assert clerk.get(f"{API}/works.csv", params={"columns": "codes"}).status_code == 422


def test_a_denouncer_stays_hidden_in_exports(make_user, tree):
    clerk, manager = make_user(Role.clerk, "T-HT"), make_user(Role.manager, "T-HT")
    name = "Người gửi đơn"
    assert _csv(clerk.get(f"{API}/petitions.csv"))[0][name] == ""
    assert "Phạm Văn Tố" not in clerk.get(f"{API}/petitions.xlsx").content.decode("latin-1")
    assert _csv(manager.get(f"{API}/petitions.csv"))[0][name] == "Phạm Văn Tố"
    fields = _csv(clerk.get(f"{API}/petitions.csv", params={"columns": "fields"}))
    assert fields[0]["petitioner_name"] == ""


def test_xlsx_holds_typed_values_and_no_formula(make_user, tree):
    clerk = make_user(Role.clerk, "T-HT")
    r = clerk.get(f"{API}/works.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    name = "Tên công trình, phần việc"
    header, first = rows[0], dict(zip(rows[0], rows[1]))
    assert name in header and len(rows) == 2
    assert first[name] == "=HYPERLINK(\"http://x\",\"bấm\")"
    assert sheet.cell(row=2, column=header.index(name) + 1).data_type == "s"  # text, not formula
    assert first["Tổng kinh phí (đồng)"] == 1_500_000
    assert first["Ngày hoàn thành"].year == 2018  # a real date
    assert first["Mã đơn vị"] == "T-LG" and first["Tạo lúc (UTC)"].year > 2020


# -- read back by the import ---------------------------------------------------------------

def _records(api, tree) -> dict[str, int]:
    """Records of every importable resource, with what an export must carry back unchanged:
    references by code and by id alone, code lists, yes/no, decimals, a denouncer."""
    def post(resource, body):
        r = api.post(f"{API}/{resource}", json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    unit = tree.ham_tri
    for res in helpers.RESOURCES:
        post(res.name, res.body(unit))
    model = post("models", helpers.MODELS.body(unit, name="Mô hình gốc", members=12))
    post("models", helpers.MODELS.body(unit, replicated_from_id=model))
    coded = post("works", helpers.WORKS.body(unit, code="HT-DUONG-01", model_id=model))
    plain = post("works", helpers.WORKS.body(tree.lam_giang, quantity=1.125, measure="m"))
    post("contributions", helpers.CONTRIBUTIONS.body(unit, work_id=coded, labor_days=2.5))
    post("contributions", helpers.CONTRIBUTIONS.body(tree.lam_giang, work_id=plain,
                                                     model_id=None, amount_vnd=None,
                                                     kind="labor", labor_days=12.5))
    # Texts that start like a formula: the CSV guards them with an apostrophe, read back off.
    post("contributions", helpers.CONTRIBUTIONS.body(unit, contributor_name="-Ông Tư",
                                                     note="+84 912 345 678"))
    post("contributions", helpers.CONTRIBUTIONS.body(unit, contributor_name="=HYPERLINK(1)",
                                                     note="@Tổ 3"))
    post("land-donations", helpers.LAND_DONATIONS.body(unit, work_id=plain, households=2,
                                                       value_vnd=1_500_000))
    post("targets", helpers.TARGETS.body(unit, achieved=True, actual_value=100.0))
    post("commendations", helpers.COMMENDATIONS.body(unit, model_id=model, level="province"))
    for kind, name in (("complaint", None), ("denunciation", "Phạm Văn Tố")):
        post("petitions", {"received_date": "2021-03-01", "unit_id": unit, "type": kind,
                           "subject": "Đường làng", "petitioner_name": name, "complex": True})
    return {r.name: len(api.get(f"{API}/{r.name}", params={"limit": 500}).json()["items"])
            for r in registry.RESOURCES if r.importable}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("columns", ["labels", "fields"])
def test_an_export_imports_back_unchanged(make_user, api, db, kind, columns):
    """Every importable resource: its export, sent back as a dry run, changes nothing."""
    with db() as s:
        tree = make_tree(s)
    counts = _records(api, tree)
    for role in (Role.admin, Role.clerk):  # a clerk's file has the denouncer's name empty
        client = api if role is Role.admin else make_user(role, "T-HT")
        for name, n in counts.items():
            if role is Role.clerk and registry.get(name).write_role is Role.manager:
                continue  # units: managers' to write
            exported = client.get(f"{API}/{name}.{kind}", params={"columns": columns})
            assert exported.status_code == 200, exported.text
            r = client.post(f"{API}/imports/{name}", params={"dry_run": "true"},
                            files={"file": (f"xuat.{kind}", exported.content)})
            assert r.status_code == 200, (name, r.text)
            report = r.json()
            assert report["ok"], (name, report["errors"])
            assert (report["created"], report["updated"]) == (0, 0), (name, role, report)
            assert report["unchanged"] == report["rows"] > 0, (name, report)
            if role is Role.admin:
                assert report["rows"] == n, name


@pytest.mark.parametrize("columns", ["labels", "fields"])
def test_rows_read_in_batches_and_set_aside_on_disk_are_the_same(make_user, db, tree,
                                                                  monkeypatch, columns):
    """A list is read a batch at a time and its rows set aside (in a file past a size): a
    measure only a later batch uses still gets its column, and nothing is lost or reordered."""
    from app.services import export_columns, exports

    with db() as s:
        for n in range(4):
            make_work(s, unit_id=tree.ham_tri, name=f"Kênh {n}", quantity=300 + n, measure="m")
        for n in range(5):
            make_contribution(s, unit_id=tree.ham_tri, amount_vnd=1_000_000 + n, date="2023-01-02")
    admin = make_user(Role.admin, "T-BT")
    params = {"columns": columns}
    whole = {name: admin.get(f"{API}/{name}.csv", params=params).content
             for name in ("works", "contributions")}
    monkeypatch.setattr(exports, "BATCH", 2)
    monkeypatch.setattr(export_columns, "SPOOL_BYTES", 50)
    for name, expected in whole.items():
        batched = admin.get(f"{API}/{name}.csv", params=params)
        assert batched.content == expected
    works = _csv(admin.get(f"{API}/works.csv"))
    if columns == "labels":
        assert {"Khối lượng (km)", "Khối lượng (m)"} <= set(works[0])
        assert works[-1]["Khối lượng (m)"] == "303,0" and works[-1]["Khối lượng (km)"] == ""
