"""The dashboard's figures and their freshness: the same numbers as the summary report, a
change mark moved by every audited write, a shared cache that is reused while nothing changed
and refreshed once something did."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.dashboards import ChangeMark, DashboardCache
from app.db.units import Unit
from app.services import dashboards, reports, rollups, scope
from app.services.actor import SYSTEM
from app.services.errors import Invalid, NotFound
from app.services.actor import Actor
from app.enums import Role
from tests.factories import (make_contribution, make_model, make_petition, make_tree, make_unit,
                             make_work)

TODAY = date(2024, 6, 30)


@pytest.fixture
def tree(db):
    with db() as s:
        t = make_tree(s)
        make_model(s, unit_id=t.lam_giang, start_date="2024-02-01")
        make_model(s, unit_id=t.ham_tri, kind="individual", start_date="2022-05-01")
        w = make_work(s, unit_id=t.ham_tri, completed_date="2024-03-15", quantity=2.5,
                      total_cost_vnd=1_000_000_000)
        make_contribution(s, unit_id=t.lam_giang, work_id=w.id, source="people",
                          amount_vnd=300_000_000, date="2024-03-02")
        make_contribution(s, unit_id=t.ham_tri, work_id=w.id, source="state_budget",
                          amount_vnd=700_000_000, date="2024-01-20")
        make_contribution(s, unit_id=t.ham_lien, source="business", amount_vnd=50_000_000,
                          date="2024-05-05")
        make_petition(s, unit_id=t.lam_giang, received_date="2024-05-02")  # to accept by 12/05
        make_petition(s, unit_id=t.ham_tri, received_date="2024-06-25", subject="Kiến nghị sửa cầu")
    return t


@pytest.fixture
def read(engine):
    """A reading transaction, as a GET has: the dashboard's cache is written beside it."""
    from contextlib import contextmanager

    from app.db.session import session_scope

    @contextmanager
    def reading():
        yield from session_scope(engine)

    return reading


def test_headline_matches_the_summary_report(db, tree):
    """The year's figures are the summary report's of the whole year (they are read from the
    year's sums), but for the overdue petitions, which are today's."""
    with db() as s:
        f = dashboards.figures(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
        year = reports.summary(s, actor=SYSTEM, unit_id=tree.ham_tri, date_from=date(2024, 1, 1),
                               date_to=date(2024, 12, 31))
        to_today = reports.summary(s, actor=SYSTEM, unit_id=tree.ham_tri,
                                   date_from=date(2024, 1, 1), date_to=TODAY)
        phase = reports.summary(s, actor=SYSTEM, unit_id=tree.ham_tri, date_from=date(2021, 1, 1),
                                date_to=date(2024, 12, 31))
    y = f["year"]
    assert (y["date_from"], y["date_to"]) == ("2024-01-01", TODAY.isoformat())
    assert (y["models"], y["exemplars"]) == (1, 0)
    assert f["phase"]["exemplars"] == 1 and f["phase"]["label"] == "2021–2025"
    assert (y["works"], y["roads_km"]) == (1, 2.5)
    assert y["money_vnd"] == year["contributions"]["total_vnd"] == 1_000_000_000
    assert y["non_state_vnd"] == 300_000_000 and y["non_state_share"] == pytest.approx(0.3)
    assert (y["petitions_received"], y["petitions_overdue"]) == (2, 1)  # with Lâm Giang
    assert y["petitions_overdue"] == to_today["petitions"]["overdue"]
    for shown, report in ((y, year), (f["phase"], phase)):
        assert shown["models"] == report["models"]["by_kind"]["collective"]
        assert (shown["works"], shown["works_cost_vnd"], shown["roads_km"]) == (
            report["works"]["total"], report["works"]["total_cost_vnd"], report["roads"]["km"])
        assert (shown["money_vnd"], shown["labor_days"]) == (
            report["contributions"]["total_vnd"], report["contributions"]["labor_days"])
        assert (shown["land_m2"], shown["land_value_vnd"]) == (
            report["land_donations"]["area_m2"], report["land_donations"]["value_vnd"])
        assert [shown[f"petitions_{k}"] for k in ("received", "in_competence", "resolved")] == [
            report["petitions"][k] for k in ("received", "in_competence", "resolved")]
    assert f["by_field"] == phase["models"]["by_field"]
    assert f["by_source"] == year["contributions"]["by_source"]
    # Hàm Liêm's gift is not Hàm Trí's.
    assert 50_000_000 not in [m["amount_vnd"] for m in f["trend"]]
    assert [m["amount_vnd"] for m in f["trend"]] == [700_000_000, 0, 300_000_000, 0, 0, 0]


def test_league_matches_the_league_report(db, tree):
    """One grouped query per kind gives the headline and the league table: the same rows as
    reports.league over the whole year (overdue: today's)."""
    for unit in (tree.district, tree.ham_tri):  # a commune's rows are its villages
        with db() as s:
            f = dashboards.figures(s, actor=SYSTEM, unit_id=unit, today=TODAY)
            year = reports.league(s, actor=SYSTEM, unit_id=unit, date_from=date(2024, 1, 1),
                                  date_to=date(2024, 12, 31))
            to_today = reports.league(s, actor=SYSTEM, unit_id=unit, date_from=date(2024, 1, 1),
                                      date_to=TODAY)
        overdue = {r["unit"]["id"]: r["petitions_overdue"] for r in to_today}
        expected = [{**r, "petitions_overdue": overdue.get(r["unit"]["id"], 0)}
                    for r in year if not r["own"]]
        key = lambda r: r["unit"]["id"]  # noqa: E731
        assert sorted(f["league"], key=key) == sorted(expected, key=key) and f["league"]


def test_the_whole_tree_reads_every_sum_with_the_same_figures(db, tree):
    """The province is the whole tree here (the one root, as the country is): its sums are read
    with no condition on the unit (`rollups.EVERY`), the district's with its ids. All of the
    tree lies under the district, so both give the same figures: the reports' of the year,
    with a merged commune's gift counted once."""
    with db() as s:
        old = make_unit(s, code="T-HC", name="Hàm Chính", kind="xa", parent_id=tree.district,
                        active_to="2024-03-31", merged_into_id=tree.ham_tri)
        make_contribution(s, unit_id=old.id, source="people", amount_vnd=20_000_000,
                          date="2024-02-10")
    with db() as s:
        assert reports.tree(s, s.get(Unit, tree.province)).stat_ids is rollups.EVERY
        assert reports.tree(s, s.get(Unit, tree.district)).stat_ids is not rollups.EVERY
        whole = dashboards.figures(s, actor=SYSTEM, unit_id=tree.province, today=TODAY)
        district = dashboards.figures(s, actor=SYSTEM, unit_id=tree.district, today=TODAY)
        year = reports.summary(s, actor=SYSTEM, unit_id=tree.province,
                               date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
        league = reports.league(s, actor=SYSTEM, unit_id=tree.province,
                                date_from=date(2024, 1, 1), date_to=TODAY)
    assert whole["year"]["money_vnd"] == year["contributions"]["total_vnd"] == 1_070_000_000
    assert [m["amount_vnd"] for m in whole["trend"]] == [700_000_000, 20_000_000, 300_000_000,
                                                         0, 50_000_000, 0]
    for part in ("year", "phase", "trend", "by_field", "by_source", "works_by_category"):
        assert whole[part] == district[part], part
    assert [r["unit"]["id"] for r in whole["league"]] == [tree.district]
    assert whole["league"] == [r for r in league if not r["own"]]
    assert whole["league"][0]["contributions_vnd"] == 1_070_000_000


def test_a_record_dated_later_this_year_counts_in_the_year(db, tree):
    """The year's figures come from the year's sums: a gift dated after today (the forms allow
    it) counts from the day it is entered, as in the summary of the whole year."""
    with db() as s:
        make_contribution(s, unit_id=tree.ham_lien, source="people", amount_vnd=7_000_000,
                          date="2024-09-01")
    with db() as s:
        f = dashboards.figures(s, actor=SYSTEM, unit_id=tree.ham_lien, today=TODAY)
    assert f["year"]["money_vnd"] == 57_000_000


def test_league_due_and_feed(db, tree):
    with db() as s:
        f = dashboards.figures(s, actor=SYSTEM, unit_id=tree.district, today=TODAY)
    assert [r["unit"]["name"] for r in f["league"]] == ["Hàm Trí", "Hàm Liêm"]  # most mobilised first
    assert f["league"][0]["contributions_vnd"] == 1_000_000_000
    late = f["due"][0]
    assert late["days_left"] == (date(2024, 5, 12) - TODAY).days and late["unit"] == "Lâm Giang"
    soon = f["due"][1]
    assert soon["subject"] == "Kiến nghị sửa cầu" and 0 <= soon["days_left"] <= 7
    assert f["feed"][0]["what"] == "đơn thư" and f["feed"][0]["title"] is None  # no subject
    assert any(e["title"] == "Đường bê tông thôn 1" for e in f["feed"])


def test_a_village_reads_its_own_records(db, tree):
    with db() as s:
        f = dashboards.figures(s, actor=SYSTEM, unit_id=tree.lam_giang, today=TODAY)
    assert f["year"]["money_vnd"] == 300_000_000
    assert [m["amount_vnd"] for m in f["trend"]][2] == 300_000_000


def test_every_write_moves_its_units_mark(db, tree):
    with db() as s:
        before = dashboards.mark(s, tree.ham_tri)
        other = dashboards.mark(s, tree.ham_lien)
        top = dashboards.mark(s, tree.district)
    with db() as s:
        make_contribution(s, unit_id=tree.lam_giang, amount_vnd=1_000_000, date="2024-06-01")
    with db() as s:
        # The village's own mark, and those of every unit above it, not a sibling's.
        entry = s.get(ChangeMark, tree.lam_giang).last_entry
        assert dashboards.mark(s, tree.ham_tri) == dashboards.mark(s, tree.district) == entry
        assert entry > max(before, top)
        assert dashboards.mark(s, tree.ham_lien) == other
        # The largest mark of the subtree, as the dashboards read it before (one walk a poll).
        units = scope.subtree_id_list(s, tree.district)
        assert dashboards.mark(s, tree.district) == max(
            s.get(ChangeMark, u).last_entry for u in units.ids if s.get(ChangeMark, u))


def test_live_reuses_the_cache_until_a_change(db, read, tree):
    with read() as s:
        first = dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
    with db() as s:
        row = s.get(DashboardCache, (tree.ham_tri, TODAY.isoformat()))
        assert row is not None and row.etag == first.etag
        # Older than MIN_AGE, so only an unchanged mark keeps it.
        row.computed_at = row.computed_at - timedelta(seconds=5)
        row.body = row.body.replace('"money_vnd": 1000000000', '"money_vnd": 1')
    with read() as s:
        again = dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
    assert again.figures["year"]["money_vnd"] == 1  # served from the cache, not recomputed
    with db() as s:
        make_contribution(s, unit_id=tree.ham_tri, amount_vnd=5_000_000, date="2024-06-10")
    with read() as s:
        stale = dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
    # No request waits (nor writes): this one gets the figures as they were and hands them to
    # the refresher process, which claims and recomputes them; the next polls see it.
    assert stale.figures["year"]["money_vnd"] == 1
    deadline = time.monotonic() + 30  # a bound on the wait, not a timing
    while True:
        with read() as s:
            fresh = dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
        if fresh.figures["year"]["money_vnd"] != 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert fresh.figures["year"]["money_vnd"] == 1_005_000_000
    assert fresh.etag != first.etag


def test_one_refresher_computes_stale_figures_however_many_are_handed_them(db, read, tree):
    """Requests only hand stale figures to their process's refresher; the claim (a conditional
    UPDATE of the cache row) lets one refresher of all processes recompute them."""
    with read() as s:
        dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
        engine = s.get_bind()
    with db() as s:
        make_contribution(s, unit_id=tree.ham_tri, amount_vnd=7_000_000, date="2024-06-10")
    with read() as s:
        seen = s.get(DashboardCache, (tree.ham_tri, TODAY.isoformat())).computed_at
    dashboards.refresh(engine, tree.ham_tri, TODAY, seen)
    with db() as s:
        row = s.get(DashboardCache, (tree.ham_tri, TODAY.isoformat()))
        assert row.computed_at != seen and '"money_vnd": 1007000000' in row.body
        row.body = row.body.replace('"money_vnd": 1007000000', '"money_vnd": 2')
    # A second refresher handed the same stale figures finds them claimed: it computes nothing.
    dashboards.refresh(engine, tree.ham_tri, TODAY, seen)
    with read() as s:
        assert '"money_vnd": 2' in s.get(DashboardCache, (tree.ham_tri, TODAY.isoformat())).body


def test_wall_screens_never_get_petition_subjects(read, tree):
    screen = Actor(user_id=None, username="màn hình", role=Role.viewer, unit_id=tree.ham_tri,
                   can_write=False, screen=True)
    with read() as s:
        shown = dashboards.live(s, actor=screen, unit_id=tree.ham_tri, today=TODAY)
        user = dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
    assert shown.figures["due"] and all(d["subject"] is None for d in shown.figures["due"])
    assert any(d["subject"] for d in user.figures["due"])


def test_scope_and_years(db, tree):
    clerk = Actor(user_id=1, username="canbo", role=Role.clerk, unit_id=tree.ham_tri)
    with db() as s:
        with pytest.raises(NotFound):
            dashboards.live(s, actor=clerk, unit_id=tree.ham_lien, today=TODAY)
    assert dashboards.as_of(2019, date(2024, 6, 30)) == date(2019, 12, 31)
    assert dashboards.as_of(None, TODAY) == TODAY
    for bad in (2030, 1980):
        with pytest.raises(Invalid):
            dashboards.as_of(bad, TODAY)


def test_cache_rows_are_per_day(db, read, tree):
    with read() as s:
        dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY)
        dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=date(2023, 12, 31))
    with db() as s:
        days = s.exec(select(DashboardCache.day).where(DashboardCache.unit_id == tree.ham_tri)).scalars()
        assert sorted(days) == ["2023-12-31", "2024-06-30"]


def test_a_screens_poll_of_unchanged_figures_is_two_lookups(db, read, engine, tree):
    """What every wall screen costs every 2 s while nothing changes: its token with its unit,
    then the stored figures' mark with the unit's own; the figures themselves are not read."""
    import threading

    from sqlalchemy import event

    from app.services import display_tokens

    with db() as s:
        secret = display_tokens.create(s, actor=SYSTEM, data=display_tokens.DisplayTokenCreate(
            name="Phòng họp", unit_id=tree.ham_tri))[1]
    with read() as s:
        etag = dashboards.live(s, actor=SYSTEM, unit_id=tree.ham_tri, today=TODAY).etag
        display_tokens.screen_actor(s, secret)  # its last-seen stamp, written once a minute
    me, statements = threading.get_ident(), []

    def seen(_conn, _cursor, statement, *_args):
        if threading.get_ident() == me and not statement.lstrip().upper().startswith(
                ("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with read() as s:
            actor, token = display_tokens.screen_actor(s, secret)
            live = dashboards.live(s, actor=actor, unit_id=token.unit_id, today=TODAY,
                                   held=lambda e: e == etag)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert live.figures is None and live.etag == etag
    assert len(statements) == 2, statements
    assert "display_token" in statements[0] and "dashboard_cache" in statements[1]
    assert "change_mark" in statements[1] and "body" not in statements[1]
