"""The ranked unit search (services/unit_search.py) on a country-sized tree: folded, in force
on the day first, then the name itself, each hit with its path, scoped to the actor."""

from datetime import date

from sqlalchemy import select

from app.db.units import Unit
from app.enums import Role
from app.services import unit_search
from app.services.actor import Actor
from tests.bigtree import ENDED, load_country

ADMIN = Actor(user_id=None, username="admin", role=Role.admin, unit_id=None)


def test_the_name_itself_comes_first_with_its_province(engine, session):
    tree = load_country(engine)
    found, more = unit_search.search(session, actor=ADMIN, q="phu long", on=date(2026, 1, 1))
    assert more  # dozens of communes of that name: the picker shows the first, says there are more
    assert len(found) == 20
    assert [h.name for h in found[:5]] == ["Phú Long"] * 5
    exact = [h for h in found if h.name == "Phú Long" and h.level == "commune"]
    assert exact and all(len(h.path) == 2 for h in exact)
    assert {h.id for h in exact} <= set(tree["phu_long"])
    # Two communes of one name are told apart by where they lie.
    assert len({h.where for h in exact}) == len(exact)
    assert exact[0].path[0] in tree["province"].values()


def test_units_in_force_on_the_day_come_first(engine, session):
    load_country(engine)
    before = unit_search.search(session, actor=ADMIN, q="Phú Long", on=date(2024, 1, 1), limit=500)[0]
    after = unit_search.search(session, actor=ADMIN, q="Phú Long", on=date(2026, 1, 1), limit=500)[0]
    assert {h.id for h in before} == {h.id for h in after}
    named = [h for h in after if h.name == "Phú Long"]
    ended = [h for h in named if h.active_to == ENDED]
    assert ended, "the tree has old communes"
    # After the mergers every unit in force comes before every ended one, whatever its name
    # (twenty ended communes of the name itself must not hide its successor: the picker shows
    # twenty); within each, the name itself first. Before them every unit was in force.
    assert [h.in_force for h in after] == sorted((h.in_force for h in after), reverse=True)
    current = [h for h in after if h.in_force]
    assert current[:len(named) - len(ended)] == [h for h in named if h.in_force]
    old = [h for h in after if not h.in_force]
    assert old[:len(ended)] == ended
    assert all(h.in_force for h in before)
    assert before[:len(named)] == [h for h in before if h.name == "Phú Long"]


def test_ranks_exact_then_start_then_word_then_inside(session):
    from tests.factories import make_unit

    top = make_unit(session, code="R", name="Gốc", level="province", kind="tinh")
    for code, name in (("A", "Tân Phú Long"), ("B", "Phú Longan"), ("C", "Phú Long"),
                       ("D", "Xphú Long"), ("E", "Long Phú")):
        make_unit(session, code=code, name=name, level="district", kind="huyen", parent_id=top.id)
    session.flush()
    found, more = unit_search.search(session, actor=ADMIN, q="phú long")
    assert [h.name for h in found] == ["Phú Long", "Phú Longan", "Tân Phú Long", "Xphú Long",
                                       "Long Phú"]
    assert not more
    assert found[0].path == ("Gốc",) and found[0].label == "Phú Long (Gốc)"


def test_a_clerk_finds_only_units_of_their_subtree(engine, session):
    load_country(engine)
    district = session.exec(select(Unit).where(Unit.code == "D0000")).scalars().one()
    clerk = Actor(user_id=None, username="c", role=Role.clerk, unit_id=district.id)
    found, _ = unit_search.search(session, actor=clerk, q="a", limit=500)
    assert found and all(h.path[:2] == ("Tỉnh " + h.path[0].split(" ", 1)[1], district.name)
                         or h.id == district.id for h in found)
    assert {h.id for h in found} <= {district.id, *session.exec(
        select(Unit.id).where(Unit.parent_id == district.id)).scalars()}
    assert unit_search.visible_count(session, actor=clerk) == 16


def test_wildcards_typed_are_plain_text(session):
    from tests.factories import make_unit

    make_unit(session, code="X", name="Xã 100%", level="province", kind="tinh")
    make_unit(session, code="Y", name="Xã 1000", level="province", kind="tinh")
    session.flush()
    assert [h.name for h in unit_search.search(session, actor=ADMIN, q="100%")[0]] == ["Xã 100%"]
    assert unit_search.search(session, actor=ADMIN, q="  ")[0] == []


def test_a_level_is_paged_with_child_counts(engine, session):
    load_country(engine)
    top = unit_search.children(session, actor=ADMIN, parent_id=None, limit=25)
    assert top.total == 60 and len(top.rows) == 25
    assert all(n == 10 for _, n in top.rows)
    district, n = unit_search.children(session, actor=ADMIN, parent_id=top.rows[0][0].id).rows[0]
    assert n == 15
    communes = unit_search.children(session, actor=ADMIN, parent_id=district.id)
    assert communes.total == 15
    # The communes still in force come before those ended.
    ended = [u.active_to is not None for u, _ in communes.rows]
    assert ended == sorted(ended)


def test_a_subtree_opens_at_its_unit_and_the_units_merged_into_it(session):
    from tests.factories import make_unit

    old_p = make_unit(session, code="OP", name="Tỉnh cũ", level="province", kind="tinh")
    old_d = make_unit(session, code="OD", name="Huyện cũ", level="district", kind="huyen",
                      parent_id=old_p.id)
    new_p = make_unit(session, code="NP", name="Tỉnh mới", level="province", kind="tinh")
    new_c = make_unit(session, code="NC", name="Xã mới", kind="xa", parent_id=new_p.id)
    old_c = make_unit(session, code="OC", name="Xã cũ", kind="xa", parent_id=old_d.id,
                      merged_into_id=new_c.id)
    session.flush()
    manager = Actor(user_id=None, username="m", role=Role.manager, unit_id=new_p.id)
    top = unit_search.children(session, actor=manager, parent_id=None)
    assert [u.id for u, _ in top.rows] == [new_p.id, old_c.id]
    assert [u.id for u, _ in unit_search.children(session, actor=manager, parent_id=new_p.id).rows] \
        == [new_c.id]
    assert [u.id for u, _ in unit_search.children(session, actor=ADMIN, parent_id=None).rows] \
        == [old_p.id, new_p.id]  # by name: "Tỉnh cũ" before "Tỉnh mới"
