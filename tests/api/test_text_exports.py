"""A row that holds a character no document can hold (stored before the input rules, or
written around the API) still exports: every writer of a .xlsx, .docx or .csv cleans what it
writes (app.vn.printable). Before, one such row made every document covering it answer 500,
the admin's whole-province export too."""

import io

import docx
import openpyxl
import pytest
from sqlalchemy import text

from app.enums import Role
from tests.api.helpers import API, CONTRIBUTIONS, create
from tests.conftest import TEST_URL
from tests.api.test_issued_reports import ISSUE

# PostgreSQL cannot store NUL at all; SQLite can, so it is tried there too.
STORED = ("\x05", "\x1f") if TEST_URL.startswith("postgresql") else ("\x00", "\x05", "\x1f")


def _around_the_api(db, sql: str, **values: str) -> None:
    with db() as s:
        s.execute(text(sql), values)


@pytest.fixture(params=STORED, ids=lambda c: f"U+{ord(c):04X}")
def spoiled(request, api, db, tree):
    """A contribution and the province's name, each holding the character."""
    char = request.param
    made = create(api, CONTRIBUTIONS, CONTRIBUTIONS.body(tree.lam_giang))
    _around_the_api(db, "UPDATE contribution SET contributor_name = :v, note = :v WHERE id = :id",
                    v=f"Trần{char}Văn Tư", id=str(made["id"]))
    _around_the_api(db, "UPDATE unit SET name = :v WHERE id = :id", v=f"Bình{char}Thuận",
                    id=str(tree.province))
    return char


def _cells(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells
             for p in c.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_list_exports(api, spoiled):
    r = api.get(f"{API}/contributions.xlsx")
    assert r.status_code == 200, r.text
    assert "TrầnVăn Tư" in _cells(r.content)
    r = api.get(f"{API}/contributions.csv")
    assert r.status_code == 200, r.text
    assert "TrầnVăn Tư" in r.text and spoiled not in r.text
    r = api.get(f"{API}/units.xlsx")
    assert r.status_code == 200 and "BìnhThuận" in _cells(r.content)


def test_the_whole_province_s_summary(api, tree, spoiled):
    period = {"unit_id": tree.province, "date_from": "2020-01-01", "date_to": "2020-12-31"}
    r = api.get(f"{API}/reports/summary.xlsx", params=period)
    assert r.status_code == 200, r.text
    cells = _cells(r.content)
    assert "TrầnVăn Tư" in cells and "BìnhThuận" in cells
    r = api.get(f"{API}/reports/summary.docx", params=period)
    assert r.status_code == 200, r.text
    assert "BÌNHTHUẬN" in _docx_text(r.content)


def test_an_issued_report_stored_with_one(api, db, tree, spoiled):
    r = api.post(f"{API}/reports/issued", json={**ISSUE, "unit_id": tree.district})
    assert r.status_code == 201, r.text
    _around_the_api(db, "UPDATE issued_report SET signer_name = :v, recipients = :r WHERE id = :id",
                    v=f"Nguyễn{spoiled}Văn A", r=f"Lưu{spoiled}VT", id=str(r.json()["id"]))
    r = api.get(f"{API}/reports/issued/{r.json()['id']}.docx")
    assert r.status_code == 200, r.text
    shown = _docx_text(r.content)
    assert "NguyễnVăn A" in shown and "LưuVT" in shown


def test_the_import_template_lists_the_unit(api, spoiled):
    r = api.get(f"{API}/imports/contributions/template.xlsx")
    assert r.status_code == 200, r.text
    assert "BìnhThuận" in _cells(r.content)


# A NUL makes a .csv a binary file, refused whole (services/sheets.py); an .xlsx cannot carry
# these at all (its reader drops &#5;).
@pytest.mark.parametrize("char", ("\x05", "\x1f"), ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("dry_run", ("true", "false"))
def test_an_import_refuses_it_in_every_text_column(db, make_user, tree, char, dry_run):
    """The import's cells follow the schemas' rule, codes and keys outside them too: a row
    error naming the column, never a 500 nor a stored character."""
    from tests.api.test_imports import HEAD, count, csv_bytes, post

    clerk = make_user(Role.clerk, "T-HT")
    rows = [HEAD,
            ["T-HT", "Nhân dân", "Tiền mặt", "100", None, None, f"Trần{char}Văn", "01/01/2021", None, "DG-1"],
            [f"T-{char}HT", "Nhân dân", "Tiền mặt", "100", None, None, None, "01/01/2021", None, "DG-2"],
            ["T-HT", "Nhân dân", "Tiền mặt", "100", None, f"HT{char}", None, "01/01/2021", None, "DG-3"],
            ["T-HT", "Nhân dân", "Tiền mặt", "100", None, None, None, "01/01/2021", f"ghi{char}", f"DG{char}4"]]
    r = post(clerk, "contributions", csv_bytes(rows, sep=";"), name="dong-gop.csv", dry_run=dry_run)
    assert r.status_code == (200 if dry_run == "true" else 422), r.text
    report = r.json() if dry_run == "true" else r.json()["report"]
    refused = {(e["row"], e["column"]) for e in report["errors"] if "ký tự ẩn" in e["message"]}
    assert refused == {(2, "Người, đơn vị đóng góp"), (3, "Mã đơn vị"), (4, "Mã công trình liên quan"),
                       (5, "Ghi chú"), (5, "Mã tham chiếu")}, report["errors"]
    assert report["applied"] is False
    assert count(db) == 0


def test_a_name_that_reads_like_a_formula_stays_text_in_the_summary(api, tree):
    formula = '=HYPERLINK("http://example.com","Bấm vào đây")'
    create(api, CONTRIBUTIONS, CONTRIBUTIONS.body(tree.lam_giang, contributor_name=formula))
    r = api.get(f"{API}/reports/summary.xlsx",
                params={"unit_id": tree.province, "date_from": "2020-01-01", "date_to": "2020-12-31"})
    assert r.status_code == 200, r.text
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == formula]
    assert cells and all(c.data_type == "s" for c in cells)
