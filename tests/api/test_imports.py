"""Import through the API: a clerk's workbook with mistakes, a dry run, the real run, the same
file twice, an export read back, references by code, and files that must be refused."""

import io
from datetime import date
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.db.audit import AuditEntry
from app.db.contributions import Contribution
from app.enums import Role
from app.services import audit
from app.services import rollups
from tests.api.helpers import PROBLEM
from tests.factories import make_tree, make_work

URL = "/api/v1/imports"
HEAD = ["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Ngày công", "Mã công trình liên quan",
        "Người, đơn vị đóng góp", "Ngày", "Ghi chú", "Mã tham chiếu"]


def xlsx(rows: list[list[Any]], *, title_rows: int = 0, merge: str | None = None,
         formula_at: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append(["BẢNG TỔNG HỢP ĐÓNG GÓP NĂM 2021"])
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula_at:
        sheet[formula_at] = "=SUM(D2:D3)"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], sep: str = ",", encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(sep.join("" if c is None else str(c) for c in r) for r in rows).encode(encoding)


def post(client: httpx.Client, resource: str, content: bytes, name: str = "dong-gop.xlsx",
         **params: Any) -> httpx.Response:
    return client.post(f"{URL}/{resource}", params=params, files={"file": (name, content)})


@pytest.fixture
def tree(db: Any) -> Any:
    with db() as s:
        t = make_tree(s)
        make_work(s, unit_id=t.ham_tri, name="Đường thôn Lâm Giang", code="HT-DUONG-01",
                  completed_date=date(2021, 6, 1))
    return t


def count(db: Any) -> int:
    with db() as s:
        return s.exec(select(func.count()).select_from(Contribution)).scalar_one()


def good_rows() -> list[list[Any]]:
    return [HEAD,
            ["T-HT", "Nhân dân", "Tiền mặt", "1.500.000", None, "HT-DUONG-01", "Nguyễn Văn A",
             "05/02/2021", "đợt 1", "DG-001"],
            ["T-LG", "people", "cash", 2_000_000, None, None, "Trần Thị B", date(2021, 3, 8), None, "DG-002"],
            ["t-ht", "Doanh nghiệp", "Ngày công", None, "12,5", None, "Công ty X", "2021-04-01", None, "DG-003"]]


def test_options_as_fields_of_the_form(tree: Any, db: Any, make_user: Any) -> None:
    """dry_run and source sent as form fields beside the file, as many clients do, count as
    in the query; sent both ways with two values, refused before anything is read."""
    clerk = make_user(Role.clerk, "T-HT")
    body = xlsx(good_rows())

    def send(params: dict[str, str], data: dict[str, str]) -> httpx.Response:
        return clerk.post(f"{URL}/contributions", params=params, data=data,
                          files={"file": ("dong-gop.xlsx", body)})

    dry = send({}, {"dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["applied"] is False, dry.text
    assert count(db) == 0
    both = send({"dry_run": "true"}, {"dry_run": "false"})
    assert both.status_code == 422 and both.json()["errors"][0]["loc"] == ["query", "dry_run"]
    assert count(db) == 0
    assert send({"dry_run": "true"}, {"dry_run": "true"}).json()["applied"] is False
    bad = send({}, {"source": "có dấu"})
    assert bad.status_code == 422 and count(db) == 0
    real = send({}, {"source": "tinh.ht"})
    assert real.status_code == 200 and real.json()["created"] == 3, real.text
    assert {i["external_source"] for i in clerk.get("/api/v1/contributions").json()["items"]} == {"tinh.ht"}


def test_dry_run_then_real_run_then_again(tree: Any, db: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    body = xlsx(good_rows(), title_rows=2)
    dry = post(clerk, "contributions", body, dry_run="true")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["ok"], report["applied"], report["created"], report["rows"]) == (True, False, 3, 3)
    assert count(db) == 0
    real = post(clerk, "contributions", body)
    assert real.status_code == 200, real.text
    assert (real.json()["created"], real.json()["applied"]) == (3, True)
    assert count(db) == 3
    again = post(clerk, "contributions", body)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 3)
    assert count(db) == 3
    items = clerk.get("/api/v1/contributions", params={"sort": "date"}).json()["items"]
    assert [i["amount_vnd"] for i in items] == [1_500_000, 2_000_000, None]
    assert items[0]["work_id"] is not None and items[0]["external_id"] == "DG-001"
    assert items[2]["labor_days"] == 12.5 and items[2]["kind"] == "labor"
    with db() as s:
        assert audit.verify(s)[1] is None
        n = s.exec(select(func.count()).select_from(AuditEntry)
                   .where(AuditEntry.resource == "contributions")).scalar_one()
        assert n == 3
        assert rollups.differences(s) == []


def test_bad_rows_are_all_reported_and_nothing_saved(tree: Any, db: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    rows = good_rows() + [
        ["T-XX", "Nhân dân", "Tiền mặt", "100", None, None, None, "01/01/2021", None, "DG-004"],
        ["T-HL", "Nhân dân", "Tiền mặt", "100", None, None, None, "01/01/2021", None, "DG-005"],
        ["T-HT", "Nhân dân", "Tiền mặt", "12abc", None, None, None, "31/02/2021", None, "DG-006"],
        ["T-HT", "Nhân dân", "Tiền mặt", "100", None, None, None, "hôm qua", None, "DG-001"],
        ["T-HT", "Nguồn lạ", "Tiền mặt", "100", None, "KHONG-CO", None, "01/01/2021", None, "DG-008"],
    ]
    r = post(clerk, "contributions", xlsx(rows))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    problem = r.json()
    by_row: dict[int, list[str]] = {}
    for e in problem["errors"]:
        by_row.setdefault(e["loc"][1], []).append(f'{e["loc"][2]}: {e["msg"]}')
    assert set(by_row) == {5, 6, 7, 8, 9}, by_row
    assert "Không có đơn vị mã 'T-XX'" in " ".join(by_row[5])
    assert "ngoài phạm vi" in " ".join(by_row[6])
    assert any(m.startswith("Số tiền (đồng)") for m in by_row[7])
    assert any("không có trên lịch" in m for m in by_row[7])
    assert any("trùng" in m for m in by_row[8]) and any(m.startswith("Ngày:") for m in by_row[8])
    assert any(m.startswith("Nguồn") for m in by_row[9]) and any("KHONG-CO" in m for m in by_row[9])
    assert problem["report"]["applied"] is False
    assert count(db) == 0


def test_export_reads_back_to_the_same_records(tree: Any, db: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    assert post(clerk, "contributions", xlsx(good_rows())).status_code == 200
    before = clerk.get("/api/v1/contributions").json()["items"]
    for kind in ("csv", "xlsx"):
        exported = clerk.get(f"/api/v1/contributions.{kind}")
        assert exported.status_code == 200
        r = post(clerk, "contributions", exported.content, name=f"xuat.{kind}")
        assert r.status_code == 200, r.text
        assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 0, 3)
    assert clerk.get("/api/v1/contributions").json()["items"] == before


def test_edited_export_updates(tree: Any, db: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    assert post(clerk, "contributions", xlsx(good_rows())).status_code == 200
    text = clerk.get("/api/v1/contributions.csv").content.decode("utf-8-sig")
    text = text.replace("1500000", "1750000")
    r = post(clerk, "contributions", text.encode("utf-8-sig"), name="sua.csv")
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["unchanged"]) == (1, 2)
    amounts = sorted(i["amount_vnd"] or 0 for i in clerk.get("/api/v1/contributions").json()["items"])
    assert amounts == [0, 1_750_000, 2_000_000]


@pytest.mark.parametrize("content,name,status,words", [
    (b"", "trong.csv", 422, "Tệp trống"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "cu.xls", 415, ".xls"),
    (b"%PDF-1.4 hello", "bao-cao.pdf", 415, ".xlsx, .xls), OpenDocument (.ods)"),
    # bytes of a TCVN3 (ABC) file saved as "CSV" by an old Excel: not UTF-8 at all
    (b"M\xe3 \xae\xa1n v\xfb,Ngu\xe5n\r\nT-HT,Nh\xa9n d\xa9n\r\n", "a.csv", 422, "UTF-8"),
    ("Mã đơn vị,Nguồn,Hình thức,Ngày\r\nT-HT,Nh©n d©n,TiÒn mÆt,01/01/2021\r\n".encode("utf-8"),
     "tcvn3.csv", 422, "TCVN3"),
    ("Mã đơn vị,Nguồn,Hình thức,Ngày\r\nT-HT,Nhaân daân,Tieàn maët,01/01/2021\r\n".encode("utf-8"),
     "vni.csv", 422, "VNI"),
    ("Mã đơn vi,Nguon tien,Hình thức,Ngày\r\nT-HT,Nhân dân,Tiền mặt,01/01/2021\r\n".encode("utf-8"),
     "sai-tieu-de.csv", 422, "Nguồn"),
    ("Mã đơn vị,Hình thức\r\nT-HT,Tiền mặt\r\n".encode("utf-8"), "thieu.csv", 422, "Thiếu cột bắt buộc"),
    ("Mã đơn vị,Nguồn,Hình thức,Ngày\r\n".encode("utf-8"), "chi-tieu-de.csv", 422, "không có dòng dữ liệu"),
])
def test_files_refused_whole(tree: Any, db: Any, make_user: Any, content: bytes, name: str,
                             status: int, words: str) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    r = post(clerk, "contributions", content, name=name)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert words in r.json()["detail"], r.json()["detail"]
    assert count(db) == 0


def test_formula_and_merged_cells(tree: Any, db: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    r = post(clerk, "contributions", xlsx(good_rows(), formula_at="D3", merge="G3:H3"))
    assert r.status_code == 422, r.text
    messages = " ".join(e["msg"] for e in r.json()["errors"])
    assert "công thức" in messages and "ô gộp" in messages
    assert count(db) == 0


def test_an_ods_file(tree: Any, db: Any, make_user: Any) -> None:
    """An OpenDocument sheet (LibreOffice's, which commune offices send): typed cells read as
    a workbook's are; the same file twice creates nothing new; its formulas and merged cells
    are refused as an .xlsx's are."""
    from tests.workbooks import ods

    clerk = make_user(Role.clerk, "T-HT")
    r = post(clerk, "contributions", ods(good_rows(), sheets=("Hướng dẫn", "Dữ liệu")), name="dong-gop.ods")
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["errors"]) == (3, [])
    r = post(clerk, "contributions", ods(good_rows()), name="dong-gop.ods")
    assert (r.json()["created"], r.json()["unchanged"]) == (0, 3), r.text
    rows = good_rows()
    rows[2][3] = "=D2*2"
    r = post(clerk, "contributions", ods(rows, merged={(1, 6): (2, 1)}), name="sai.ods")
    assert r.status_code == 422, r.text
    errors = {(e["loc"][1], e["msg"][:20]) for e in r.json()["errors"]}
    assert (3, "Ô có công thức: hãy ") in errors and (2, "Vùng G2:G3 là ô gộp ") in errors, errors
    assert count(db) == 3


def test_semicolon_csv_and_stray_spaces(tree: Any, db: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    rows = [HEAD[:4] + ["Ngày"],
            ["T-HT", "Nhân dân", "Tiền mặt", " 1 500 000 ", "5/2/2021"]]
    r = post(clerk, "contributions", csv_bytes(rows, sep=";"), name="a.csv")
    assert r.status_code == 200, r.text
    assert clerk.get("/api/v1/contributions").json()["items"][0]["amount_vnd"] == 1_500_000


def test_viewer_and_read_only_token_cannot_import(tree: Any, make_user: Any) -> None:
    viewer = make_user(Role.viewer, "T-HT")
    r = post(viewer, "contributions", xlsx(good_rows()))
    assert r.status_code == 403


def test_templates(tree: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    for resource in ("models", "works", "contributions", "land-donations", "petitions",
                     "commendations", "targets", "recognitions"):
        r = clerk.get(f"{URL}/{resource}/template.xlsx")
        assert r.status_code == 200
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(r.content))
        headers = [c.value for c in book["Dữ liệu"][1]]
        assert "Mã đơn vị" in headers and "Mã tham chiếu" in headers
        codes = [row[0].value for row in book["Danh mục đơn vị"].iter_rows(min_row=2)]
        assert "T-HT" in codes and "T-HL" not in codes
        # the empty template imports as "no data rows", not as a header problem
        back = post(clerk, resource, r.content, name="mau.xlsx")
        assert back.status_code == 422 and "không có dòng dữ liệu" in back.json()["detail"]
    assert clerk.get(f"{URL}/nope/template.xlsx").status_code == 422


def test_every_sheet_of_a_template_speaks_vietnamese(tree: Any, make_user: Any) -> None:
    """No code of a code list (commune, village, people) and no field name (unit_code) in any
    sheet: a clerk reads labels and headers, and the import reads those back."""
    from openpyxl import load_workbook

    from app.enums import ENUMS
    from app.services.imports import SPECS

    codes = {str(m.value) for e in ENUMS.values() for m in e if m.value != getattr(m, "vi", "")}
    clerk = make_user(Role.clerk, "T-HT")
    for resource, spec in SPECS.items():
        r = clerk.get(f"{URL}/{resource}/template.xlsx")
        assert r.status_code == 200
        fields = {c.name for c in spec.columns}
        for sheet in load_workbook(io.BytesIO(r.content)).worksheets:
            for row in sheet.iter_rows(values_only=True):
                for text in (v.strip() for v in row if isinstance(v, str)):
                    # A cell that is a code (commune) or a field name (name), or a snake_case
                    # word among other words (unit_code); "quan" alone is also Vietnamese.
                    words = set(text.replace(",", " ").replace("(", " ").replace(")", " ").split())
                    snake = {w for w in words if "_" in w} & (codes | fields)
                    assert text not in codes | fields and not snake, (resource, sheet.title, text)


def test_an_export_never_updates_a_newer_record_with_a_reused_id(tree: Any, db: Any,
                                                                 make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    assert post(clerk, "contributions", xlsx(good_rows())).status_code == 200
    exported = clerk.get("/api/v1/contributions.csv").content
    newest = max(i["id"] for i in clerk.get("/api/v1/contributions").json()["items"])
    assert clerk.delete(f"/api/v1/contributions/{newest}").status_code == 204
    clerk.post("/api/v1/contributions", json={"unit_id": tree.ham_tri, "source": "people",
                                              "kind": "cash", "amount_vnd": 9, "date": "2021-09-09"})
    r = post(clerk, "contributions", exported, name="cu.csv")
    ids = {i["id"] for i in clerk.get("/api/v1/contributions").json()["items"]}
    if newest in ids:  # SQLite gave the deleted id to the new record: the file must not touch it
        assert r.status_code == 422 and "đã bị xóa" in r.text, r.text
    else:  # PostgreSQL never reuses an id: the row names no record any more
        assert r.status_code == 422 and "Không có khoản đóng góp" in r.text, r.text
    amounts = {i["id"]: i["amount_vnd"] for i in clerk.get("/api/v1/contributions").json()["items"]}
    assert 9 in amounts.values()


def test_a_sheet_without_keys_imports_once(tree: Any, db: Any, make_user: Any) -> None:
    """No Mã tham chiếu column: a row's own values are its key. The same sheet again adds
    nothing; two identical rows in one sheet are named (give each its own key or note)."""
    clerk = make_user(Role.clerk, "T-HT")
    head = ["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Ngày"]
    rows = [head, ["T-HT", "Nhân dân", "Tiền mặt", "1.500.000", "05/02/2021"],
            ["T-LG", "Nhân dân", "Tiền mặt", "2.000.000", "06/02/2021"]]
    assert post(clerk, "contributions", xlsx(rows)).json()["created"] == 2
    # the same values from a CSV, money written another way
    again = post(clerk, "contributions", csv_bytes([head, ["T-HT", "Nhân dân", "Tiền mặt", "1500000",
                                                            "5/2/2021"]]), name="lai.csv")
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1), again.text
    twice = post(clerk, "contributions", xlsx(rows + [rows[2]]))
    assert twice.status_code == 422
    assert "giống hệt dòng 3" in twice.json()["errors"][0]["msg"]
    assert count(db) == 2


def test_a_merged_title_above_the_headers_is_fine(tree: Any, db: Any, make_user: Any) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    r = post(clerk, "contributions", xlsx(good_rows(), title_rows=1, merge="A1:J1"))
    assert r.status_code == 200 and r.json()["created"] == 3, r.text


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_million_rows_refused_before_reading_them(tree: Any, db: Any, make_user: Any,
                                                    kind: str) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    if kind == "csv":  # short lines: 1 000 001 of them fit in 12 MB
        body = ("Mã đơn vị,Nguồn,Hình thức,Ngày\r\n" + "T-HT,a,b,c\r\n" * 1_000_000).encode()
    else:  # a workbook whose sheet says it ends at row 1 000 001 (as Excel writes it)
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Dữ liệu")
        sheet.append(["Mã đơn vị", "Nguồn", "Hình thức", "Ngày"])
        out = io.BytesIO()
        book.save(out)
        import zipfile

        src, fixed = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
        with zipfile.ZipFile(fixed, "w") as dst:
            for name in src.namelist():
                data = src.read(name)
                if name.startswith("xl/worksheets/"):
                    data = data.replace(b"</sheetData>", b'<row r="1000001"><c r="A1000001" '
                                        b't="inlineStr"><is><t>T-HT</t></is></c></row></sheetData>', 1)
                dst.writestr(name, data)
        body = fixed.getvalue()
    r = post(clerk, "contributions", body, name=f"lon.{kind}")
    assert r.status_code == 422, r.text[:300]
    assert "1.000.001" in r.json()["detail"] and "chia thành nhiều tệp" in r.json()["detail"]
    assert count(db) == 0
