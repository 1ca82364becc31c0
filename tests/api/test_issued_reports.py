"""An issued report keeps its figures when the records are corrected afterwards."""

from app.enums import Role
from tests.factories import make_tree, make_work

ISSUE = {"date_from": "2018-01-01", "date_to": "2018-12-31", "number": "12-BC/BDV",
         "issuer": "Ban Dân vận Huyện ủy", "place": "Hàm Thuận Bắc", "issued_on": "2019-01-15",
         "signer_name": "Nguyễn Văn A", "recipients": ["Ban Dân vận Tỉnh ủy", "Lưu VT"]}


def test_issued_figures_stay_and_changes_are_listed(api, db):
    with db() as s:
        tree = make_tree(s)
        work = make_work(s, unit_id=tree.ham_tri, quantity=1.5, completed_date="2018-05-01")
    r = api.post("/api/v1/reports/issued", json={**ISSUE, "unit_id": tree.district})
    assert r.status_code == 201, r.text
    issued = r.json()
    assert issued["figures"]["roads"]["km"] == 1.5
    assert r.headers["location"] == f"/api/v1/reports/issued/{issued['id']}"
    fixed = api.patch(f"/api/v1/works/{work.id}", json={"quantity": 2.0})
    assert fixed.status_code == 200
    again = api.get(f"/api/v1/reports/issued/{issued['id']}").json()
    assert again["figures"]["roads"]["km"] == 1.5  # frozen
    changed = {c["figure"]: (c["issued"], c["now"]) for c in again["changes_since_issue"]}
    assert changed["roads.km"] == (1.5, 2.0)
    assert changed["works.by_category.road_concrete.quantity"] == (1.5, 2.0)
    assert api.get("/api/v1/reports/summary", params={
        "unit_id": tree.district, "date_from": "2018-01-01", "date_to": "2018-12-31"}).json()["roads"]["km"] == 2.0


def test_only_managers_issue(make_user, db):
    with db() as s:
        tree = make_tree(s)
    clerk = make_user(Role.clerk, "T-HTB")
    r = clerk.post("/api/v1/reports/issued", json={**ISSUE, "unit_id": tree.district})
    assert r.status_code == 403
    manager = make_user(Role.manager, "T-HTB")
    assert manager.post("/api/v1/reports/issued", json={**ISSUE, "unit_id": tree.district}).status_code == 201
    outside = make_user(Role.manager, "T-HL")
    assert outside.post("/api/v1/reports/issued", json={**ISSUE, "unit_id": tree.district}).status_code == 403
    assert outside.get("/api/v1/reports/issued").json() == []


def test_summary_bad_input(api, db):
    with db() as s:
        tree = make_tree(s)
    base = {"unit_id": tree.district}
    assert api.get("/api/v1/reports/summary", params={**base, "date_from": "2020-01-02",
                                                      "date_to": "2020-01-01"}).status_code == 422
    assert api.get("/api/v1/reports/summary", params={**base, "date_from": "1990-01-01",
                                                      "date_to": "2040-01-01"}).status_code == 422
    assert api.get("/api/v1/reports/summary", params={"unit_id": 999_999}).status_code == 404
    empty = api.get("/api/v1/reports/summary", params={**base, "date_from": "2020-01-01",
                                                       "date_to": "2020-01-01"})
    assert empty.status_code == 200
    body = empty.json()
    assert body["petitions"]["resolution_rate"] is None
    assert body["works"]["total"] == 0 and body["roads"]["km"] == 0


def test_a_report_with_every_text_at_its_longest_still_downloads(api, db):
    """Each text the request allows, at its maximum length, fits the Word document too
    (schemathesis found a 300-character issuer over the 255 of a document property)."""
    from app.db.issued_reports import IssueRequest

    with db() as s:
        tree = make_tree(s)
    longest = {name: "Ệ" * prop["maxLength"]
               for name, prop in IssueRequest.model_json_schema()["properties"].items()
               if prop.get("type") == "string" and "maxLength" in prop}
    r = api.post("/api/v1/reports/issued", json={**ISSUE, **longest, "unit_id": tree.district})
    assert r.status_code == 201, r.text
    docx = api.get(f"/api/v1/reports/issued/{r.json()['id']}.docx")
    assert docx.status_code == 200, docx.text
    summary = api.get("/api/v1/reports/summary.docx", params={
        "unit_id": tree.district, "number": longest.get("number", "1"),
        "signer_name": longest.get("signer_name", "A")})
    assert summary.status_code == 200, summary.text


def _docx_text(content: bytes) -> str:
    import io

    from docx import Document
    doc = Document(io.BytesIO(content))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for row in t.rows for c in row.cells])


def test_the_issuer_chooses_the_layout_and_leaving_it_out_takes_the_units(api, db):
    """`kind` is optional (a client written before it still issues): left out, a district's
    report is a Party body's (its Ban Dân vận), a commune's a state body's."""
    with db() as s:
        tree = make_tree(s)
    district = api.post("/api/v1/reports/issued", json={**ISSUE, "unit_id": tree.district}).json()
    commune = api.post("/api/v1/reports/issued", json={**ISSUE, "unit_id": tree.ham_tri}).json()
    state = api.post("/api/v1/reports/issued",
                     json={**ISSUE, "unit_id": tree.district, "kind": "state"}).json()
    assert (district["kind"], commune["kind"], state["kind"]) == ("party", "state", "state")
    assert api.get(f"/api/v1/reports/issued/{state['id']}").json()["kind"] == "state"
    party = _docx_text(api.get(f"/api/v1/reports/issued/{district['id']}.docx").content)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in party and "Số 12-BC/BDV" in party
    assert "- Ban Dân vận Tỉnh ủy;" in party and "- Lưu VT." in party
    text = _docx_text(api.get(f"/api/v1/reports/issued/{state['id']}.docx").content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Số: 12-BC/BDV" in text
    wrong = api.post("/api/v1/reports/issued", json={**ISSUE, "unit_id": tree.district,
                                                      "kind": "church"})
    assert wrong.status_code == 422
