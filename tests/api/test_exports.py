"""Exports of every list: the list's filters and scope, a denouncer hidden below manager, CSV
that Excel opens in Vietnamese, and nothing a spreadsheet would run as a formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from app.enums import Role
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
    assert [w["name"] for w in works] == ["'=HYPERLINK(\"http://x\",\"bấm\")"]  # guarded, and no Hàm Liêm
    assert works[0]["total_cost_vnd"] == "1500000"
    gifts = _csv(clerk.get(f"{API}/contributions.csv", params={"date_from": "2022-01-01"}))
    assert [g["amount_vnd"] for g in gifts] == ["3000000"]
    assert "attachment" in clerk.get(f"{API}/contributions.csv").headers["content-disposition"]
    assert clerk.get(f"{API}/contributions.csv", params={"date_from": "hôm qua"}).status_code == 422


def test_a_denouncer_stays_hidden_in_exports(make_user, tree):
    clerk, manager = make_user(Role.clerk, "T-HT"), make_user(Role.manager, "T-HT")
    assert _csv(clerk.get(f"{API}/petitions.csv"))[0]["petitioner_name"] == ""
    assert "Phạm Văn Tố" not in clerk.get(f"{API}/petitions.xlsx").content.decode("latin-1")
    assert _csv(manager.get(f"{API}/petitions.csv"))[0]["petitioner_name"] == "Phạm Văn Tố"


def test_xlsx_holds_typed_values_and_no_formula(make_user, tree):
    clerk = make_user(Role.clerk, "T-HT")
    r = clerk.get(f"{API}/works.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, first = rows[0], dict(zip(rows[0], rows[1]))
    assert "name" in header and len(rows) == 2
    assert first["name"] == "=HYPERLINK(\"http://x\",\"bấm\")"
    assert sheet.cell(row=2, column=header.index("name") + 1).data_type == "s"  # text, not formula
    assert first["total_cost_vnd"] == 1_500_000
    assert first["completed_date"].year == 2018  # a real date
