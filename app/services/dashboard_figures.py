"""The figures of a unit's dashboard, computed afresh: the movement's state this year and
this phase, the units below compared, petitions nearing or past their due date, the latest
changes and the year's money by month. dashboards.py serves them from the cache."""

from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import func, select, union_all
from sqlmodel import Session

from app.db.audit import AuditEntry
from app.db.contributions import Contribution
from app.db.petitions import Petition
from app.db.stats import StatContribution
from app.db.units import Unit
from app.enums import ModelKind, Source, UnitLevel, WorkCategory
from app.services import audit, registry, reports, rollups, scope
from app.services.actor import Actor
from app.services.petitions import records as petitions
from app.services.petitions import rules
from app.vn import sort_key

FEED = 8
ACTION_LABELS = {"create": "thêm", "update": "sửa", "delete": "xóa", "transition": "chuyển bước",
                 "extend": "gia hạn", "evaluate": "đánh giá", "recognize": "công nhận",
                 "approve": "phê duyệt", "withdraw": "rút"}



def phase_start(year: int) -> int:
    return rollups.phase_of(year)


def _headline(report: dict[str, Any]) -> dict[str, Any]:
    models, works, roads = report["models"], report["works"], report["roads"]
    money, land, pets = report["contributions"], report["land_donations"], report["petitions"]
    total = money["total_vnd"]
    non_state = total - money["by_source"][Source.state_budget.value]
    return {
        "date_from": report["date_from"], "date_to": report["date_to"],
        "models": models["by_kind"][ModelKind.collective.value],
        "exemplars": models["by_kind"][ModelKind.individual.value],
        "works": works["total"], "roads_km": roads["km"], "works_cost_vnd": works["total_cost_vnd"],
        "money_vnd": total, "non_state_vnd": non_state,
        "non_state_share": non_state / total if total else None,
        "labor_days": money["labor_days"],
        "land_m2": land["area_m2"], "land_households": land["households"],
        "land_value_vnd": land["value_vnd"],
        "petitions_received": pets["received"], "petitions_in_competence": pets["in_competence"],
        "petitions_resolved": pets["resolved"], "resolution_rate": pets["resolution_rate"],
        "petitions_overdue": pets["overdue"],
    }


def figures(session: Session, *, actor: Actor, unit_id: int, today: date) -> dict[str, Any]:
    """Every figure of the dashboard, as JSON-ready values (GET /api/v1/stats/dashboard).

    "This year" is the year's records as entered so far, read from the year's sums (grain 'y',
    no record itself): the summary report of the whole year, 1/1 to 31/12, gives the same
    figures (tests/services/test_dashboards.py checks it). A record dated later in the current
    year than today (a typing mistake the forms allow: app/db/fields.py takes dates up to 2099;
    petitions cannot be, their service refuses dates after today) counts from the day it is
    entered, although the headline reads "to today". "This phase" likewise: the phase's whole
    years up to this one. Overdue petitions and the due list are as of `today`."""
    unit = reports.report_unit(session, actor, unit_id)
    tree = reports.tree(session, unit)
    year_from, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    phase_from = date(phase_start(today.year), 1, 1)
    year = reports.standing(session, tree, reports.Period(year_from, year_end), today=today,
                            league=True)
    phase = year if phase_from == year_from else reports.standing(  # a phase's first year
        session, tree, reports.Period(phase_from, year_end), today=today, league=False)
    return {
        "unit": {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level,
                 "kind": unit.kind},
        "today": today.isoformat(),
        "year": {"label": str(today.year), **_headline(year)},
        "phase": {"label": f"{phase_from.year}–{phase_from.year + 4}", **_headline(phase)},
        "league": _league(year["league"]),
        "due": _due(session, actor, tree.ids, today),
        "feed": _feed(session, actor, tree),
        "trend": _trend(session, tree, unit, today),
        "by_field": phase["models"]["by_field"],
        "by_source": year["contributions"]["by_source"],
        "works_by_category": {c.value: year["works"]["by_category"][c.value]["count"]
                              for c in WorkCategory if year["works"]["by_category"][c.value]["count"]},
    }


def _league(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [r for r in rows if not r["own"]]
    # Most mobilised first: the table a district office puts on its wall.
    return sorted(rows, key=lambda r: (-r["contributions_vnd"], -r["works"],
                                       sort_key(r["unit"]["name"])))


def _due(session: Session, actor: Actor, units: Any, today: date) -> list[dict[str, Any]]:
    """Open petitions overdue or due soon (`rules.deadline`), most urgent first."""
    stmt = (select(Petition)
            .where(scope.in_units(Petition.unit_id, units), Petition.closed_date.is_(None),
                   Petition.status.in_(rules.OPEN),
                   Petition.due_date <= today + timedelta(days=rules.DUE_SOON_DAYS))
            .order_by(Petition.due_date, Petition.id).limit(10))
    found = session.exec(stmt).scalars().all()
    # The units' names once the ten are known (joined, every open petition of a province was).
    names = dict(session.exec(select(Unit.id, Unit.name).where(
        Unit.id.in_({p.unit_id for p in found}))).all()) if found else {}
    out = []
    for p in found:
        unit_name = names.get(p.unit_id, "")
        shown = petitions.present(p, actor)
        due = rules.deadline(p, today)
        out.append({"id": p.id, "type": p.type, "subject": shown.subject, "unit": unit_name,
                    "received_date": p.received_date.isoformat(), "due_date": p.due_date.isoformat(),
                    "days_left": due.days_left, "deadline": due.state, "status": p.status})
    return out


def _feed(session: Session, actor: Actor, tree: reports.Tree) -> list[dict[str, Any]]:
    """The latest changes of records in the subtree. A few units: the newest entries of each
    unit by the (unit_id, id) index; many: the newest entries of all, filtered. Anyone may
    read a dashboard (a wall screen): the entries shown are those anyone may see."""
    records = [*registry.BY_NAME, *registry.OTHER_NAMES]
    anyone = audit.readable(None)
    if len(tree.unit_ids) <= 60:
        parts = [select(AuditEntry.id).where(AuditEntry.unit_id == u, AuditEntry.resource.in_(records), anyone)
                 .order_by(AuditEntry.id.desc()).limit(FEED).subquery().select() for u in tree.unit_ids]
        ids = select(union_all(*parts).subquery().c.id) if parts else select(AuditEntry.id).where(False)
        stmt = select(AuditEntry).where(AuditEntry.id.in_(ids))
    else:
        stmt = select(AuditEntry).where(scope.in_units(AuditEntry.unit_id, tree.ids),
                                        AuditEntry.resource.in_(records), anyone)
    entries = session.exec(stmt.order_by(AuditEntry.id.desc()).limit(FEED)).scalars().all()
    names = dict(session.exec(select(Unit.id, Unit.name).where(
        Unit.id.in_({e.unit_id for e in entries}))).all()) if entries else {}
    out = []
    for e in entries:
        shown = audit.present(e, actor)
        changes = shown["changes"]
        title = None
        if e.resource != "petitions":  # a petition's subject stays off a wall screen
            for key in ("name", "recipient_name", "donor_name", "contributor_name", "title"):
                if key in changes and changes[key][1]:
                    title = changes[key][1]
                    break
        out.append({"at": e.at.astimezone(UTC).isoformat(), "username": e.username,
                    "action": ACTION_LABELS.get(e.action, e.action),
                    "what": registry.one(e.resource), "resource": e.resource,
                    "record_id": e.record_id, "title": title, "unit": names.get(e.unit_id, "")})
    return out


def _trend(session: Session, tree: reports.Tree, unit: Unit, today: date) -> list[dict[str, Any]]:
    """Money mobilised per month of the current year, from the month sums (a village's own
    records are read directly: sums are kept per commune)."""
    first, last = date(today.year, 1, 1), date(today.year, 12, 1)
    if unit.level == UnitLevel.village.value:
        month = rollups.bucket_sql(Contribution.date, "m", session.get_bind().dialect.name)
        rows = session.exec(
            select(month, func.sum(Contribution.amount_vnd))
            .where(scope.in_units(Contribution.unit_id, tree.ids),
                   Contribution.date.between(first, today)).group_by(month)).all()
    else:
        rows = session.exec(
            select(StatContribution.bucket, func.sum(StatContribution.amount_vnd))
            .where(StatContribution.grain == "m",
                   rollups.kept_rows(StatContribution.unit_id, tree.stat_ids),
                   StatContribution.bucket.between(first, last))
            .group_by(StatContribution.bucket)).all()
    by_month = {(b if isinstance(b, date) else date.fromisoformat(str(b)[:10])).month: int(v or 0)
                for b, v in rows}
    return [{"month": m, "amount_vnd": by_month.get(m, 0)} for m in range(1, today.month + 1)]

