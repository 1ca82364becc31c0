"""Units divided between several successors (471 communes in 2025): `successor_ids` holds them
all, `merged_into_id` the default one, through which the records roll up, each counted once."""

import pytest

from app.enums import Role
from tests.api.test_imports import HEAD, post, xlsx
from tests.factories import make_contribution, make_tree, make_unit

U = "/api/v1/units"


@pytest.fixture
def split(api, db):
    """Hàm Trí (district HTB) is divided in 2025 between Hàm Thuận (A, default, in district
    HTB) and Phan Thiết Mới (B, in district PT), both in the province Bình Thuận."""
    with db() as s:
        tree = make_tree(s, "S")
        other = make_unit(s, code="S-PT", name="Phan Thiết", level="district", kind="thanh_pho",
                          parent_id=tree.province)
        a = make_unit(s, code="S-A", name="Hàm Thuận", kind="xa", parent_id=tree.district,
                      active_from="2025-07-01")
        b = make_unit(s, code="S-B", name="Phan Thiết Mới", kind="phuong", parent_id=other.id,
                      active_from="2025-07-01")
        make_contribution(s, unit_id=tree.ham_tri, amount_vnd=7_000_000, date="2024-05-01")
        make_contribution(s, unit_id=b.id, amount_vnd=1_000_000, date="2025-08-01")
    return {"tree": tree, "other": other.id, "a": a.id, "b": b.id}


def audit_changes(api, uid):
    log = api.get("/api/v1/audit", params={"resource": "units", "record_id": uid}).json()
    return [(e["action"], e["changes"]) for e in reversed(log["items"])]


def test_successors_are_written_read_and_audited(api, split):
    ht, a, b = split["tree"].ham_tri, split["a"], split["b"]
    assert api.get(f"{U}/{ht}").json()["successor_ids"] == []
    r = api.patch(f"{U}/{ht}", json={"successor_ids": [a, b], "active_to": "2025-06-30"})
    assert r.status_code == 200, r.text
    # No default given: the first successor is the default.
    assert (r.json()["merged_into_id"], r.json()["successor_ids"]) == (a, [a, b])
    assert api.get(f"{U}/{ht}").json()["successor_ids"] == [a, b]
    listed = {u["id"]: u for u in api.get(U, params={"limit": 500}).json()["items"]}
    assert listed[ht]["successor_ids"] == [a, b] and listed[a]["successor_ids"] == []
    for columns in ("labels", "fields"):
        csv = api.get(f"{U}.csv", params={"columns": columns}).text
        assert f'"{a}, {b}"' in csv  # one cell
        assert api.get(f"{U}.xlsx", params={"columns": columns}).status_code == 200
    last = audit_changes(api, ht)[-1]
    assert last == ("update", {"active_to": [None, "2025-06-30"], "merged_into_id": [None, a],
                               "successor_ids": [[], [a, b]]})
    # The same set in another order changes nothing (the default is listed first).
    r = api.patch(f"{U}/{ht}", json={"successor_ids": [b, a]})
    assert r.status_code == 200, r.text
    assert len(audit_changes(api, ht)) == 2
    # The default moves to B, still one of them.
    r = api.patch(f"{U}/{ht}", json={"merged_into_id": b})
    assert r.status_code == 200, r.text
    assert r.json()["successor_ids"] == [b, a]
    # Back to one successor: the links go, the default stays.
    r = api.patch(f"{U}/{ht}", json={"successor_ids": []})
    assert (r.json()["merged_into_id"], r.json()["successor_ids"]) == (b, [])
    assert audit_changes(api, ht)[-1] == ("update", {"successor_ids": [[b, a], []]})


def test_a_unit_created_with_its_successors(api, split):
    a, b = split["a"], split["b"]
    r = api.post(U, json={"code": "S-OLD", "name": "Xã cũ", "level": "commune", "kind": "xa",
                          "parent_id": split["tree"].district, "active_to": "2025-06-30",
                          "successor_ids": [b, a], "merged_into_id": a})
    assert r.status_code == 201, r.text
    assert (r.json()["merged_into_id"], r.json()["successor_ids"]) == (a, [a, b])
    uid = r.json()["id"]
    assert api.get(f"{U}/{uid}").json()["successor_ids"] == [a, b]
    # One entry: the unit and its successors are one write.
    [(action, changes)] = audit_changes(api, uid)
    assert (action, changes["successor_ids"], changes["merged_into_id"]) == ("create", [None, [a, b]], [None, a])
    r = api.post(U, json={"code": "S-OLD2", "name": "Xã cũ 2", "level": "commune",
                          "parent_id": split["tree"].district, "successor_ids": [b]})
    assert (r.status_code, r.json()["merged_into_id"]) == (201, b)


@pytest.mark.parametrize("body, field", [
    ({"successor_ids": ["a", "b"], "merged_into_id": "district"}, "merged_into_id"),
    ({"successor_ids": ["a", "ham_tri"]}, "successor_ids"),
    ({"successor_ids": ["a", 999_999]}, "successor_ids"),
    ({"successor_ids": ["a", "lam_giang"]}, "successor_ids"),
])
def test_refusals(api, split, body, field):
    def resolve(v):
        if isinstance(v, int):
            return v
        return split[v] if v in split else getattr(split["tree"], v)

    ht = split["tree"].ham_tri
    sent = {k: [resolve(i) for i in v] if isinstance(v, list) else resolve(v)
            for k, v in body.items()}
    r = api.patch(f"{U}/{ht}", json=sent)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert ["body", field] in [e["loc"] for e in errors]
    assert all(any(c in e["msg"] for c in "ịếơ") for e in errors)  # said in Vietnamese
    got = api.get(f"{U}/{ht}").json()
    assert (got["merged_into_id"], got["successor_ids"]) == (None, [])


def test_the_default_must_stay_among_the_successors_and_no_cycle(api, split):
    ht, a, b = split["tree"].ham_tri, split["a"], split["b"]
    assert api.patch(f"{U}/{ht}", json={"successor_ids": [a, b]}).status_code == 200
    for default in (split["tree"].ham_lien, None):
        r = api.patch(f"{U}/{ht}", json={"merged_into_id": default})
        assert r.status_code == 422, r.text
        assert "một trong các đơn vị kế thừa" in r.text
    # B cannot be divided back into Hàm Trí: Hàm Trí's successors would include itself.
    r = api.patch(f"{U}/{b}", json={"successor_ids": [split["tree"].ham_lien, ht]})
    assert r.status_code == 422, r.text
    assert "vòng kế thừa" in r.text
    assert api.get(f"{U}/{b}").json()["successor_ids"] == []


def test_a_successor_outside_the_managers_subtree_is_refused(make_user, split):
    manager = make_user(Role.manager, "S-HTB")
    r = manager.patch(f"{U}/{split['tree'].ham_tri}",
                      json={"successor_ids": [split["a"], split["b"]]})
    assert r.status_code == 403, r.text
    r = manager.patch(f"{U}/{split['tree'].ham_tri}", json={"successor_ids": [split["a"]]})
    assert r.status_code == 200, r.text


def test_a_split_communes_records_count_once(api, split):
    """No figures move: the default successor's district counts the predecessor's records,
    the other successor's does not, and the province counts them once."""
    ht, a, b = split["tree"].ham_tri, split["a"], split["b"]
    assert api.patch(f"{U}/{ht}", json={"successor_ids": [a, b], "active_to": "2025-06-30"}
                     ).status_code == 200

    def amount(unit_id):
        r = api.get("/api/v1/reports/summary", params={
            "unit_id": unit_id, "date_from": "2024-01-01", "date_to": "2025-12-31"})
        assert r.status_code == 200, r.text
        return r.json()["contributions"]["total_vnd"]

    assert amount(split["tree"].province) == 8_000_000
    assert amount(split["tree"].district) == 7_000_000
    assert amount(split["other"]) == 1_000_000
    assert amount(a) == 7_000_000
    assert amount(b) == 1_000_000


def test_a_successor_that_is_no_id_is_refused_with_422_not_a_500(api):
    """Found by the fuzzer: a negative successor became the default successor and failed the
    schema only after the service had used it."""
    r = api.post("/api/v1/units", json={"code": "X-NEG", "name": "Xã thử", "level": "commune",
                                        "kind": "xa", "successor_ids": [-41, 7843]})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"][:2] == ["body", "successor_ids"]


def test_a_record_after_a_split_names_every_successor_the_default_first(api, db, split):
    """Hàm Trí, divided in three from 01/07/2025: a gift dated after its end is refused,
    naming the three successors, the default first and marked."""
    tree = split["tree"]
    with db() as s:
        c = make_unit(s, code="S-C", name="Hồng Sơn", kind="xa", parent_id=tree.district,
                      active_from="2025-07-01")
    r = api.patch(f"{U}/{tree.ham_tri}", json={"successor_ids": [split["b"], split["a"], c.id],
                                                "merged_into_id": split["b"],
                                                "active_to": "2025-06-30"})
    assert r.status_code == 200, r.text
    r = api.post("/api/v1/contributions", json={
        "unit_id": tree.ham_tri, "source": "people", "kind": "cash", "amount_vnd": 100_000,
        "date": "2025-08-01"})
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["loc"] == ["body", "unit_id"]
    named = ("Đơn vị đã được chia cho 'Phan Thiết Mới' (đơn vị kế thừa mặc định), 'Hàm Thuận', "
             "'Hồng Sơn': hãy chọn một trong các đơn vị này.")
    assert error["msg"].endswith(f"không nhận bản ghi ngày 01/08/2025. {named}"), error
    # A sheet's row is refused in the same words.
    sheet = [HEAD, ["S-HT", "Nhân dân", "Tiền mặt", "100.000", None, None, "Trần Văn Tư",
                    "01/08/2025", None, "DG-1"]]
    r = post(api, "contributions", xlsx(sheet), dry_run="true")
    assert r.status_code == 200, r.text
    [error] = r.json()["errors"]
    assert error["message"].endswith(named), error
