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
    assert "Nhận một phần" not in page and "chia cho" not in page
