"""The live dashboard of a unit: the movement's state this year and this phase, the units
below compared, petitions nearing or past their due date, and the latest changes.

Freshness without waste, and without anything held in one process's memory:
- every audited change moves its unit's `change_mark` in the change's own transaction;
- `live` reads the largest mark of the unit's subtree (one indexed query) and serves the
  figures stored in `dashboard_cache`; when the mark has moved, the first request to see it
  claims the refresh (a conditional UPDATE of the cache row, so one claimant among all screens
  and processes) and a background thread computes the figures again (the report's grouped
  queries over pre-aggregated sums) and stores them for every other screen and process;
- no request waits for a computation (but the very first of a unit's day), and there is at
  most one computation per unit every `MIN_AGE` seconds however fast clerks write. A change
  shows within two polling intervals and a computation (about 4 s with 2 s polls).
The ETag is a digest of the figures: a screen whose figures did not change gets 304.
"""

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.db.audit import AuditEntry
from app.db.contributions import Contribution
from app.db.dashboards import ChangeMark, DashboardCache
from app.db.petitions import Petition
from app.db.stats import StatContribution
from app.db.units import Unit
from app.db.session import side_write
from app.enums import ModelKind, Source, UnitLevel, WorkCategory
from app.services import audit, petitions, reports, rollups, scope
from app.services.actor import Actor
from app.services.errors import Invalid

log = logging.getLogger(__name__)
MIN_AGE = timedelta(seconds=1.5)  # figures younger than this are served even if a change came
MAX_AGE = timedelta(minutes=10)  # and older ones are recomputed even without a mark (CLI loads)
DUE_SOON_DAYS = 7
FEED = 8
RESOURCE_LABELS = {
    "models": "mô hình", "works": "công trình", "contributions": "khoản đóng góp",
    "land-donations": "hồ sơ hiến đất", "petitions": "đơn thư", "commendations": "khen thưởng",
    "targets": "chỉ tiêu", "recognitions": "công nhận danh hiệu", "units": "đơn vị",
    "approvals": "phê duyệt số liệu", "issued-reports": "báo cáo đã ban hành",
}
ACTION_LABELS = {"create": "thêm", "update": "sửa", "delete": "xóa", "transition": "chuyển bước",
                 "extend": "gia hạn", "evaluate": "đánh giá", "recognize": "công nhận",
                 "approve": "phê duyệt", "withdraw": "rút"}


@dataclass(frozen=True)
class Live:
    figures: dict[str, Any]
    etag: str


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
    """Every figure of the dashboard, as JSON-ready values (GET /api/v1/stats/dashboard)."""
    unit = reports.report_unit(session, actor, unit_id)
    year_from = date(today.year, 1, 1)
    phase_from = date(phase_start(today.year), 1, 1)
    year = reports.summary(session, actor=actor, unit_id=unit_id, date_from=year_from, date_to=today)
    phase = year if phase_from == year_from else reports.summary(  # a phase's first year
        session, actor=actor, unit_id=unit_id, date_from=phase_from, date_to=today)
    units = scope.subtree_id_list(session, unit_id)
    return {
        "unit": year["unit"],
        "today": today.isoformat(),
        "year": {"label": str(today.year), **_headline(year)},
        "phase": {"label": f"{phase_from.year}–{phase_from.year + 4}", **_headline(phase)},
        "league": _league(session, actor, unit_id, year_from, today),
        "due": _due(session, actor, units, today),
        "feed": _feed(session, actor, units),
        "trend": _trend(session, units, unit, today),
        "by_field": phase["models"]["by_field"],
        "by_source": year["contributions"]["by_source"],
        "works_by_category": {c.value: year["works"]["by_category"][c.value]["count"]
                              for c in WorkCategory if year["works"]["by_category"][c.value]["count"]},
    }


def _league(session: Session, actor: Actor, unit_id: int, f: date, t: date) -> list[dict[str, Any]]:
    rows = [r for r in reports.league(session, actor=actor, unit_id=unit_id, date_from=f, date_to=t)
            if not r["own"]]
    # Most mobilised first: the table a district office puts on its wall.
    return sorted(rows, key=lambda r: (-r["contributions_vnd"], -r["works"], r["unit"]["name"]))


def _due(session: Session, actor: Actor, units: Any, today: date) -> list[dict[str, Any]]:
    """Open petitions past or within DUE_SOON_DAYS of their due date, most urgent first."""
    stmt = (select(Petition, Unit.name).join(Unit, Unit.id == Petition.unit_id)
            .where(scope.in_units(Petition.unit_id, units), Petition.closed_date.is_(None),
                   Petition.status.in_([s.value for s in reports.OPEN]),
                   Petition.due_date <= today + timedelta(days=DUE_SOON_DAYS))
            .order_by(Petition.due_date, Petition.id).limit(10))
    out = []
    for p, unit_name in session.exec(stmt).all():
        shown = petitions.present(p, actor)
        out.append({"id": p.id, "type": p.type, "subject": shown.subject, "unit": unit_name,
                    "received_date": p.received_date.isoformat(), "due_date": p.due_date.isoformat(),
                    "days_left": (p.due_date - today).days, "status": p.status})
    return out


def _feed(session: Session, actor: Actor, units: Any) -> list[dict[str, Any]]:
    """The latest changes of records in the subtree. A few units: the newest entries of each
    unit by the (unit_id, id) index; many: the newest entries of all, filtered."""
    records = list(RESOURCE_LABELS)
    if len(units.ids) <= 60:
        parts = [select(AuditEntry.id).where(AuditEntry.unit_id == u, AuditEntry.resource.in_(records))
                 .order_by(AuditEntry.id.desc()).limit(FEED).subquery().select() for u in units.ids]
        ids = select(union_all(*parts).subquery().c.id) if parts else select(AuditEntry.id).where(False)
        stmt = select(AuditEntry).where(AuditEntry.id.in_(ids))
    else:
        stmt = select(AuditEntry).where(scope.in_units(AuditEntry.unit_id, units),
                                        AuditEntry.resource.in_(records))
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
                    "what": RESOURCE_LABELS.get(e.resource, e.resource), "resource": e.resource,
                    "record_id": e.record_id, "title": title, "unit": names.get(e.unit_id, "")})
    return out


def _trend(session: Session, units: Any, unit: Unit, today: date) -> list[dict[str, Any]]:
    """Money mobilised per month of the current year, from the month sums (a village's own
    records are read directly: sums are kept per commune)."""
    first, last = date(today.year, 1, 1), date(today.year, 12, 1)
    if unit.level == UnitLevel.village.value:
        month = rollups._bucket_sql(Contribution.date, "m", session.get_bind().dialect.name)
        rows = session.exec(
            select(month, func.sum(Contribution.amount_vnd))
            .where(scope.in_units(Contribution.unit_id, units),
                   Contribution.date.between(first, today)).group_by(month)).all()
    else:
        rows = session.exec(
            select(StatContribution.bucket, func.sum(StatContribution.amount_vnd))
            .where(StatContribution.grain == "m", scope.in_units(StatContribution.unit_id, units),
                   StatContribution.bucket.between(first, last))
            .group_by(StatContribution.bucket)).all()
    by_month = {(b if isinstance(b, date) else date.fromisoformat(str(b)[:10])).month: int(v or 0)
                for b, v in rows}
    return [{"month": m, "amount_vnd": by_month.get(m, 0)} for m in range(1, today.month + 1)]


# -- freshness -------------------------------------------------------------------------------
def mark(session: Session, units: Any) -> int:
    """The newest change of any record kept in the subtree."""
    return int(session.exec(select(func.max(ChangeMark.last_entry))
                            .where(scope.in_units(ChangeMark.unit_id, units))).scalar() or 0)


def as_of(year: int | None, today: date | None = None) -> date:
    """The day a dashboard's figures are of: today, or the last day of a past year (a wall
    screen may show a finished year; a future year is refused)."""
    today = today or date.today()
    if year is None or year == today.year:
        return today
    if not reports.DATE_MIN.year <= year < today.year:
        raise Invalid(f"Năm {year} không hợp lệ: chọn từ {reports.DATE_MIN.year} đến {today.year}.",
                      errors=[{"loc": ["query", "year"], "msg": "Năm không hợp lệ."}])
    return date(year, 12, 31)


def live(session: Session, *, actor: Actor, unit_id: int, today: date | None = None) -> Live:
    """The dashboard's figures as of `today` and their ETag (see the module's docstring).

    A request never waits for a recomputation once the unit has figures: when they are out of
    date it gets them as they are and claims the refresh, which one background thread (of one
    process) does; the screens get the new figures at their next poll. Only the first request
    of a unit's day computes while the caller waits."""
    today = today or date.today()
    reports.report_unit(session, actor, unit_id)
    units = scope.subtree_id_list(session, unit_id)
    current = mark(session, units)
    cached = session.get(DashboardCache, (unit_id, today.isoformat()))
    if cached is None:
        body, etag = _compute_and_store(session, unit_id, today, current)
        return Live(_for(body, actor), etag)
    age = datetime.now(UTC) - _aware(cached.computed_at)
    stale = cached.mark != current or age >= MAX_AGE
    if stale and age >= MIN_AGE and _claim(session, unit_id, today, cached.computed_at):
        engine = session.get_bind()
        threading.Thread(target=_refresh, args=(getattr(engine, "engine", engine), unit_id, today),
                         name=f"dashboard-{unit_id}", daemon=True).start()
    return Live(_for(json.loads(cached.body), actor), cached.etag)


def _compute_and_store(session: Session, unit_id: int, today: date,
                       current: int) -> tuple[dict[str, Any], str]:
    """Compute the figures (with the system's eyes: the cache is shared by every viewer of the
    unit, each then shown what they may see) and store them for every screen and process."""
    from app.services.actor import SYSTEM

    now = datetime.now(UTC)
    body = figures(session, actor=SYSTEM, unit_id=unit_id, today=today)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    etag = hashlib.sha256(text.encode()).hexdigest()[:32]
    side_write(session, lambda s: _store(s, unit_id, current, today, now, etag, text))
    return body, etag


def _claim(session: Session, unit_id: int, today: date, seen: datetime) -> bool:
    """Take the refresh of these figures, unless another request (of any process) took it since
    they were read: moving `computed_at` on from the value read is the claim, so only one of
    the screens that find the figures stale starts a computation."""
    claimed = []

    def take(side: Session) -> None:
        table = DashboardCache.__table__  # type: ignore[attr-defined]
        result = side.exec(update(table).where(
            table.c.unit_id == unit_id, table.c.day == today.isoformat(),
            table.c.computed_at == seen).values(computed_at=datetime.now(UTC)))
        claimed.append(result.rowcount == 1)

    return side_write(session, take) and claimed == [True]


def _refresh(engine: Any, unit_id: int, today: date) -> None:
    """The background half of `live`: recompute a unit's figures in a session of its own."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            units = scope.subtree_id_list(session, unit_id)
            _compute_and_store(session, unit_id, today, mark(session, units))
            session.rollback()  # it only read; the figures went in through side_write
    except Exception:  # noqa: BLE001 - a failed refresh is retried by the next claim
        log.exception("dashboard refresh of unit %s failed", unit_id)


def _for(body: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The cached figures as `actor` may see them: petition subjects are for signed-in users
    (not wall screens); a denunciation's petitioner is never in the figures at all."""
    if actor.screen:
        body = {**body, "due": [{**d, "subject": None} for d in body["due"]]}
    return body


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _store(session: Session, unit_id: int, current: int, today: date, now: datetime, etag: str,
           text: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"unit_id": unit_id, "mark": current, "day": today.isoformat(), "computed_at": now,
              "etag": etag, "body": text}
    stmt = insert(DashboardCache).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=["unit_id", "day"],
                                      set_={k: stmt.excluded[k] for k in values
                                            if k not in ("unit_id", "day")})
    session.exec(stmt)

