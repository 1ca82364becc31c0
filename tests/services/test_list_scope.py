"""Lists and scope checks from the tree kept in memory (unit_tree.tree): the same answers as the
recursive queries, mergers included, and at once after any change of the tree, however it
was written (the triggers of migration 0015)."""

from itertools import product

import pytest
from sqlalchemy import select, text

from app.db.units import Unit
from app.enums import Role
from app.services import models, scope, unit_tree
from app.services.actor import Actor
from tests.factories import make_model, make_tree
from tests.services.test_scope import world  # noqa: F401  (the fixture)


def unit_ids(s) -> list[int]:
    return sorted(s.exec(select(Unit.id)).scalars())


def sql_subtree(s, root: int) -> set[int]:
    return set(s.exec(scope.subtree_ids(root)).scalars())


def sql_descendants(s, root: int) -> set[int]:
    """Below `root` along parents only, as a recursive query."""
    return set(s.connection().execute(text(
        "WITH RECURSIVE d(id) AS (SELECT id FROM unit WHERE id = :r UNION "
        "SELECT unit.id FROM unit JOIN d ON unit.parent_id = d.id) SELECT id FROM d"),
        {"r": root}).scalars())


def model_on(s, unit_id: int, name: str):
    """A model on `unit_id`, dated while the unit is in force (the mergers' units are not all)."""
    start = "2025-07-15" if s.get(Unit, unit_id).active_from else "2018-03-01"
    return make_model(s, unit_id=unit_id, name=name, start_date=start)


def clerk(unit_id: int | None) -> Actor:
    return Actor(user_id=None, username="cb", role=Role.clerk, unit_id=unit_id)


def test_the_tree_in_memory_agrees_with_the_recursive_queries(db, world):  # noqa: F811
    with db() as s:
        ids = unit_ids(s)
        for root in ids + [10**6]:
            below, parents = sql_subtree(s, root), sql_descendants(s, root)
            assert unit_tree.tree(s).subtree(root) == below, root
            assert set(scope.subtree_id_list(s, root).ids) == below
            for unit in ids:
                assert scope.in_subtree(s, unit, root) is (unit in below), (unit, root)
                assert scope.is_descendant(s, unit, root) is (unit in parents), (unit, root)
                assert scope.can_see_unit(s, clerk(root), unit) is (unit in below), (unit, root)


def test_every_pair_of_scope_and_filter_lists_what_both_hold(db, world):  # noqa: F811
    """A clerk's list with a unit filter shows the records of the units in both subtrees:
    the filter's alone when it lies inside the clerk's (a predecessor inside its successor's
    too), the clerk's when the filter is above, their common part after mergers, nothing when
    they are apart."""
    with db() as s:
        ids = unit_ids(s)
        on = {u: model_on(s, u, f"Mô hình {u}").id for u in ids}
    with db() as s:
        for home, wanted in product(ids + [None], ids + [None]):
            actor = clerk(home) if home is not None else Actor(None, "ad", Role.admin, None)
            expected = set(ids) if home is None else sql_subtree(s, home)
            if wanted is not None:
                expected &= sql_subtree(s, wanted)
            page = models.list(s, actor=actor, filters=models.Filters(unit_id=wanted, limit=500))
            assert {m.id for m in page.items} == {on[u] for u in expected}, (home, wanted)
            assert page.total == len(expected), (home, wanted)


def test_a_scope_or_filter_over_the_whole_tree_adds_no_condition(db):
    with db() as s:
        t = make_tree(s)
    with db() as s:
        assert scope.list_units(s, clerk(t.province), None) is None
        assert scope.list_units(s, clerk(t.district), t.province) == unit_tree.tree(s).subtree(t.district)
        assert scope.list_units(s, clerk(t.province), t.ham_tri) == {t.ham_tri, t.lam_giang}
        assert scope.list_units(s, clerk(t.ham_tri), t.ham_lien) == frozenset()


def test_a_tree_changed_by_raw_sql_is_seen_at_once(db, engine, world):  # noqa: F811
    t = world["t"]
    with db() as s:
        assert not scope.in_subtree(s, t.thon_1, t.ham_tri)
    with engine.begin() as conn:  # no service, no version: only the trigger knows
        conn.execute(text("UPDATE unit SET parent_id = :p WHERE id = :v"),
                     {"p": t.ham_tri, "v": t.thon_1})
    with db() as s:
        assert scope.in_subtree(s, t.thon_1, t.ham_tri)
        assert scope.is_descendant(s, t.thon_1, t.ham_tri)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM unit WHERE id = :v"), {"v": t.thon_1})
    with db() as s:
        assert not scope.can_see_unit(s, clerk(t.province), t.thon_1)


def test_a_change_rolled_back_is_never_served(db, world):  # noqa: F811
    t = world["t"]
    with db() as s:
        s.connection().execute(text("UPDATE unit SET merged_into_id = :m WHERE id = :c"),
                               {"m": t.ham_tri, "c": t.ham_lien})
        assert scope.in_subtree(s, t.thon_1, t.ham_tri)  # the transaction sees its own change
        s.rollback()
    with db() as s:
        assert not scope.in_subtree(s, t.thon_1, t.ham_tri)
        assert unit_tree.tree(s).subtree(t.ham_tri) == sql_subtree(s, t.ham_tri)


@pytest.mark.parametrize("sort", [None, "id", "-id"])
def test_keyset_pages_follow_the_list_in_every_scope(db, world, sort):  # noqa: F811
    t = world["t"]
    with db() as s:
        for u in (t.ham_tri, t.lam_giang, t.ham_lien, world["succ_v"], world["hiep"]):
            for i in range(3):
                model_on(s, u, f"Mô hình {u}-{i}")
    for actor in (clerk(t.district), clerk(world["succ"]), Actor(None, "ad", Role.admin, None)):
        with db() as s:
            whole = [m.id for m in models.list(s, actor=actor, filters=models.Filters(
                sort=sort, limit=500)).items]
            seen, after = [], None
            while True:
                page = models.list(s, actor=actor, filters=models.Filters(
                    sort=sort, limit=4, after=after))
                assert page.total == len(whole)
                seen += [m.id for m in page.items]
                if page.next is None:
                    break
                after = page.next
            assert seen == whole and seen == sorted(whole, reverse=sort == "-id")
