"""The pages' forms refuse a character that is no text with the API's message, on the field:
they parse into the same schemas (app/db/fields.py)."""

import pytest

from app.enums import Role
from tests.factories import make_tree

HX = {"HX-Request": "true"}
BAD = ("\x00", "\x05", "\x1f")


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


@pytest.mark.parametrize("char", BAD, ids=lambda c: f"U+{ord(c):04X}")
def test_a_record_form_shows_the_message_on_the_field_and_saves_nothing(sign_in, api, tree, char):
    clerk = sign_in("canbo")
    r = clerk.post("/contributions", headers=HX, data={
        "unit_id": str(tree.ham_tri), "source": "people", "kind": "cash", "amount_vnd": "500.000",
        "date": "05/02/2020", "contributor_name": f"Trần{char}Văn Tư", "note": "ghi chú"})
    assert r.status_code == 422, r.text
    assert f"Có ký tự ẩn không hợp lệ (U+{ord(char):04X}" in r.text
    assert 'value="500.000"' in r.text  # the typed values stay
    assert api.get("/api/v1/contributions").json()["total"] == 0


def test_the_account_form_shows_the_message_too(sign_in, tree):
    manager = sign_in("lanhdao", Role.manager, "T-HTB")
    r = manager.post("/users", headers=HX, data={
        "username": "canbo.moi", "full_name": "Nguyễn\x05Văn A", "role": "clerk",
        "unit_id": str(tree.ham_tri), "password": "mat-khau-dai-du"})
    assert r.status_code == 422, r.text
    assert "Có ký tự ẩn không hợp lệ (U+0005" in r.text


def test_the_issue_form_of_a_report_shows_it_too(sign_in, tree):
    manager = sign_in("lanhdao", Role.manager, "T-HTB")
    r = manager.post("/reports/issued", headers=HX, data={
        "unit_id": str(tree.district), "date_from": "01/01/2019", "date_to": "31/12/2019",
        "number": "12-BC/BDV", "issuer": "Ban Dân vận", "place": "Hàm\x05Thuận Bắc",
        "issued_on": "15/01/2020", "signer_name": "Nguyễn Văn A", "recipients": "Lưu VT"})
    assert r.status_code == 422, r.text
    assert "Có ký tự ẩn không hợp lệ (U+0005" in r.text


def test_a_petition_s_step_and_extension_forms_refuse_it_too(sign_in, db, tree):
    """They went around the schemas: a note with NUL answered 500 on PostgreSQL."""
    from tests.factories import make_petition

    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03")
    clerk = sign_in("canbo")
    for char in BAD:
        r = clerk.post(f"/petitions/{p.id}/steps",
                       data={"to": "resolved", "date": "05/01/2024", "outcome": f"Đã{char}trả lời"})
        assert r.status_code == 422 and "Có ký tự ẩn không hợp lệ" in r.text, r.text[-2000:]
        r = clerk.post(f"/petitions/{p.id}/extend",
                       data={"days": "30", "date": "05/01/2024", "decision_no": f"12{char}/QĐ"})
        assert r.status_code == 422 and "Có ký tự ẩn không hợp lệ" in r.text
    page = clerk.get(f"/petitions/{p.id}").text
    assert "Đã thụ lý" in page  # no step was taken


def test_the_import_page_s_source_refuses_it(sign_in, tree):
    """The page's `source` went straight into the records (NUL: a failed import on PostgreSQL)."""
    from tests.ui.test_imports_page import CSV

    clerk = sign_in("canbo")
    for char in BAD:
        r = clerk.post("/imports", data={"resource": "land-donations", "mode": "real",
                                         "source": f"tinh{char}"},
                       files={"file": ("hien-dat.csv", CSV, "text/csv")})
        assert r.status_code == 422 and "ký tự ẩn" in r.text, (r.status_code, r.text[:3000])
