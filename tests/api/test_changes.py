"""GET /api/v1/changes: a provincial system keeps a copy in step, deletions included, and
pages through the feed while clerks write without missing or repeating a change."""

import threading

import pytest
from sqlalchemy import select

from app.db.audit import AuditEntry
from app.enums import Role
from tests.factories import make_tree

API = "/api/v1"


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


def _work(client, unit_id, name="Đường bê tông"):
    r = client.post(f"{API}/works", json={"name": name, "unit_id": unit_id, "category": "road_concrete"})
    assert r.status_code == 201, r.text
    return r.json()


def _all(client, since=0, **params):
    """Page through the feed the way a sync client does; returns (items, last cursor)."""
    items = []
    while True:
        page = client.get(f"{API}/changes", params={"since": since, **params}).json()
        items += page["items"]
        since = page["next"]
        if not page["more"]:
            return items, since


def test_creates_updates_and_deletes_in_commit_order(api, tree):
    start = api.get(f"{API}/changes", params={"resource": "works"}).json()["next"]
    work = _work(api, tree.ham_tri)
    other = _work(api, tree.ham_lien, "Kênh mương")
    api.patch(f"{API}/works/{work['id']}", json={"name": "Đường liên thôn"},
              headers={"If-Match": '"1"'}).raise_for_status()
    assert api.delete(f"{API}/works/{work['id']}").status_code == 204
    items, last = _all(api, since=start, resource="works", limit=1)
    assert [(i["id"], i["action"]) for i in items] == [
        (work["id"], "create"), (other["id"], "create"), (work["id"], "update"), (work["id"], "delete")]
    assert [i["record"] for i in items if i["id"] == work["id"]] == [None, None, None]  # gone now
    assert items[1]["record"]["name"] == "Kênh mương"
    cursors = [i["cursor"] for i in items]
    assert cursors == sorted(set(cursors))
    assert api.get(f"{API}/changes", params={"since": last}).json() == {"items": [], "next": last,
                                                                       "more": False}


def test_the_feed_is_scoped_and_keeps_denouncers_hidden(api, make_user, tree):
    _work(api, tree.ham_lien, "Công trình của Hàm Liêm")
    r = api.post(f"{API}/petitions", json={"received_date": "2024-05-02", "unit_id": tree.lam_giang,
                                           "type": "denunciation", "subject": "Tố cáo",
                                           "petitioner_name": "Phạm Văn Tố"})
    assert r.status_code == 201
    clerk = make_user(Role.clerk, "T-HT")
    items, _ = _all(clerk)
    assert {i["unit_id"] for i in items} <= {tree.ham_tri, tree.lam_giang}
    petition = next(i for i in items if i["resource"] == "petitions")
    assert petition["record"]["petitioner_name"] is None
    manager = make_user(Role.manager, "T-HT")
    seen = next(i for i in _all(manager)[0] if i["resource"] == "petitions")
    assert seen["record"]["petitioner_name"] == "Phạm Văn Tố"
    assert "Phạm Văn Tố" not in clerk.get(f"{API}/changes").text


@pytest.mark.parametrize("params", [{"since": -1}, {"limit": 0}, {"limit": 100_000},
                                    {"resource": "khong-co"}, {"unit_id": "abc"}])
def test_bad_parameters(api, tree, params):
    r = api.get(f"{API}/changes", params=params)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_paging_while_clerks_write_misses_and_repeats_nothing(api, make_user, db, tree):
    clerks = [make_user(Role.clerk, "T-HT") for _ in range(2)]

    def write(client, n):
        for k in range(n):
            _work(client, tree.lam_giang, f"Công trình {k}")

    writers = [threading.Thread(target=write, args=(c, 15)) for c in clerks]
    for w in writers:
        w.start()
    seen, since = [], 0
    while any(w.is_alive() for w in writers):
        page = api.get(f"{API}/changes", params={"since": since, "limit": 3, "resource": "works"}).json()
        seen += [i["cursor"] for i in page["items"]]
        since = page["next"]
    for w in writers:
        w.join()
    items, _ = _all(api, since=since, resource="works", limit=3)
    seen += [i["cursor"] for i in items]
    with db() as s:
        expected = list(s.exec(select(AuditEntry.id).where(AuditEntry.resource == "works")
                               .order_by(AuditEntry.id)).scalars())
    assert len(expected) == 30
    assert seen == expected  # every change once, in order
