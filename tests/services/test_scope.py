"""app.services.scope: subtrees with the 2025 mergers, cycle safety, and who may write where."""

import threading
from datetime import date

import pytest
from sqlalchemy import text

from app.db.models import ModelCreate, ModelUpdate
from app.db.units import UnitUpdate
from app.enums import PetitionStatus, Role
from app.services import models, scope, units
from app.services.petitions import records as petitions
from app.services.petitions import workflow
from app.services.actor import SYSTEM, Actor
from app.services.errors import Forbidden, NotFound
from tests.factories import make_model, make_petition, make_tree, make_unit


@pytest.fixture
def world(db):
    """Tree S (province → district → Hàm Trí, Hàm Liêm → villages), another district with
    Hàm Hiệp, and a 2025 successor commune that Hàm Trí and Hàm Hiệp were merged into."""
    with db() as s:
        t = make_tree(s, "S")
        other = make_unit(s, code="S-PT", name="Phan Thiết", level="district", parent_id=t.province)
        hiep = make_unit(s, code="S-HH", name="Hàm Hiệp", parent_id=other.id)
        hiep_v = make_unit(s, code="S-HH1", name="Thôn 1", level="village", parent_id=hiep.id)
        new_p = make_unit(s, code="S-LD", name="Lâm Đồng", level="province",
                          active_from="2025-07-01")
        succ = make_unit(s, code="S-HTN", name="Hàm Thuận", parent_id=new_p.id,
                         active_from="2025-07-01")
        succ_v = make_unit(s, code="S-HTN1", name="Thôn mới", level="village", parent_id=succ.id)
        for old in (t.ham_tri, hiep.id):
            units.update(s, actor=SYSTEM, id=old,
                         data=UnitUpdate(merged_into_id=succ.id, active_to="2025-06-30"))
    return {"t": t, "other": other.id, "hiep": hiep.id, "hiep_v": hiep_v.id, "new_p": new_p.id,
            "succ": succ.id, "succ_v": succ_v.id}


def subtree(s, unit_id):
    return set(s.exec(scope.subtree_ids(unit_id)).scalars())


def test_a_successor_includes_its_predecessors_and_their_villages(db, world):
    t = world["t"]
    with db() as s:
        assert subtree(s, world["succ"]) == {world["succ"], world["succ_v"], t.ham_tri,
                                             t.lam_giang, world["hiep"], world["hiep_v"]}
        assert subtree(s, world["new_p"]) == {world["new_p"]} | subtree(s, world["succ"])
        # The old units still add up on the old tree, without the successor's own units.
        assert subtree(s, t.district) == {t.district, t.ham_tri, t.ham_lien, t.lam_giang, t.thon_1}
        assert subtree(s, t.ham_tri) == {t.ham_tri, t.lam_giang}
        assert subtree(s, t.province) == {t.province, t.district, t.ham_tri, t.ham_lien,
                                          t.lam_giang, t.thon_1, world["other"], world["hiep"],
                                          world["hiep_v"]}


@pytest.mark.parametrize("unit, root, expected", [
    ("lam_giang", "succ", True), ("hiep_v", "succ", True), ("ham_tri", "succ", True),
    ("succ_v", "succ", True), ("succ", "succ", True), ("ham_lien", "succ", False),
    ("succ", "ham_tri", False), ("succ_v", "district", False), ("lam_giang", "district", True),
    ("district", "lam_giang", False), ("hiep", "new_p", True), ("hiep", "district", False),
])
def test_in_subtree(db, world, unit, root, expected):
    def uid(name):
        return world[name] if name in world else getattr(world["t"], name)

    with db() as s:
        assert scope.in_subtree(s, uid(unit), uid(root)) is expected


@pytest.mark.parametrize("candidate, root, expected", [
    ("lam_giang", "province", True), ("lam_giang", "lam_giang", True),
    ("ham_tri", "district", True), ("district", "ham_tri", False),
    # Mergers aside: a predecessor is not below its successor in the parent tree.
    ("ham_tri", "succ", False), ("lam_giang", "succ", False), ("succ_v", "succ", True),
    ("hiep", "province", True), ("succ", "province", False),
])
def test_is_descendant_follows_parents_only(db, world, candidate, root, expected):
    def uid(name):
        return world[name] if name in world else getattr(world["t"], name)

    with db() as s:
        assert scope.is_descendant(s, uid(candidate), uid(root)) is expected


def test_chained_mergers_reach_the_first_predecessor(db, world):
    with db() as s:
        later = make_unit(s, code="S-Z", name="Xã sau nữa", parent_id=world["new_p"],
                          active_from="2027-01-01")
        units.update(s, actor=SYSTEM, id=world["succ"],
                     data=UnitUpdate(merged_into_id=later.id))
    with db() as s:
        assert world["t"].lam_giang in subtree(s, later.id)
        assert world["hiep_v"] in subtree(s, later.id)
        assert len(subtree(s, later.id)) == 7


def _finishes(fn, seconds=15):
    box = {}

    def run():
        box["value"] = fn()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the recursive query did not terminate"
    return box["value"]


def test_a_merge_cycle_written_directly_still_terminates(db, engine, world):
    t = world["t"]
    with engine.begin() as conn:  # two units merged into each other, behind the service's back
        conn.execute(text("UPDATE unit SET merged_into_id = :a WHERE id = :b"),
                     {"a": t.ham_lien, "b": t.ham_tri})
        conn.execute(text("UPDATE unit SET merged_into_id = :a WHERE id = :b"),
                     {"a": t.ham_tri, "b": t.ham_lien})

    def query():
        with db() as s:
            return (subtree(s, t.ham_tri), scope.in_subtree(s, world["succ"], t.ham_lien),
                    scope.in_subtree(s, t.thon_1, t.ham_tri))

    tree, succ_in, thon_in = _finishes(query)
    assert tree == {t.ham_tri, t.lam_giang, t.ham_lien, t.thon_1}
    assert (succ_in, thon_in) == (False, True)


def test_a_parent_cycle_written_directly_still_terminates(db, engine, world):
    t = world["t"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE unit SET parent_id = :a WHERE id = :b"),
                     {"a": t.lam_giang, "b": t.ham_tri})

    def query():
        with db() as s:
            return (subtree(s, t.ham_tri), scope.is_descendant(s, t.district, t.ham_tri),
                    scope.is_descendant(s, t.lam_giang, t.ham_tri))

    tree, district_below, village_below = _finishes(query)
    assert tree == {t.ham_tri, t.lam_giang}
    assert (district_below, village_below) == (False, True)


def _viewer(unit_id, can_write):
    return Actor(user_id=None, username="xem", role=Role.viewer, unit_id=unit_id,
                 can_write=can_write)


@pytest.mark.parametrize("can_write", [False, True])
def test_a_viewer_actor_is_forbidden_to_write(db, world, can_write):
    t = world["t"]
    viewer = _viewer(t.ham_tri, can_write)
    with db() as s:
        model = make_model(s, unit_id=t.ham_tri, name="Mô hình A")
        pet = make_petition(s, unit_id=t.ham_tri)
    writes = [
        lambda s: scope.check_write(s, viewer, t.ham_tri),
        lambda s: models.create(s, actor=viewer, data=ModelCreate.model_validate({
            "name": "B", "unit_id": t.lam_giang, "field": "economy",
            "org_type": "womens_union", "start_date": "2020-01-01"})),
        lambda s: models.update(s, actor=viewer, id=model.id, data=ModelUpdate(name="Đổi tên")),
        lambda s: models.delete(s, actor=viewer, id=model.id),
        lambda s: workflow.transition(s, actor=viewer, id=pet.id, to=PetitionStatus.accepted,
                                      on=date(2019, 5, 7)),
    ]
    for write in writes:  # each in its own unit of work, rolled back by the error
        with pytest.raises(Forbidden):
            with db() as s:
                write(s)
    with db() as s:
        # Reading is what a viewer does.
        assert models.get(s, actor=viewer, id=model.id).name == "Mô hình A"
        assert models.list(s, actor=SYSTEM, filters=models.Filters()).total == 1
        assert petitions.get(s, actor=SYSTEM, id=pet.id).status == "received"


def test_a_clerk_actor_outside_the_subtree(db, world):
    t = world["t"]
    clerk = Actor(user_id=None, username="cb", role=Role.clerk, unit_id=t.ham_lien)
    with db() as s:
        model = make_model(s, unit_id=t.lam_giang)
    with db() as s:
        with pytest.raises(Forbidden):
            scope.check_write(s, clerk, t.ham_tri)
        with pytest.raises(NotFound):
            models.get(s, actor=clerk, id=model.id)
        scope.check_write(s, clerk, t.thon_1)  # inside: no error


def test_api_outside_the_subtree_is_403_on_writes_and_404_on_reads(db, make_user, world):
    t = world["t"]
    with db() as s:
        outside = make_model(s, unit_id=t.ham_lien, name="Ngoài")
        inside = make_model(s, unit_id=t.lam_giang, name="Trong")
        pet = make_petition(s, unit_id=t.thon_1)
    clerk = make_user(Role.clerk, "S-HT")
    body = {"name": "Mới", "unit_id": t.ham_lien, "field": "economy",
            "org_type": "youth_union", "start_date": "2020-01-01"}
    assert clerk.post("/api/v1/models", json=body).status_code == 403
    assert clerk.post("/api/v1/petitions", json={
        "received_date": "2020-01-02", "unit_id": t.thon_1, "type": "request",
        "subject": "Kiến nghị"}).status_code == 403
    r = clerk.patch(f"/api/v1/models/{inside.id}", json={"unit_id": t.ham_lien})
    assert r.status_code == 403
    assert clerk.get(f"/api/v1/models/{inside.id}").json()["unit_id"] == t.lam_giang
    assert clerk.post("/api/v1/models", json={**body, "unit_id": t.lam_giang}).status_code == 201
    for path in (f"/api/v1/models/{outside.id}", f"/api/v1/petitions/{pet.id}",
                 f"/api/v1/petitions/{pet.id}/history", f"/api/v1/units/{t.ham_lien}",
                 f"/api/v1/units/{t.district}"):
        assert clerk.get(path).status_code == 404, path
    # Changing a record the clerk cannot see is refused and changes nothing.
    assert clerk.patch(f"/api/v1/models/{outside.id}", json={"name": "X"}).status_code in (403, 404)
    assert clerk.delete(f"/api/v1/models/{outside.id}").status_code in (403, 404)
    assert clerk.post(f"/api/v1/petitions/{pet.id}/transitions",
                      json={"to": "accepted", "date": "2019-05-07"}).status_code in (403, 404)
    with db() as s:
        assert models.get(s, actor=SYSTEM, id=outside.id).name == "Ngoài"
        assert petitions.get(s, actor=SYSTEM, id=pet.id).status == "received"


def test_api_viewer_reads_but_cannot_write(db, make_user, world):
    t = world["t"]
    with db() as s:
        model = make_model(s, unit_id=t.lam_giang, name="Trong")
        pet = make_petition(s, unit_id=t.ham_tri)
    viewer = make_user(Role.viewer, "S-HT")
    assert viewer.get(f"/api/v1/models/{model.id}").status_code == 200
    assert viewer.post("/api/v1/models", json={
        "name": "Mới", "unit_id": t.ham_tri, "field": "economy", "org_type": "youth_union",
        "start_date": "2020-01-01"}).status_code == 403
    assert viewer.patch(f"/api/v1/models/{model.id}", json={"name": "X"}).status_code == 403
    assert viewer.delete(f"/api/v1/models/{model.id}").status_code == 403
    assert viewer.post(f"/api/v1/petitions/{pet.id}/transitions",
                       json={"to": "accepted", "date": "2019-05-07"}).status_code == 403
    assert viewer.get(f"/api/v1/models/{model.id}").json()["name"] == "Trong"


def test_api_successor_staff_reach_predecessors_records_but_not_the_reverse(db, make_user, world):
    t = world["t"]
    with db() as s:
        old = make_model(s, unit_id=t.lam_giang, name="Cũ")
        new = make_model(s, unit_id=world["succ_v"], name="Mới", start_date="2025-09-01")
    succ_clerk = make_user(Role.clerk, "S-HTN")
    assert succ_clerk.get(f"/api/v1/models/{old.id}").status_code == 200
    r = succ_clerk.patch(f"/api/v1/models/{old.id}", json={"members": 20})
    assert (r.status_code, r.json()["members"], r.json()["unit_id"]) == (200, 20, t.lam_giang)
    old_clerk = make_user(Role.clerk, "S-HT")
    assert old_clerk.get(f"/api/v1/models/{new.id}").status_code == 404
    assert old_clerk.get(f"/api/v1/units/{world['succ']}").status_code == 404


@pytest.mark.parametrize("role", [Role.viewer, Role.clerk, Role.manager])
def test_api_staff_filter_lists_by_unit_within_their_subtree(db, make_user, world, role):
    t = world["t"]
    with db() as s:
        village = make_model(s, unit_id=t.lam_giang, name="Thôn")
        make_model(s, unit_id=t.ham_lien, name="Ngoài")
        commune = make_model(s, unit_id=t.ham_tri, name="Xã")
    client = make_user(role, "S-HT")
    r = client.get("/api/v1/models", params={"unit_id": t.lam_giang})
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["items"]] == [village.id]
    r = client.get("/api/v1/models", params={"unit_id": t.ham_tri})
    assert {i["id"] for i in r.json()["items"]} == {village.id, commune.id}
    r = client.get("/api/v1/models", params={"unit_id": t.ham_lien})
    assert r.status_code == 404 or (r.status_code, r.json()["total"]) == (200, 0)


def test_a_scoped_actor_lists_with_a_unit_filter(db, world):
    # The actor's own subtree and the unit_id filter are both recursive queries in one list.
    t = world["t"]
    with db() as s:
        model = make_model(s, unit_id=t.lam_giang)
        make_model(s, unit_id=t.ham_lien)
    clerk = Actor(user_id=None, username="cb", role=Role.clerk, unit_id=t.district)
    with db() as s:
        page = models.list(s, actor=clerk, filters=models.Filters(unit_id=t.ham_tri))
        assert ([m.id for m in page.items], page.total) == ([model.id], 1)
