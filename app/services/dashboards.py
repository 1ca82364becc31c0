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

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app import vn
from app.db.dashboards import ChangeMark, DashboardCache
from app.services import reports
from app.services.actor import Actor
from app.services.dashboard_cache import compute_and_store, mark
# Where the figures are computed, and by whom in the background; their names are the
# dashboards' own (callers and tests ask `dashboards.figures`, `dashboards.refresh`).
from app.services.dashboard_figures import ACTION_LABELS, FEED, figures, phase_start
from app.services.dashboard_refresher import refresh, start_refresh
from app.services.errors import Invalid

__all__ = ["ACTION_LABELS", "FEED", "MAX_AGE", "MIN_AGE", "Live", "as_of", "figures", "live",
           "mark", "phase_start", "refresh"]

MIN_AGE = timedelta(seconds=1.5)  # figures younger than this are served even if a change came
MAX_AGE = timedelta(minutes=10)  # and older ones are recomputed even without a mark (CLI loads)


@dataclass(frozen=True)
class Live:
    """The figures and their ETag; no figures (None) when the caller already holds them."""

    figures: dict[str, Any] | None
    etag: str


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
    recomputes them (`dashboard_refresher.start_refresh`); the screens get the new figures at
    their next poll. Only the first request of a unit's day computes while the caller waits."""
    today = today or vn.today()  # Vietnam's date, whatever the server's zone
    reports.report_unit(session, actor, unit_id)
    table = DashboardCache.__table__  # type: ignore[attr-defined]
    key = (table.c.unit_id == unit_id, table.c.day == today.isoformat())
    # The stored figures' mark and the unit's own, in one lookup.
    own = select(ChangeMark.last_entry).where(ChangeMark.unit_id == unit_id).scalar_subquery()
    cached = session.exec(select(table.c.mark, table.c.computed_at, table.c.etag,
                                 own.label("current")).where(*key)).first()
    if cached is None:
        body, etag = compute_and_store(session, unit_id, today, mark(session, unit_id))
        return Live(_for(body, actor), etag)
    current = int(cached.current or 0)
    age = datetime.now(UTC) - _aware(cached.computed_at)
    stale = cached.mark != current or age >= MAX_AGE
    if stale and age >= MIN_AGE:
        # The refresher claims and computes; this request only hands it the unit (nothing
        # written here: on SQLite a claim would wait its turn for the write lock).
        engine = session.get_bind()
        start_refresh(getattr(engine, "engine", engine), unit_id, today, cached.computed_at)
    if held is not None and held(cached.etag):
        return Live(None, cached.etag)
    # The figures with their own ETag: on PostgreSQL a refresh may have stored newer ones since.
    body = session.exec(select(table.c.body, table.c.etag).where(*key)).one()
    return Live(_for(json.loads(body.body), actor), body.etag)


def _for(body: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The cached figures as `actor` may see them: petition subjects are for signed-in users
    (not wall screens); a denunciation's petitioner is never in the figures at all."""
    if actor.screen:
        body = {**body, "due": [{**d, "subject": None} for d in body["due"]]}
    return body


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)

