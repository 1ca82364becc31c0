"""The live dashboard of a unit: the movement's state this year and this phase, the units
below compared, petitions nearing or past their due date, and the latest changes.

Freshness without waste, and without anything held in one process's memory:
- every audited change moves the `change_mark` of its unit and of every unit above it, in
  the change's own transaction (`audit.mark_change`);
- `live` reads the unit's mark and the ETag of the figures stored in `dashboard_cache` (two
  lookups by key; the figures themselves only for a 200); when the mark has moved, the first
  request to see it hands the unit to a process of its server process's own, which claims the
  refresh (a conditional UPDATE of the cache row, so one claimant among all processes) and
  computes the figures again (one grouped query per kind of record over the year's pre-aggregated sums,
  `reports.standing`) and stores them for every other screen and process;
- no request waits for a computation (but the very first of a unit's day), and there is at
  most one computation per unit every `MIN_AGE` seconds however fast clerks write. A change
  shows within two polling intervals and a computation (about 4 s with 2 s polls).
The ETag is a digest of the figures: a screen whose figures did not change gets 304.
"""

import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app import vn
from app.db.audit import AuditEntry
from app.db.contributions import Contribution
from app.db.dashboards import ChangeMark, DashboardCache
from app.db.petitions import Petition
from app.db.stats import StatContribution
from app.db.units import Unit
from app.db.session import side_write
from app.enums import ModelKind, Source, UnitLevel, WorkCategory
from app.services import audit, registry, reports, rollups, scope
from app.services.petitions import records as petitions
from app.services.petitions import rules
from app.services.actor import Actor
from app.services.errors import Invalid

log = logging.getLogger(__name__)
MIN_AGE = timedelta(seconds=1.5)  # figures younger than this are served even if a change came
MAX_AGE = timedelta(minutes=10)  # and older ones are recomputed even without a mark (CLI loads)
FEED = 8
ACTION_LABELS = {"create": "thêm", "update": "sửa", "delete": "xóa", "transition": "chuyển bước",
                 "extend": "gia hạn", "evaluate": "đánh giá", "recognize": "công nhận",
                 "approve": "phê duyệt", "withdraw": "rút"}


@dataclass(frozen=True)
class Live:
    """The figures and their ETag; no figures (None) when the caller already holds them."""

    figures: dict[str, Any] | None
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
    return sorted(rows, key=lambda r: (-r["contributions_vnd"], -r["works"], r["unit"]["name"]))


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
    unit by the (unit_id, id) index; many: the newest entries of all, filtered."""
    records = [*registry.BY_NAME, *registry.OTHER_NAMES]
    if len(tree.unit_ids) <= 60:
        parts = [select(AuditEntry.id).where(AuditEntry.unit_id == u, AuditEntry.resource.in_(records))
                 .order_by(AuditEntry.id.desc()).limit(FEED).subquery().select() for u in tree.unit_ids]
        ids = select(union_all(*parts).subquery().c.id) if parts else select(AuditEntry.id).where(False)
        stmt = select(AuditEntry).where(AuditEntry.id.in_(ids))
    else:
        stmt = select(AuditEntry).where(scope.in_units(AuditEntry.unit_id, tree.ids),
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
                   scope.in_units(StatContribution.unit_id, tree.stat_ids),
                   StatContribution.bucket.between(first, last))
            .group_by(StatContribution.bucket)).all()
    by_month = {(b if isinstance(b, date) else date.fromisoformat(str(b)[:10])).month: int(v or 0)
                for b, v in rows}
    return [{"month": m, "amount_vnd": by_month.get(m, 0)} for m in range(1, today.month + 1)]


# -- freshness -------------------------------------------------------------------------------
def mark(session: Session, unit_id: int) -> int:
    """The newest change of any record kept in the unit's subtree: `audit.mark_change` moves
    the marks of every unit above the record's too, so it is the unit's own row."""
    return int(session.exec(select(ChangeMark.last_entry)
                            .where(ChangeMark.unit_id == unit_id)).scalar() or 0)


def as_of(year: int | None, today: date | None = None) -> date:
    """The day a dashboard's figures are of: today, or the last day of a past year (a wall
    screen may show a finished year; a future year is refused)."""
    today = today or vn.today()  # Vietnam's date, whatever the server's zone
    if year is None or year == today.year:
        return today
    if not reports.DATE_MIN.year <= year < today.year:
        raise Invalid(f"Năm {year} không hợp lệ: chọn từ {reports.DATE_MIN.year} đến {today.year}.",
                      errors=[{"loc": ["query", "year"], "msg": "Năm không hợp lệ."}])
    return date(year, 12, 31)


def live(session: Session, *, actor: Actor, unit_id: int, today: date | None = None,
         held: Callable[[str], bool] | None = None) -> Live:
    """The dashboard's figures as of `today` and their ETag (see the module's docstring).
    `held(etag)`: does the caller hold the figures of this ETag already (If-None-Match)? Then
    they are not read at all (Live.figures is None): a 304 costs two lookups by key, the unit's
    mark and the cache row's ETag.

    A request never waits for a recomputation once the unit has figures: when they are out of
    date it gets them as they are and hands them to its process's refresher, which claims and
    recomputes them (`_start_refresh`); the screens get the new figures at their next poll. Only
    the first request of a unit's day computes while the caller waits."""
    today = today or vn.today()  # Vietnam's date, whatever the server's zone
    reports.report_unit(session, actor, unit_id)
    table = DashboardCache.__table__  # type: ignore[attr-defined]
    key = (table.c.unit_id == unit_id, table.c.day == today.isoformat())
    # The stored figures' mark and the unit's own, in one lookup.
    own = select(ChangeMark.last_entry).where(ChangeMark.unit_id == unit_id).scalar_subquery()
    cached = session.exec(select(table.c.mark, table.c.computed_at, table.c.etag,
                                 own.label("current")).where(*key)).first()
    if cached is None:
        body, etag = _compute_and_store(session, unit_id, today, mark(session, unit_id))
        return Live(_for(body, actor), etag)
    current = int(cached.current or 0)
    age = datetime.now(UTC) - _aware(cached.computed_at)
    stale = cached.mark != current or age >= MAX_AGE
    if stale and age >= MIN_AGE:
        # The refresher claims and computes; this request only hands it the unit (nothing
        # written here: on SQLite a claim would wait its turn for the write lock).
        engine = session.get_bind()
        _start_refresh(getattr(engine, "engine", engine), unit_id, today, cached.computed_at)
    if held is not None and held(cached.etag):
        return Live(None, cached.etag)
    # The figures with their own ETag: on PostgreSQL a refresh may have stored newer ones since.
    body = session.exec(select(table.c.body, table.c.etag).where(*key)).one()
    return Live(_for(json.loads(body.body), actor), body.etag)


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
    # As every later reader gets them: read back from the JSON (sorted keys, dates as text),
    # so that one ETag always shows the same (the bars of equal values sort by key order).
    return json.loads(text), etag


def _claim(session: Session, unit_id: int, today: date, seen: datetime) -> bool:
    """Take the refresh of these figures, unless another refresher (of any server process) took
    it since they were read: moving `computed_at` on from the value read is the claim, so only
    one of the refreshers that were handed the stale figures computes them."""
    claimed = []

    def take(side: Session) -> None:
        table = DashboardCache.__table__  # type: ignore[attr-defined]
        result = side.exec(update(table).where(
            table.c.unit_id == unit_id, table.c.day == today.isoformat(),
            table.c.computed_at == seen).values(computed_at=datetime.now(UTC)))
        claimed.append(result.rowcount == 1)

    return side_write(session, take) and claimed == [True]


# The computations run in a process of this server process's own, started on first need: in a
# thread they held the GIL for tens of milliseconds at a time, which every request of the
# process then waited for (bench/README.md). It keeps nothing: it reads the database, stores
# the figures through side_write, and a claim (in the database) says who computes.
_pool: ProcessPoolExecutor | None = None
_pool_pid = 0
_pending: set[tuple[str, int, str]] = set()  # (database, unit, day) submitted, not yet done
_lock = threading.Lock()


def _start_refresh(engine: Any, unit_id: int, today: date, seen: datetime) -> None:
    """Hand stale figures (stored at `seen`) to this process's refresher, once: it claims them
    and, if no other process's refresher was first, computes and stores them."""
    url = engine.url.render_as_string(hide_password=False)
    key = (url, unit_id, today.isoformat())
    if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
        # A database in this process's memory: no other process can read it.
        threading.Thread(target=_refresh, args=(engine, unit_id, today, seen), daemon=True).start()
        return
    with _lock:
        if key in _pending:  # already queued: that computation stores fresh figures
            return
        _pending.add(key)
    try:
        future = _refresher().submit(_refresh_in_child, url, unit_id, today, seen)
    except Exception:  # noqa: BLE001 - no process (a broken pool): a thread, as before
        log.exception("dashboard refresher process unavailable; computing in a thread")
        _reset_pool()
        with _lock:
            _pending.discard(key)
        threading.Thread(target=_refresh, args=(engine, unit_id, today, seen), daemon=True).start()
        return
    future.add_done_callback(lambda f: _done(key, f))


def _done(key: tuple[str, int, str], future: Any) -> None:
    with _lock:
        _pending.discard(key)
    if future.exception() is not None:  # the process died: the next claim starts another
        log.error("dashboard refresh of unit %s failed: %r", key[1], future.exception())
        _reset_pool()


def _refresher() -> ProcessPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():  # none yet, or a forked copy's
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_follow_parent, initargs=(os.getpid(),))
            _pool_pid = os.getpid()
        return _pool


def _reset_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _follow_parent(parent: int) -> None:
    """In the refresher process: give way to the processes that answer requests when the cores
    are busy (a screen may show figures a little later, a request is not kept waiting), and end
    with the server process that started it, however that ends."""
    try:
        os.nice(10)
    except (AttributeError, OSError):  # not on this system: at the server's priority
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def _refresh_in_child(url: str, unit_id: int, today: date, seen: datetime) -> None:
    """In the refresher process: `_refresh` with an engine of its own for this database."""
    _refresh(_child_engine(url), unit_id, today, seen)


@lru_cache
def _child_engine(url: str) -> Any:
    from app.db.session import make_engine

    return make_engine(url)


def _refresh(engine: Any, unit_id: int, today: date, seen: datetime) -> None:
    """The background half of `live`: claim the figures stored at `seen`, then recompute them
    in a session of its own (nothing, if another refresher claimed them first)."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            if not _claim(session, unit_id, today, seen):
                return
            _compute_and_store(session, unit_id, today, mark(session, unit_id))
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

