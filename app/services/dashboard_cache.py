"""The dashboards' stored figures (`dashboard_cache`): a unit's change mark, computing and
storing its figures for every screen and process, and the claim that makes one refresher
among all processes compute them."""

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.db.dashboards import ChangeMark, DashboardCache
from app.db.side_writes import side_write
from app.services.dashboard_figures import figures


def mark(session: Session, unit_id: int) -> int:
    """The newest change of any record kept in the unit's subtree: `audit.mark_change` moves
    the marks of every unit above the record's too, so it is the unit's own row."""
    return int(session.exec(select(ChangeMark.last_entry)
                            .where(ChangeMark.unit_id == unit_id)).scalar() or 0)


def compute_and_store(session: Session, unit_id: int, today: date,
                      current: int) -> tuple[dict[str, Any], str]:
    """Compute the figures (with the system's eyes: the cache is shared by every viewer of the
    unit, each then shown what they may see) and store them for every screen and process."""
    from app.services.actor import SYSTEM

    now = datetime.now(UTC)
    body = figures(session, actor=SYSTEM, unit_id=unit_id, today=today)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    etag = hashlib.sha256(text.encode()).hexdigest()[:32]
    side_write(session, lambda s: store(s, unit_id, current, today, now, etag, text))
    # As every later reader gets them: read back from the JSON (sorted keys, dates as text),
    # so that one ETag always shows the same (the bars of equal values sort by key order).
    return json.loads(text), etag


def claim(session: Session, unit_id: int, today: date, seen: datetime) -> bool:
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



def store(session: Session, unit_id: int, current: int, today: date, now: datetime, etag: str,
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

