"""What the live dashboards need in the database, so that any number of server processes
sharing one PostgreSQL agree without talking to each other:

- `change_mark`: per unit, the audit entry of the last change of a record kept on that unit;
  a dashboard's figures are current while the largest mark of its subtree has not moved.
- `dashboard_cache`: per unit and day, the figures last computed and the mark they were computed at,
  shared by every screen of that unit (one computation per change, not one per screen).
- `display_token`: a wall screen's long-lived, revocable secret for one unit (only its hash
  is kept); it opens that unit's office-screen page and nothing else.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from app.db.base import MAX_ID, RecordMeta, utcnow


class ChangeMark(SQLModel, table=True):
    # No foreign keys here: a deleted unit's last change is still a change of its parent's
    # subtree, and a mark must never stand in the way of deleting a unit.
    __tablename__ = "change_mark"
    unit_id: int = Field(primary_key=True)
    last_entry: int = Field(default=0, sa_type=BigInteger)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DashboardCache(SQLModel, table=True):
    __tablename__ = "dashboard_cache"
    unit_id: int = Field(primary_key=True)
    # The date the figures are as of: today (due dates move with it), or the end of a past year.
    day: str = Field(primary_key=True, max_length=10)
    mark: int = Field(default=0, sa_type=BigInteger)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    etag: str = Field(max_length=40)
    body: str = Field(sa_type=Text)  # the figures, as JSON


class DisplayToken(RecordMeta, table=True):
    __tablename__ = "display_token"
    name: str = Field(max_length=200)
    unit_id: int = Field(ge=1, le=MAX_ID, foreign_key="unit.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=100)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    rotate_seconds: int | None = Field(default=None, ge=5, le=3600)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
