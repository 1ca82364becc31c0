"""The unit tree's rows of a divided commune: the predecessor lists its successors with the
default marked; a successor other than the default says what it received in part."""

import html
import re

from app.enums import Role
from tests.factories import make_tree, make_unit


def _row(page: str, uid: int) -> str:
    match = re.search(rf'<tr id="units-{uid}".*?</tr>', page, re.S)
    assert match, f"no row of unit {uid}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(0)))


def test_the_rows_of_a_divided_commune(sign_in, api, db):
    with db() as s:
        tree = make_tree(s)
        a = make_unit(s, code="T-A", name="Hàm Thuận", kind="xa", parent_id=tree.district,
                      active_from="2025-07-01")
        b = make_unit(s, code="T-B", name="Phan Thiết Mới", kind="phuong",
                      parent_id=tree.district, active_from="2025-07-01")
    r = api.patch(f"/api/v1/units/{tree.ham_tri}",
                  json={"successor_ids": [b.id, a.id], "merged_into_id": a.id,
                        "active_to": "2025-06-30"})
    assert r.status_code == 200, r.text
    admin = sign_in("quantri", Role.admin, None)
    for page in (admin.get("/units").text,
                 admin.get("/units/level", params={"parent": tree.district}).text):
        assert "chia cho: Hàm Thuận (đơn vị kế thừa mặc định), Phan Thiết Mới" in \
            _row(page, tree.ham_tri)
        assert "Nhận một phần từ: Hàm Trí (đơn vị kế thừa mặc định: Hàm Thuận)" in _row(page, b.id)
        assert "Nhận một phần" not in _row(page, a.id)  # the default received it whole
        assert "chia cho" not in _row(page, tree.ham_lien)


def test_a_single_merger_reads_as_before(sign_in, api, db):
    with db() as s:
        tree = make_tree(s)
    assert api.patch(f"/api/v1/units/{tree.ham_tri}",
                     json={"merged_into_id": tree.ham_lien}).status_code == 200
    page = sign_in("quantri", Role.admin, None).get("/units").text
    assert "sáp nhập vào Hàm Liêm" in _row(page, tree.ham_tri)
    assert "Nhận một phần" not in page and "chia cho:" not in page  # (the form's hint says "chia cho nhiều")


# -- the unit form's successors (macros.unit_choices, app/ui/unit_form.py), as a browser
# without script posts it: one box per unit `successor_ids:<id>`, the default a radio. --

def _two_successors(db):
    with db() as s:
        tree = make_tree(s)
        a = make_unit(s, code="T-A", name="Hàm Thuận", kind="xa", parent_id=tree.district,
                      active_from="2025-07-01")
        b = make_unit(s, code="T-B", name="Phan Thiết Mới", kind="phuong",
                      parent_id=tree.district, active_from="2025-07-01")
    return tree, a.id, b.id


def _form(tree, **extra):
    return {"name": "Hàm Trí", "code": "T-HT", "level": "commune", "kind": "xa",
            "parent_id": str(tree.district), "active_from": "", "active_to": "30/06/2025",
            "version": "1", **extra}


def test_the_form_sets_two_successors_and_their_default(sign_in, api, db):
    tree, a, b = _two_successors(db)
    manager = sign_in("lanhdao.htb", Role.manager, "T-HTB")
    form = manager.get(f"/units/{tree.ham_tri}/edit").text
    assert "Các đơn vị kế thừa" in form and 'name="successor_ids_q"' in form
    assert 'name="merged_into_id" value="" checked' in form  # neither merged nor divided yet
    # Without script: type, "Tìm"; the units found come back as boxes to tick, what was typed kept.
    found = manager.post(f"/units/{tree.ham_tri}", data=_form(
        tree, successor_ids_q="ham thuan", _pick="successor_ids")).text
    assert f'name="successor_ids:{a}" value="{a}" >' in found
    assert 'value="30/06/2025"' in found
    r = manager.post(f"/units/{tree.ham_tri}", data=_form(
        tree, **{f"successor_ids:{a}": str(a), f"successor_ids:{b}": str(b), "merged_into_id": str(b)}))
    assert r.status_code == 200, r.text
    stored = api.get(f"/api/v1/units/{tree.ham_tri}").json()
    assert stored["successor_ids"] == [b, a] and stored["merged_into_id"] == b
    page = manager.get("/units").text
    assert "chia cho: Phan Thiết Mới (đơn vị kế thừa mặc định), Hàm Thuận" in _row(page, tree.ham_tri)
    # The unit's form shows both, the default chosen; its history names them.
    form = manager.get(f"/units/{tree.ham_tri}/edit").text
    assert f'name="successor_ids:{a}" value="{a}" checked' in form
    assert f'name="merged_into_id" value="{b}" checked' in form
    assert "Các đơn vị kế thừa “” → “Phan Thiết Mới, Hàm Thuận”" in html.unescape(form)


def test_one_successor_is_a_merger_and_none_clears_it(sign_in, api, db):
    tree, a, b = _two_successors(db)
    manager = sign_in("lanhdao.htb", Role.manager, "T-HTB")
    both = {f"successor_ids:{a}": str(a), f"successor_ids:{b}": str(b)}
    r = manager.post(f"/units/{tree.ham_tri}", data=_form(tree, **both))  # no default chosen
    assert r.status_code == 200, r.text
    assert api.get(f"/api/v1/units/{tree.ham_tri}").json()["merged_into_id"] == a  # the first
    r = manager.post(f"/units/{tree.ham_tri}", data=_form(
        tree, version="2", **{f"successor_ids:{a}": str(a), "merged_into_id": str(a)}))
    assert r.status_code == 200, r.text
    stored = api.get(f"/api/v1/units/{tree.ham_tri}").json()
    assert stored["successor_ids"] == [] and stored["merged_into_id"] == a
    assert "sáp nhập vào Hàm Thuận" in _row(manager.get("/units").text, tree.ham_tri)
    # The default chosen among the units found, its box left empty: it is a successor too.
    r = manager.post(f"/units/{tree.ham_tri}", data=_form(
        tree, version="3", **{f"successor_ids:{a}": str(a), "merged_into_id": str(b)}))
    assert r.status_code == 200, r.text
    stored = api.get(f"/api/v1/units/{tree.ham_tri}").json()
    assert stored["successor_ids"] == [b, a] and stored["merged_into_id"] == b
    r = manager.post(f"/units/{tree.ham_tri}", data=_form(tree, version="4", merged_into_id=""))
    assert r.status_code == 200, r.text
    stored = api.get(f"/api/v1/units/{tree.ham_tri}").json()
    assert stored["successor_ids"] == [] and stored["merged_into_id"] is None


def test_the_services_refusals_are_told_beside_the_field(sign_in, api, db):
    tree, a, b = _two_successors(db)
    manager = sign_in("lanhdao.htb", Role.manager, "T-HTB")

    def refused(unit: int, *ids: int, default: int | None = None) -> str:
        boxes = {f"successor_ids:{v}": str(v) for v in ids}
        boxes["merged_into_id"] = str(default or "")
        r = manager.post(f"/units/{unit}", data=_form(tree, **boxes) if unit == tree.ham_tri else {
            "name": "Hàm Thuận", "code": "T-A", "level": "commune", "kind": "xa",
            "parent_id": str(tree.district), "active_from": "01/07/2025", "version": "1", **boxes})
        assert r.status_code == 422, r.text
        return html.unescape(r.text)

    # A village of its own: in its own subtree.
    text = refused(tree.ham_tri, a, tree.lam_giang, b)
    assert "Không thể chia đơn vị cho chính nó, cho đơn vị thuộc phạm vi của nó" in text
    # A unit that does not exist (deleted meanwhile, or a forged box).
    text = refused(tree.ham_tri, a, 999_999)
    assert "Đơn vị số 999999 không tồn tại." in text
    assert f'name="successor_ids:{a}" value="{a}" checked' in text  # the ticks kept
    # As its default: merged into a unit of its own.
    text = refused(tree.ham_tri, a, default=tree.lam_giang)
    assert "Sáp nhập vào: Không thể sáp nhập đơn vị vào chính nó hoặc vào đơn vị thuộc phạm vi" in text
    # A cycle: Hàm Trí divided between A and B, then A divided between B and Hàm Trí.
    assert api.patch(f"/api/v1/units/{tree.ham_tri}",
                     json={"successor_ids": [a, b]}).status_code == 200
    text = refused(a, b, tree.ham_tri, default=b)
    assert "(vòng kế thừa)" in text
    assert api.get(f"/api/v1/units/{a}").json()["successor_ids"] == []


def test_a_new_unit_with_two_successors(sign_in, api, db):
    tree, a, b = _two_successors(db)
    manager = sign_in("lanhdao.htb", Role.manager, "T-HTB")
    r = manager.post("/units", data={
        "name": "Hàm Chính", "code": "T-HC", "level": "commune", "kind": "xa",
        "parent_id": str(tree.district), "active_to": "30/06/2025",
        f"successor_ids:{a}": str(a), f"successor_ids:{b}": str(b), "merged_into_id": str(a)})
    assert r.status_code == 200, r.text
    made = api.get("/api/v1/units", params={"code": "T-HC", "on": "2025-01-01"}).json()["items"][0]
    assert made["successor_ids"] == [a, b] and made["merged_into_id"] == a


def _between(page: str, start: str, end: str) -> str:
    match = re.search(rf"{start}.*?{end}", page, re.S)
    assert match, f"no {start}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(0)))


def test_a_non_default_successor_says_what_it_received_on_its_edit_page_and_report(sign_in, api, db):
    tree, a, b = _two_successors(db)
    r = api.patch(f"/api/v1/units/{tree.ham_tri}",
                  json={"successor_ids": [a, b], "merged_into_id": a, "active_to": "2025-06-30"})
    assert r.status_code == 200, r.text
    note = "Nhận một phần từ: Hàm Trí (đơn vị kế thừa mặc định: Hàm Thuận)"
    manager = sign_in("lanhdao.htb", Role.manager, "T-HTB")
    assert note in _between(manager.get(f"/units/{b}/edit").text, '<form id="entry-form"', "</form>")
    report = manager.get("/reports/summary", params={"unit_id": b, "preset": "2025"}).text
    assert note in _between(report, '<header class="report-head">', "</header>")
    # The default received it whole: neither of its pages says it received a part.
    assert "Nhận một phần" not in _between(manager.get(f"/units/{a}/edit").text,
                                           '<form id="entry-form"', "</form>")
    assert "Nhận một phần" not in manager.get("/reports/summary", params={"unit_id": a}).text
