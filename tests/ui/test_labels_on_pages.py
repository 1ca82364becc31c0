"""What the record pages say is read off the one declaration of each resource (issue 17): the
list's headers and the form's labels are the schema's labels, a history panel names fields by
them and prints values as the page does, times in Vietnam's time, and no message on a form
names a field by its API name ("amount_vnd: …")."""

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.db import labels
from app.db.audit import AuditEntry
from app.services import registry
from app.ui.records import LISTINGS
from tests.factories import make_petition
from tests.ui.test_entry_pages import HX, clerk, field_error, form_for, saved_id, tree  # noqa: F401

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def history_of(html: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", html[html.index("Lịch sử thay đổi"):], re.S)


def messages(html: str) -> list[str]:
    """Every message a refused form shows: above it, and beside its fields."""
    return re.findall(r'<p class="notice error" role="alert">(.*?)</p>', html, re.S) + re.findall(
        r'<small class="error" role="alert"[^>]*>(.*?)</small>', html, re.S)


def api_names(text: str, schema: type) -> list[str]:
    """The API field names `text` shows: as "name: …", or any name with an underscore."""
    return [n for n in schema.model_fields
            if re.search(rf"(?<![\w.]){re.escape(n)}\s*:", text) or ("_" in n and n in text)]


def test_the_list_and_the_form_speak_the_schema_s_labels(clerk, tree):
    """One label per field: the list's header and the form's label are the schema's."""
    html = clerk.get("/contributions").text
    for name in registry.get("contributions").columns:
        assert labels.label(registry.get("contributions").read, name) in html
    assert "Số tiền (đồng)" in html and "Người, đơn vị đóng góp" in html
    assert "Số tiền (quy ra đồng)" not in html and "Người, đơn vị góp<" not in html
    # A hint is the field's description, declared on the schema beside its label.
    form = clerk.get("/contributions/new", headers=HX).text
    assert "chỉ các công trình cùng địa bàn với đơn vị đã chọn" in form


def test_every_listing_is_the_registry_s(clerk):
    assert [listing.path for listing in LISTINGS] == [r.name for r in registry.RESOURCES]
    for listing in LISTINGS:
        r = listing.resource
        assert [c[0] for c in listing.columns] == list(r.columns)
        assert [f.name for f in listing.fields] == list(r.form)
        assert all(f.label == labels.label(r.create, f.name) for f in listing.fields)


def test_the_menu_is_the_registry_s(clerk):
    nav = clerk.get("/dashboard").text.split('<nav aria-label="Chức năng">')[1].split("</nav>")[0]
    for r in registry.RESOURCES:
        if r.menu:
            assert f'href="/{r.name}"' in nav and f">{r.menu}</a>" in nav
    assert 'href="/reports/summary"' in nav and 'href="/dashboard"' in nav


def test_history_names_fields_by_label_prints_values_as_the_page_and_vietnam_s_time(clerk, db, tree):
    new_id = saved_id(clerk.post("/contributions", headers=HX, data=form_for("contributions", tree)))
    r = clerk.post(f"/contributions/{new_id}", headers=HX, data=form_for(
        "contributions", tree, amount_vnd="2.750.000", unit_id=str(tree.ham_tri),
        date="06/02/2021", kind="in_kind", version="1"))
    assert r.status_code == 200, r.text
    entries = history_of(clerk.get(f"/contributions/{new_id}/edit", headers=HX).text)
    change = entries[0]
    assert "Số tiền (đồng) “1.500.000” → “2.750.000”" in change
    assert "Ngày “05/02/2021” → “06/02/2021”" in change
    assert "Hình thức “Tiền mặt” → “Hiện vật”" in change  # a code's label, never the code
    assert "“cash”" not in change and "amount_vnd" not in change and "2021-02-05" not in change
    assert "Đơn vị “Lâm Giang” → “Hàm Trí”" in change  # names, not numbers
    with db() as s:
        at = s.exec(select(AuditEntry).where(AuditEntry.record_id == new_id,
                                             AuditEntry.action == "update")).one().at
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    assert change.startswith(at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"))
    assert not re.search(r"\d{4}-\d\d-\d\dT", change)


def test_a_rule_s_message_names_the_field_by_its_label(clerk, tree):
    """A contribution of money without an amount: the service names `amount_vnd`; the page
    names "Số tiền (đồng)"."""
    r = clerk.post("/contributions", headers=HX, data=form_for("contributions", tree, amount_vnd=""))
    assert r.status_code == 422
    notice = messages(r.text)[0]
    assert notice.startswith("Số tiền (đồng): Đóng góp tiền")
    assert "amount_vnd" not in " ".join(messages(r.text))
    assert field_error(r.text, "amount_vnd") == "Đóng góp tiền hoặc hiện vật cần có số tiền (quy ra đồng)."


# A value of each kind that its field refuses.
BAD = {"money": "một triệu", "integer": "hai", "decimal": "2,4,5", "quantity": "nhiều",
       "date": "31/02/2021", "unit": "999999", "ref:works": "999999", "ref:models": "999999",
       "text": "x" * 5000, "textarea": "x" * 5000}


@pytest.mark.parametrize("listing", [listing for listing in LISTINGS], ids=lambda l: l.path)
def test_no_form_message_shows_an_api_field_name(listing, sign_in, tree):
    """Every field of every form refused in turn: no message names it by its API name."""
    from app.enums import Role

    client = sign_in("ql." + listing.path.replace("-", ""), Role.manager)
    for f in listing.fields:
        bad = BAD.get(f.kind, "khong-co")
        if f.kind == "bool":
            continue
        r = client.post(f"/{listing.path}", headers=HX, data=form_for(listing.path, tree, **{f.name: bad}))
        if r.status_code == 200:  # some texts may be anything (a long note is no mistake)
            continue
        said = " ".join(messages(r.text))
        assert said, (f.name, r.status_code, r.text[:500])
        assert not api_names(said, listing.resource.create), (f.name, said)


def test_a_rule_on_the_petition_page_names_its_field_by_label(clerk, db, tree):
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03")
    too_long = clerk.post(f"/petitions/{p.id}/extend", data={"days": "400", "date": "05/01/2024",
                                                             "version": str(p.version)})
    assert too_long.status_code == 422
    assert "Số ngày gia hạn: Không được lớn hơn 365." in too_long.text
    over = clerk.post(f"/petitions/{p.id}/extend", data={"days": "90", "date": "05/01/2024",
                                                         "version": str(p.version)})
    assert over.status_code == 422, over.text
    assert "Số ngày gia hạn: Mỗi lần gia hạn" in over.text and "days:" not in over.text


def test_a_unit_s_delete_page_shows_its_columns_with_names(sign_in, db, tree):
    """The confirmation shows the registry's columns of a unit, its parent by name."""
    from app.enums import Role
    from tests.factories import make_unit

    with db() as s:
        u = make_unit(s, code="T-DH", name="Thôn Dân Hiệp", level="village", kind="thon",
                      parent_id=tree.ham_tri)
    admin = sign_in("qt.donvi", Role.admin, None)
    r = admin.get(f"/units/{u.id}/delete")
    assert r.status_code == 200, r.text
    facts = r.text[r.text.index('class="grid compact facts"'):]
    assert "<th>Đơn vị cấp trên</th><td>Hàm Trí</td>" in facts
    assert "<th>Mã đơn vị</th>" in facts and "T-DH" in facts


def test_a_workflow_s_entry_reads_in_words():
    """A model's evaluation and recognition, which no form writes: the action in words, the
    fields by their labels on the table, the values as the page prints them."""
    from app.ui.history import field_labels, shown_history

    entries = [{"action": "evaluate", "changes": {"score": [None, 87.5]}},
               {"action": "recognize", "changes": {"recognition_level": [None, "district"],
                                                   "recognition_date": [None, "2026-11-02"]}}]
    shown = shown_history("models", entries)
    assert [e["done"] for e in shown] == ["đánh giá", "công nhận"]
    assert shown[0]["changes"]["score"] == [None, "87,5"]
    assert shown[1]["changes"] == {"recognition_level": [None, "Cấp huyện"],
                                   "recognition_date": [None, "02/11/2026"]}
    labels_ = field_labels("models")
    assert labels_["score"] == "Điểm đánh giá" and labels_["recognition_level"] == "Cấp công nhận"


def test_the_model_page_names_a_mistyped_field_by_its_label(sign_in, db, tree):
    """The model page's forms show one line above them: each field named by its label."""
    from app.enums import Role
    from tests.factories import make_model

    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri)
    manager = sign_in("lanhdao.mohinh", Role.manager)
    r = manager.post(f"/models/{m.id}/recognize", data={"level": "", "decision_no": "",
                                                        "date": "05/02/2021"})
    assert r.status_code == 422, r.text
    error = re.search(r'<p class="notice error" role="alert">(.*?)</p>', r.text, re.S).group(1)
    assert "Cấp công nhận: Bắt buộc nhập." in error and "Số quyết định: Bắt buộc nhập." in error
    assert "level" not in error and "decision_no" not in error
