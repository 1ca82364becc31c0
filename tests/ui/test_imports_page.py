"""The import page: the record types, the template, a check that saves nothing, a real import,
a refused file, and who may use it."""

from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.land_donations import LandDonation
from app.enums import Role
from tests.factories import make_tree

CSV = ("\ufeffMã đơn vị,Hộ hiến đất,Số hộ,Diện tích (m2),Trị giá (đồng),Ngày,Mã tham chiếu\r\n"
       "T-LG,Nguyễn Văn Ba,1,\"120,5\",15.000.000,05/02/2021,HD-1\r\n"
       "T-HT,<script>alert(1)</script>,2,80,,06/02/2021,HD-2\r\n").encode()


@pytest.fixture
def tree(db: Any) -> Any:
    with db() as s:
        return make_tree(s)


def donations(db: Any) -> int:
    with db() as s:
        return s.exec(select(func.count()).select_from(LandDonation)).scalar_one()


def test_page_lists_types_and_columns(tree: Any, sign_in: Any) -> None:
    clerk = sign_in("nhap.clerk")
    page = clerk.get("/imports")
    assert page.status_code == 200
    assert "Hiến đất" in page.text and "Chọn loại dữ liệu" in page.text
    page = clerk.get("/imports", params={"resource": "land-donations"})
    assert 'href="/imports/land-donations/template.xlsx"' in page.text
    assert "Hộ hiến đất" in page.text and "Mã đơn vị" in page.text
    template = clerk.get("/imports/land-donations/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert "Nhập từ Excel" in clerk.get("/land-donations").text


def test_check_then_import(tree: Any, sign_in: Any, db: Any) -> None:
    clerk = sign_in("nhap.clerk2")
    files = {"file": ("hien-dat.csv", CSV, "text/csv")}
    checked = clerk.post("/imports", data={"resource": "land-donations", "mode": "dry"}, files=files)
    assert checked.status_code == 200
    assert "Sẽ thêm 2" in checked.text and "nhập thử" in checked.text
    assert "<script>alert(1)</script>" not in checked.text
    assert donations(db) == 0
    done = clerk.post("/imports", data={"resource": "land-donations", "mode": "real"}, files=files)
    assert "Đã thêm 2" in done.text
    assert donations(db) == 2
    again = clerk.post("/imports", data={"resource": "land-donations", "mode": "real"}, files=files)
    assert "Đã thêm 0, sửa 0, giữ nguyên 2" in again.text
    listed = clerk.get("/land-donations").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed


def test_errors_are_listed_by_row_and_column(tree: Any, sign_in: Any, db: Any) -> None:
    clerk = sign_in("nhap.clerk3")
    bad = CSV.replace(b"05/02/2021", b"31/02/2021").replace(b"T-HT,", b"T-HL,")
    r = clerk.post("/imports", data={"resource": "land-donations", "mode": "real"},
                   files={"file": ("hien-dat.csv", bad, "text/csv")})
    assert "Không nhập: 2 lỗi" in r.text
    assert "không có trên lịch" in r.text and "ngoài phạm vi" in r.text
    assert "<td>2</td><td>Ngày</td><td>31/02/2021</td>" in r.text
    assert donations(db) == 0


def test_refused_file_and_viewer(tree: Any, sign_in: Any, db: Any) -> None:
    clerk = sign_in("nhap.clerk4")
    r = clerk.post("/imports", data={"resource": "land-donations", "mode": "dry"},
                   files={"file": ("bao-cao.pdf", b"%PDF-1.4", "application/pdf")})
    assert "chỉ nhận bảng tính Excel (.xlsx, .xls), OpenDocument (.ods)" in r.text
    page = clerk.get("/imports?resource=land-donations")
    assert 'accept=".xlsx,.xls,.ods,.csv,' in page.text  # the file picker offers them
    viewer = sign_in("nhap.viewer", Role.viewer)
    assert "Nhập Excel" not in viewer.get("/dashboard").text
    r = viewer.post("/imports", data={"resource": "land-donations", "mode": "real"},
                    files={"file": ("hien-dat.csv", CSV, "text/csv")})
    assert r.status_code == 403
    assert donations(db) == 0


def test_without_csrf_refused(tree: Any, sign_in: Any, db: Any) -> None:
    clerk = sign_in("nhap.clerk5")
    del clerk.headers["X-CSRF-Token"]
    r = clerk.post("/imports", data={"resource": "land-donations", "mode": "real"},
                   files={"file": ("hien-dat.csv", CSV, "text/csv")})
    assert r.status_code == 403
    assert donations(db) == 0


def _token(page: str) -> str:
    return page.split('name="checked" value="')[1].split('"')[0]


def test_a_checked_file_imports_with_one_press(tree: Any, sign_in: Any, db: Any) -> None:
    """After a dry run with no errors, one press imports the file just checked, once, and only
    for the user who checked it; a made-up token imports nothing."""
    clerk = sign_in("nhap.clerk5")
    checked = clerk.post("/imports", data={"resource": "land-donations", "mode": "dry"},
                         files={"file": ("hien-dat.csv", CSV, "text/csv")}).text
    assert "Sẽ thêm 2" in checked and "Nhập tệp vừa kiểm tra vào hệ thống" in checked
    token = _token(checked)
    other = sign_in("nhap.clerk6")
    stolen = other.post("/imports", data={"resource": "land-donations", "mode": "real",
                                          "checked": token})
    assert stolen.status_code == 422 and "Chưa có tệp" in stolen.text
    wrong_type = clerk.post("/imports", data={"resource": "works", "mode": "real", "checked": token})
    assert wrong_type.status_code == 422
    for forged in ("../../etc/passwd", "x" * 32, ""):
        r = clerk.post("/imports", data={"resource": "land-donations", "mode": "real",
                                         "checked": forged})
        assert r.status_code == 422
    assert donations(db) == 0
    done = clerk.post("/imports", data={"resource": "land-donations", "mode": "real",
                                        "checked": token})
    assert "Đã thêm 2" in done.text and "hien-dat.csv" in done.text
    assert donations(db) == 2
    again = clerk.post("/imports", data={"resource": "land-donations", "mode": "real",
                                         "checked": token})
    assert again.status_code == 422 and donations(db) == 2


def test_a_file_with_errors_is_not_kept(tree: Any, sign_in: Any) -> None:
    from app.services.imports import held

    clerk = sign_in("nhap.clerk7")
    before = set(held.ROOT.iterdir()) if held.ROOT.is_dir() else set()
    bad = CSV.replace(b"05/02/2021", b"31/02/2021")
    r = clerk.post("/imports", data={"resource": "land-donations", "mode": "dry"},
                   files={"file": ("hien-dat.csv", bad, "text/csv")}).text
    assert "Không nhập" in r and 'name="checked"' not in r
    assert set(held.ROOT.iterdir()) <= before


def test_a_kept_file_expires_and_must_match_its_digest(tmp_path: Any, monkeypatch: Any) -> None:
    import io
    import time

    from app.services.imports import held

    monkeypatch.setattr(held, "ROOT", tmp_path)
    token = held.keep(io.BytesIO(CSV), user_id=1, resource="works", filename="a.csv")
    (tmp_path / f"{token}.bin").write_bytes(CSV + b"T-HT,Ai do,1,1,,01/01/2021,X\r\n")
    assert held.take(token, user_id=1, resource="works") is None  # altered since checked
    token = held.keep(io.BytesIO(CSV), user_id=1, resource="works", filename="a.csv")
    held.sweep(now=time.time() + held.TTL + 1)
    assert list(tmp_path.iterdir()) == [] and held.take(token, user_id=1, resource="works") is None
    token = held.keep(io.BytesIO(CSV), user_id=1, resource="works", filename="a.csv")
    stream, name = held.take(token, user_id=1, resource="works")
    assert stream.read() == CSV and name == "a.csv" and list(tmp_path.iterdir()) == []


def test_an_xls_from_a_commune_office(tree: Any, sign_in: Any, db: Any) -> None:
    """A real Excel 97–2003 file through the page: a merged title above the header, dates as
    Excel dates and as text, numbers as numbers; checked, then imported; a bad row named by
    its row as Excel numbers it, and nothing saved; a damaged .xls said to be damaged."""
    from datetime import date

    from tests.workbooks import xls

    head = ["Mã đơn vị", "Hộ hiến đất", "Số hộ", "Diện tích (m2)", "Trị giá (đồng)", "Ngày",
            "Mã tham chiếu"]
    rows = [head, ["T-LG", "Nguyễn Văn Ba", 1, 120.5, 15_000_000, date(2021, 2, 5), "HD-1"],
            ["T-HT", "Hộ bà Trần Thị Lựu", 2, 80, None, "06/02/2021", "HD-2"]]
    title = "DANH SÁCH HỘ HIẾN ĐẤT LÀM ĐƯỜNG NĂM 2021"
    clerk = sign_in("nhap.xls")

    def send(body: bytes, mode: str) -> str:
        r = clerk.post("/imports", data={"resource": "land-donations", "mode": mode},
                       files={"file": ("hien-dat.xls", body, "application/vnd.ms-excel")})
        assert r.status_code < 500, r.text
        return r.text

    bad = [list(r) for r in rows]
    bad[2][5] = "31/02/2021"
    refused = send(xls(bad, title=title), "real")
    assert "Không nhập: 1 lỗi" in refused and "<td>4</td><td>Ngày</td><td>31/02/2021</td>" in refused
    assert donations(db) == 0
    body = xls(rows, title=title)
    damaged = send(body[:len(body) // 2], "dry")
    assert "Tệp .xls bị hỏng hoặc không phải bảng tính" in damaged and donations(db) == 0
    checked = send(body, "dry")
    assert "Sẽ thêm 2" in checked and donations(db) == 0
    assert "Đã thêm 2" in send(body, "real") and donations(db) == 2
    listed = clerk.get("/land-donations").text
    assert "Hộ bà Trần Thị Lựu" in listed and "Nguyễn Văn Ba" in listed
