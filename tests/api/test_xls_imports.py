"""Real Excel 97–2003 (.xls) files, as commune offices still send them, imported end to end
through the API and `dvk import`: typed cells (dates, numbers), Vietnamese text, a merged
title above the header, the sheet chosen among several, a refused row, a dry run, a damaged
file, the size limit, and text typed in a legacy encoding. (The import page: tests/ui/
test_imports_page.py.)"""

from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.enums import Role
from tests.api.helpers import PROBLEM
from tests.api.test_imports import HEAD, count, post, tree  # noqa: F401  (a fixture)
from tests.workbooks import xls

TITLE = "BẢNG TỔNG HỢP ĐÓNG GÓP XÂY DỰNG NÔNG THÔN MỚI NĂM 2021 - XÃ HÀM TRÍ"


def rows() -> list[list[Any]]:
    """A commune's sheet: dates as Excel dates and as dd/mm/yyyy text, amounts as numbers
    (whole and not), names and notes with every kind of diacritic."""
    return [HEAD,
            ["T-HT", "Nhân dân", "Tiền mặt", 1_500_000, None, "HT-DUONG-01", "Nguyễn Văn Ấn",
             date(2021, 2, 5), "Đợt 1: đường bê tông thôn Lâm Giang", "DG-001"],
            ["T-LG", "Nhân dân", "Tiền mặt", 2_000_000.0, None, None, "Trần Thị Bích Ngọc",
             "08/03/2021", None, "DG-002"],
            ["T-HT", "Doanh nghiệp", "Ngày công", None, 12.5, None, "Công ty TNHH Đức Thịnh",
             date(2021, 4, 1), "góp công đổ bê tông, rải đá", "DG-003"]]


def items(client: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/contributions", params={"sort": "date"}).json()["items"]


@pytest.mark.parametrize("date_format", ["DD/MM/YYYY", "M/D/YY"])  # custom, Excel's built-in 14
def test_an_xls_with_a_merged_title_checked_then_imported(tree: Any, db: Any, make_user: Any,
                                                           date_format: str) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    body = xls(rows(), title=TITLE, date_format=date_format)
    assert body[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2, not a zip: a real .xls
    dry = post(clerk, "contributions", body, name="dong-gop-2021.xls", dry_run="true")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["ok"], report["applied"], report["created"], report["rows"],
            report["errors"]) == (True, False, 3, 3, []), report
    assert count(db) == 0
    real = post(clerk, "contributions", body, name="dong-gop-2021.xls")
    assert real.status_code == 200, real.text
    assert (real.json()["created"], real.json()["applied"]) == (3, True)
    got = items(clerk)
    assert [(i["date"], i["amount_vnd"], i["labor_days"], i["contributor_name"], i["note"],
             i["external_id"]) for i in got] == [
        ("2021-02-05", 1_500_000, None, "Nguyễn Văn Ấn", "Đợt 1: đường bê tông thôn Lâm Giang",
         "DG-001"),
        ("2021-03-08", 2_000_000, None, "Trần Thị Bích Ngọc", None, "DG-002"),
        ("2021-04-01", None, 12.5, "Công ty TNHH Đức Thịnh", "góp công đổ bê tông, rải đá",
         "DG-003")]
    assert got[0]["work_id"] is not None and got[2]["kind"] == "labor"
    again = post(clerk, "contributions", body, name="dong-gop-2021.xls")
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 3), again.text
    assert count(db) == 3


def test_a_refused_row_is_named_by_its_row_and_nothing_is_saved(tree: Any, db: Any,
                                                                make_user: Any) -> None:
    """Rows are numbered as Excel numbers them, the merged title being row 1; one bad row
    and none of the good ones is saved, dry run or not."""
    clerk = make_user(Role.clerk, "T-HT")
    bad = rows()
    bad[2][0] = "T-HL"  # row 4: a commune outside the clerk's
    bad[3][7] = "31/02/2021"  # row 5: no such day
    body = xls(bad, title=TITLE)
    for dry_run in ("true", "false"):
        r = post(clerk, "contributions", body, name="dong-gop.xls", dry_run=dry_run)
        if dry_run == "true":
            assert r.status_code == 200 and not r.json()["ok"], r.text
            found = [(e["row"], e["column"], e["message"]) for e in r.json()["errors"]]
        else:
            assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM), r.text
            assert r.json()["report"]["applied"] is False
            found = [(e["loc"][1], e["loc"][2], e["msg"]) for e in r.json()["errors"]]
        assert found == [(4, "Mã đơn vị", "Đơn vị này nằm ngoài phạm vi đơn vị bạn phụ trách."),
                         (5, "Ngày", "Ngày không hợp lệ: 31/02/2021 không có trên lịch.")], found
        assert count(db) == 0


def test_the_first_visible_data_sheet_is_read(tree: Any, db: Any, make_user: Any) -> None:
    """The rule of book.py: the first visible sheet that is not a template's instructions
    (Hướng dẫn) or lists (Danh mục). A hidden sheet and the sheets after it are not read."""
    clerk = make_user(Role.clerk, "T-HT")
    old = [HEAD, ["T-HT", "Nhân dân", "Tiền mặt", 9, None, None, None, "01/01/2020", None, "CU-1"]]
    later = [HEAD, ["T-HT", "Nhân dân", "Tiền mặt", 7, None, None, None, "01/01/2022", None, "SAU-1"]]
    body = xls(rows(), name="Đợt 1", hidden={"Bản cũ"},
               before=[("Hướng dẫn", [["Mỗi khoản đóng góp một dòng; ngày ghi dd/mm/yyyy."]]),
                       ("Bản cũ", old)],
               after=[("Đợt 2", later), ("Danh mục đơn vị", [["Mã đơn vị", "Tên"], ["T-HT", "Hàm Trí"]])])
    r = post(clerk, "contributions", body, name="nhieu-trang.xls")
    assert r.status_code == 200 and r.json()["created"] == 3, r.text
    assert [i["external_id"] for i in items(clerk)] == ["DG-001", "DG-002", "DG-003"]


def _damaged() -> list[tuple[str, bytes, int, str]]:
    """A real .xls spoilt three ways, with the answer each gets. Blanked, its sector chains
    loop and calamine asks for memory without end: the reader's process is stopped at its
    bound, and the answer says the file needs too much memory, maybe being damaged."""
    good = xls(rows(), title=TITLE)
    damaged = "Tệp .xls bị hỏng hoặc không phải bảng tính"
    return [("cut in half", good[:len(good) // 2], 415, damaged),
            ("only its header", good[:512], 415, damaged),
            ("its sectors blanked", good[:512] + b"\0" * (len(good) - 512), 413,
             "cần hơn 1024 MB bộ nhớ. Một bảng tính nhập liệu không cần lớn như vậy; có thể tệp bị hỏng")]


@pytest.mark.parametrize("how,body,status,words", _damaged(), ids=[d[0] for d in _damaged()])
def test_a_damaged_xls_is_refused_whole(tree: Any, db: Any, make_user: Any, how: str,
                                        body: bytes, status: int, words: str) -> None:
    clerk = make_user(Role.clerk, "T-HT")
    for dry_run in ("true", "false"):
        r = post(clerk, "contributions", body, name="dong-gop.xls", dry_run=dry_run)
        assert r.status_code == status and r.headers["content-type"].startswith(PROBLEM), r.text
        assert words in r.json()["detail"], r.text
        assert "Error" not in r.json()["detail"], r.text  # no reader's class name for a clerk
    assert count(db) == 0


@pytest.mark.parametrize("body", [
    "<html><body><table><tr><td>Mã đơn vị</td><td>Nguồn</td></tr></table></body></html>".encode(),
    '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
    '<Worksheet ss:Name="Sheet1"/></Workbook>'.encode(),
    "Mã đơn vị\tNguồn\tHình thức\tNgày\r\nT-HT\tNhân dân\tTiền mặt\t01/01/2021\r\n".encode("utf-16"),
], ids=["a web page", "Excel 2003 XML", "UTF-16 text"])
def test_what_a_program_exported_as_xls_without_being_one(tree: Any, db: Any, make_user: Any,
                                                           body: bytes) -> None:
    """Programs export a web page, Excel 2003 XML or text under an .xls name (Excel opens
    them with a warning): the answer says the file is no workbook despite its name, and how
    to make one, instead of listing .xls among the types it takes."""
    clerk = make_user(Role.clerk, "T-HT")
    r = post(clerk, "contributions", body, name="xuat-tu-phan-mem.xls")
    assert r.status_code == 415 and r.headers["content-type"].startswith(PROBLEM), r.text
    assert r.json()["detail"].startswith("Tệp 'xuat-tu-phan-mem.xls' mang đuôi .xls nhưng không "
                                         "phải bảng tính"), r.text
    assert "Lưu thành (Save As) kiểu Excel Workbook (.xlsx)" in r.json()["detail"]
    assert count(db) == 0


def test_a_formula_in_an_xls_is_refused_as_in_an_xlsx(tree: Any, db: Any, make_user: Any) -> None:
    """A formula's cell is refused in an .xls as in an .xlsx or .ods, named by its row and
    column, though calamine gives no formulas of an .xls (app/services/imports/biff.py finds
    them): read as its saved value, it would be empty here (xlwt saves none), and in an
    optional column nothing would say so. Formulas on a sheet not read do not matter; a small
    .xls kept in the compound file's mini stream is read the same."""
    import xlwt

    from tests.workbooks import xls_small

    clerk = make_user(Role.clerk, "T-HT")
    sheet = rows()
    sheet[1][3] = xlwt.Formula("1000000+500000")
    sheet[3][4] = xlwt.Formula("10+2.5")  # Ngày công, an optional column
    body = xls(sheet, title=TITLE, after=[("Tổng", [[xlwt.Formula("SUM(1,2)")]])])
    for file in (body, xls_small(body)):
        r = post(clerk, "contributions", file, name="cong-thuc.xls", dry_run="true")
        assert r.status_code == 200, r.text
        assert [(e["row"], e["column"], e["value"], e["message"][:15]) for e in r.json()["errors"]] == [
            (3, "Số tiền (đồng)", "=…", "Ô có công thức:"), (5, "Ngày công", "=…", "Ô có công thức:")], r.text
    small = xls_small(xls(rows(), after=[("Tổng", [[xlwt.Formula("SUM(1,2)")]])]))
    r = post(clerk, "contributions", small, name="nho.xls")
    assert r.status_code == 200 and r.json()["created"] == 3, r.text


def test_the_xls_size_limit(tree: Any, db: Any, make_user: Any, monkeypatch: Any) -> None:
    """MAX_XLS_BYTES, checked before the file is read. (Through the API a file over the
    upload limit, 50 MB, is refused before it; `dvk import` meets it at 64 MB, below.)"""
    from app.services.imports import workbook

    clerk = make_user(Role.clerk, "T-HT")
    body = xls(rows())
    monkeypatch.setattr(workbook, "MAX_XLS_BYTES", len(body) - 1)
    r = post(clerk, "contributions", body, name="dong-gop.xls", dry_run="true")
    assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM), r.text
    assert "Tệp quá lớn để đọc: tệp .xls nặng" in r.json()["detail"], r.text
    monkeypatch.setattr(workbook, "MAX_XLS_BYTES", len(body))
    r = post(clerk, "contributions", body, name="dong-gop.xls")
    assert r.status_code == 200 and r.json()["created"] == 3, r.text


@pytest.mark.parametrize("typed,encoding", [("NguyÔn V¨n A", "TCVN3 (ABC)"),
                                            ("Nguyeãn Vaên A", "VNI")])
def test_an_xls_typed_in_a_legacy_encoding_is_refused_with_the_way_out(
        tree: Any, db: Any, make_user: Any, typed: str, encoding: str) -> None:
    """'Nguyễn Văn A' typed with a TCVN3 (.VnTime) or VNI font: calamine reads the cell as
    Excel stores it, and the import names the row, the column and the encoding, says how to
    convert it, and saves nothing (never garbled names in the records)."""
    clerk = make_user(Role.clerk, "T-HT")
    sheet = rows()
    sheet[2][6] = typed
    r = post(clerk, "contributions", xls(sheet, title=TITLE), name="phong-cu.xls")
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert f"Dòng 4, cột 'Người, đơn vị đóng góp': chữ '{typed}' đang ở bảng mã cũ {encoding}" \
        in detail and "Unikey" in detail, detail
    assert count(db) == 0


def test_dvk_import_reads_an_xls(tree: Any, db: Any, tmp_path: Any) -> None:
    path = tmp_path / "dong-gop-2021.xls"
    path.write_bytes(xls(rows(), title=TITLE))
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "contributions", str(path), "--dry-run"])
    assert result.exit_code == 0 and "Sẽ thêm 3" in result.output, result.output
    assert count(db) == 0
    bad = rows()
    bad[3][7] = "31/02/2021"
    (tmp_path / "sai.xls").write_bytes(xls(bad, title=TITLE))
    result = runner.invoke(cli, ["import", "contributions", str(tmp_path / "sai.xls")])
    assert result.exit_code == 1 and "dòng 5, cột 'Ngày'" in result.output, result.output
    assert count(db) == 0
    result = runner.invoke(cli, ["import", "contributions", str(path)])
    assert result.exit_code == 0 and "Đã thêm 3" in result.output, result.output
    assert count(db) == 3


def test_dvk_import_refuses_an_xls_over_its_limit(tree: Any, db: Any, tmp_path: Any) -> None:
    """A real .xls grown past MAX_XLS_BYTES (a sparse file: no disk spent) is refused from
    its size alone, before it is read; a damaged one says so."""
    from app.services.imports.workbook import MAX_XLS_BYTES

    path = tmp_path / "qua-lon.xls"
    path.write_bytes(xls(rows()))
    with path.open("r+b") as f:
        f.truncate(MAX_XLS_BYTES + 1)
    result = CliRunner().invoke(cli, ["import", "contributions", str(path), "--dry-run"])
    assert result.exit_code == 1, result.output
    assert "Tệp quá lớn để đọc: tệp .xls nặng 65 MB (tối đa 64 MB)" in result.output, result.output
    path.write_bytes(_damaged()[0][1])
    result = CliRunner().invoke(cli, ["import", "contributions", str(path), "--dry-run"])
    assert result.exit_code == 1 and "Tệp .xls bị hỏng" in result.output, result.output
    assert count(db) == 0
