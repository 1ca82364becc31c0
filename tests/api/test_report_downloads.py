"""The .docx and .xlsx downloads, opened again as a reader would open them."""

import io

import openpyxl
from docx import Document

from app.enums import Role
from tests.factories import make_petition, make_tree, make_work

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
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "07-BC/BDV", "1,25 km",
                     "1,5 tỷ đồng"):
        assert expected in text, expected
    x = api.get("/api/v1/reports/summary.xlsx", params=params)
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames[0] == "Tổng hợp"
    works = wb["Công trình"]
    header = [c.value for c in works[1]]
    row = dict(zip(header, [c.value for c in works[2]], strict=True))
    assert row["Kinh phí (đồng)"] == 1_500_000_000 and isinstance(row["Khối lượng"], float)
    pets = wb["Đơn thư"]
    assert [c.value for c in pets[1]].index("Người gửi") >= 0


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
