"""The law on petitions, written once (app/services/petitions/rules.py): the state sets
partition the statuses, and one deadline rule gives the badge that the petition's page and the
dashboard both show."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from app.enums import PetitionStatus as S
from app.services.petitions import rules
from tests.factories import make_petition, make_tree

DAY = date(2025, 3, 11)


def test_every_status_is_open_or_closed_and_none_both():
    assert rules.OPEN | rules.CLOSED == set(S)
    assert not rules.OPEN & rules.CLOSED


def test_the_other_sets_sit_inside_the_partition():
    assert rules.OUTSIDE_COMPETENCE <= rules.CLOSED and rules.DONE == rules.CLOSED - rules.OUTSIDE_COMPETENCE
    assert rules.UNDER_WAY <= rules.OPEN
    # Only an open petition takes a step, and every open one has a step to take.
    assert set(rules.TRANSITIONS) == rules.OPEN
    assert all(to != start for start, tos in rules.TRANSITIONS.items() for to in tos)


def _petition(days_left: int, status: S = S.received) -> SimpleNamespace:
    return SimpleNamespace(status=status.value, due_date=DAY + timedelta(days=days_left))


@pytest.mark.parametrize(("days_left", "state"), [
    (-30, "overdue"), (-1, "overdue"), (0, "due_soon"), (1, "due_soon"),
    (rules.DUE_SOON_DAYS, "due_soon"), (rules.DUE_SOON_DAYS + 1, "on_time"), (60, "on_time"),
])
def test_the_deadline_of_an_open_petition_at_its_edges(days_left, state):
    for status in rules.OPEN:
        d = rules.deadline(_petition(days_left, status), DAY)
        assert (d.state, d.days_left, d.due_date) == (state, days_left, DAY + timedelta(days=days_left))


@pytest.mark.parametrize("status", sorted(rules.CLOSED))
def test_a_closed_petition_has_no_deadline_to_meet(status):
    d = rules.deadline(_petition(-5, status), DAY)
    assert (d.state, d.days_left) == ("closed", None)


def _states(html: str) -> dict[int, str]:
    """Each listed petition's badge on the dashboard: its state, by the petition's id."""
    return {int(i): state for state, i in re.findall(
        r'data-deadline="(\w+)".*?href="/petitions/(\d+)"', html, re.S)}


def test_the_page_and_the_dashboard_show_the_same_badge(db, sign_in, clock):
    """Both ask `rules.deadline` for Vietnam's date: at 18:00 UTC on 10/03 it is already 11/03
    in Vietnam, whatever the server's clock says."""
    clock("2025-03-10T18:00:00+00:00")
    with db() as s:
        tree = make_tree(s)
        # Received, not yet accepted: due ten days after receipt (ACCEPT_DAYS).
        made = {left: make_petition(s, unit_id=tree.ham_tri, subject=f"Đơn còn {left} ngày",
                                    received_date=str(DAY + timedelta(days=left - rules.ACCEPT_DAYS))).id
                for left in (-1, 0, rules.DUE_SOON_DAYS, rules.DUE_SOON_DAYS + 1)}
    clerk = sign_in("canbo")
    listed = _states(clerk.get("/dashboard").text.split('data-part="due"')[1].split("</section>")[0])
    on_page = {left: re.findall(r'data-deadline="(\w+)"', clerk.get(f"/petitions/{pid}").text)
               for left, pid in made.items()}
    assert on_page == {-1: ["overdue"], 0: ["due_soon"], rules.DUE_SOON_DAYS: ["due_soon"],
                       rules.DUE_SOON_DAYS + 1: ["on_time"]}
    # The dashboard lists the petitions that need attention, with the page's own badge.
    assert listed == {made[left]: on_page[left][0] for left in (-1, 0, rules.DUE_SOON_DAYS)}


def test_every_kind_has_a_basis_to_accept_and_to_resolve():
    """The ten days to accept and the time to resolve each cite their own law, for every kind
    of petition; `term` names which of the two a due date is."""
    from app.enums import PetitionType

    for kind in PetitionType:
        assert rules.ACCEPT_BASIS[kind] and rules.TIME_LIMITS[kind].basis
        waiting = SimpleNamespace(type=kind.value, accepted_date=None, due_date=DAY)
        assert rules.term(waiting).label == "Hạn thụ lý"
        assert rules.term(waiting).basis == rules.ACCEPT_BASIS[kind]
        accepted = SimpleNamespace(type=kind.value, accepted_date=DAY, due_date=DAY + timedelta(days=45))
        assert rules.term(accepted, 15).label == "Hạn giải quyết"
        assert rules.term(accepted, 15).basis == rules.TIME_LIMITS[kind].basis
        assert rules.term(accepted, 15).counted == "30 ngày kể từ ngày thụ lý, gia hạn thêm 15 ngày"
