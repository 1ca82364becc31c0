"""The .docx and .xlsx downloads, opened again as a reader would open them."""

import io
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from docx import Document

from app.enums import (ENUMS, ContributionKind, OrgType, PetitionStatus, Role, Source,
                       WorkCategory)
from tests.factories import (make_contribution, make_land_donation, make_petition, make_tree,
                             make_work)

PERIOD = {"date_from": "2018-01-01", "date_to": "2018-12-31"}


def _text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_docx_and_xlsx_of_a_small_district(api, db):
    with db() as s:
        tree = make_tree(s)
        make_work(s, unit_id=tree.ham_tri, quantity=1.25, total_cost_vnd=1_500_000_000,
                  completed_date="2018-05-01")
        make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2018-03-01",
                      petitioner_name="Người Tố Cáo")
    params = {"unit_id": tree.district, **PERIOD}
    r = api.get("/api/v1/reports/summary.docx", params={**params, "number": "07-BC/BDV"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = _text(r.content)
    # A district's report comes from the Huyện ủy's Ban Dân vận, a Party body: its layout.
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "HUYỆN ỦY", "BAN DÂN VẬN", "BÁO CÁO",
                     "Số 07-BC/BDV", "1,25 km", "1,5 tỷ đồng", "- Như trên;", "- Lưu: VT."):
        assert expected in text, expected
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text
    state = _text(api.get("/api/v1/reports/summary.docx", params={**params, "kind": "state"}).content)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "UBND HUYỆN", "Số: …/BC-UBND", "CHỦ TỊCH"):
        assert expected in state, expected
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in state
    commune = _text(api.get("/api/v1/reports/summary.docx",
                            params={**PERIOD, "unit_id": tree.ham_tri}).content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in commune and "/BC-UBND" in commune
    bad = api.get("/api/v1/reports/summary.docx", params={**params, "kind": "church"})
    assert bad.status_code == 422
    x = api.get("/api/v1/reports/summary.xlsx", params=params)
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames[0] == "Tổng hợp"
    works = _table(wb["Công trình"])
    assert works[0]["Tổng kinh phí (đồng)"] == 1_500_000_000
    assert works[0]["Khối lượng (km)"] == 1.25
    pets = _table(wb["Đơn thư"])
    assert pets[0]["Người gửi đơn"] == "Người Tố Cáo" and pets[0]["Loại đơn"] == "Tố cáo"


def _table(ws: Any) -> list[dict[str, Any]]:
    """A detail sheet's rows by header: row 1 is its title, row 2 its header."""
    header = [c.value for c in ws[2]]
    return [dict(zip(header, [c.value for c in row], strict=True))
            for row in ws.iter_rows(min_row=3)]


def test_xlsx_title_row_on_every_sheet(api, db):
    """Each sheet says whose figures and which period: a sheet is often sent on its own."""
    with db() as s:
        tree = make_tree(s)
        make_work(s, unit_id=tree.ham_tri, completed_date="2018-05-01")
    x = api.get("/api/v1/reports/summary.xlsx", params={"unit_id": tree.district, **PERIOD})
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert len(wb.sheetnames) == 9
    for ws in wb.worksheets:
        title = ws["A1"].value
        assert title.endswith("— huyện Hàm Thuận Bắc, năm 2018"), (ws.title, title)
        assert ws["A1"].font.bold and ws.freeze_panes == "A3"
    assert wb["Công trình"]["A1"].value.startswith("Công trình, phần việc — ")
    half = {"unit_id": tree.ham_tri, "date_from": "2018-01-01", "date_to": "2018-06-30"}
    x = api.get("/api/v1/reports/summary.xlsx", params=half)
    ws = openpyxl.load_workbook(io.BytesIO(x.content))["Đóng góp"]
    assert ws["A1"].value == ("Đóng góp — xã Hàm Trí, từ ngày 01/01/2018 đến ngày 30/06/2018")


def test_xlsx_detail_sheets_show_labels_not_codes(api, db):
    with db() as s:
        tree = make_tree(s)
        make_work(s, unit_id=tree.ham_tri, org_type="party_committee", completed_date="2018-05-01")
        make_contribution(s, unit_id=tree.ham_tri, work_id=None, source="business", kind="cash")
        make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2018-03-01")
        make_land_donation(s, unit_id=tree.ham_tri)
    x = api.get("/api/v1/reports/summary.xlsx", params={"unit_id": tree.district, **PERIOD})
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    work = _table(wb["Công trình"])[0]
    assert (work["Loại công trình"], work["Đơn vị thực hiện"], work["Đơn vị"]) == (
        WorkCategory.road_concrete.vi, OrgType.party_committee.vi, "Hàm Trí")
    gift = _table(wb["Đóng góp"])[0]
    assert (gift["Nguồn"], gift["Hình thức"]) == (Source.business.vi, ContributionKind.cash.vi)
    assert _table(wb["Đơn thư"])[0]["Trạng thái"] == PetitionStatus.received.vi
    assert "Diện tích (m²)" in [c.value for c in wb["Hiến đất"][2]]
    # No cell of any detail sheet holds a bare code (one that is not also its own label).
    codes = {m.value for e in ENUMS.values() for m in e} - {m.vi for e in ENUMS.values() for m in e}
    for ws in wb.worksheets[1:]:
        cells = {c.value for row in ws.iter_rows(min_row=2) for c in row}
        assert not cells & codes, (ws.title, cells & codes)


def test_xlsx_one_measure_per_column(api, db):
    """Lengths in one column in km (metres converted, as the summary adds them up), every
    other measure in a column of its own; no column mixes measures."""
    with db() as s:
        tree = make_tree(s)
        make_work(s, unit_id=tree.ham_tri, name="Đường km", quantity=1.25, measure="km")
        make_work(s, unit_id=tree.ham_tri, name="Đường m", quantity=750, measure="m")
        make_work(s, unit_id=tree.ham_tri, name="Nhà", category="charity_house", quantity=3,
                  measure="house")
    x = api.get("/api/v1/reports/summary.xlsx", params={"unit_id": tree.district, **PERIOD})
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    ws = wb["Công trình"]
    header = [c.value for c in ws[2]]
    assert "Khối lượng (km)" in header and "Khối lượng (căn)" in header
    assert "Khối lượng" not in header and "Đơn vị tính" not in header
    rows = {r["Tên công trình, phần việc"]: r for r in _table(ws)}
    quantities = {name: (r["Khối lượng (km)"], r["Khối lượng (căn)"]) for name, r in rows.items()}
    assert quantities == {"Đường km": (1.25, None), "Đường m": (0.75, None), "Nhà": (None, 3)}
    km = [c for c in ws[get_column_letter(header.index("Khối lượng (km)") + 1)] if c.value == 0.75]
    assert km[0].number_format == "#,##0.00"
    # The column adds up to the roads' figure on the first sheet.
    first = {r[0].value: r[1].value for r in wb["Tổng hợp"].iter_rows(min_row=3) if r[0].value}
    assert first["Đường bê tông xi măng"] == 2.0 == sum(q[0] or 0 for q in quantities.values())


def test_a_clerk_export_hides_the_denouncer(make_user, db):
    with db() as s:
        tree = make_tree(s)
        make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2018-03-01",
                      petitioner_name="Người Tố Cáo Bí Mật")
    for role, visible in ((Role.clerk, False), (Role.manager, True)):
        client = make_user(role, "T-HT")
        x = client.get("/api/v1/reports/summary.xlsx", params={"unit_id": tree.ham_tri, **PERIOD})
        values = [c.value for row in openpyxl.load_workbook(io.BytesIO(x.content))["Đơn thư"].iter_rows()
                  for c in row]
        assert ("Người Tố Cáo Bí Mật" in values) is visible


def test_issued_docx_keeps_the_issued_figures(api, db):
    with db() as s:
        tree = make_tree(s)
        work = make_work(s, unit_id=tree.ham_tri, quantity=1.25, completed_date="2018-05-01")
    issued = api.post("/api/v1/reports/issued", json={
        "unit_id": tree.district, **PERIOD, "number": "3-BC/BDV", "issuer": "BAN DÂN VẬN",
        "place": "Hàm Thuận Bắc", "issued_on": "2019-01-10", "signer_name": "Trần Văn B"}).json()
    assert api.patch(f"/api/v1/works/{work.id}", json={"quantity": 3.5}).status_code == 200
    text = _text(api.get(f"/api/v1/reports/issued/{issued['id']}.docx").content)
    assert "1,25 km" in text and "3,5 km" not in text
    assert "ngày 10 tháng 01 năm 2019" in text


def test_xlsx_says_where_a_sheet_was_cut(api, db, monkeypatch):
    from app.services.reports import sheets

    monkeypatch.setattr(sheets, "SHEET_CAP", 1)
    with db() as s:
        tree = make_tree(s)
        for name in ("Đường 1", "Đường 2"):
            make_work(s, unit_id=tree.ham_tri, name=name)
    x = api.get("/api/v1/reports/summary.xlsx", params={"unit_id": tree.district, **PERIOD})
    ws = openpyxl.load_workbook(io.BytesIO(x.content))["Công trình"]
    assert ws.max_row == 4  # title, header, one work, the note
    assert ws["A4"].value == "… chỉ xuất 1 dòng đầu; lọc kỳ ngắn hơn để có đủ."
