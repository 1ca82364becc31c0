"""The audit log: every change with who, when, and each field's before and after.

Append-only and tamper-evident: each entry carries the hash of the one before it, so editing
or deleting a row breaks the chain at that row (`dvk audit verify`)."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from app.db.base import utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    # (unit_id, id): a dashboard's feed reads the latest entries of a few units by index.
    __table_args__ = (Index("ix_audit_entry_resource_record_id", "resource", "record_id"),
                      Index("ix_audit_entry_unit_id_id", "unit_id", "id"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    user_id: int | None = Field(default=None)
    username: str = Field(max_length=100, index=True)
    action: str = Field(max_length=32)
    resource: str = Field(max_length=32)
    record_id: int | None = None
    # The unit the record belongs to: readers see the entries of their own subtree.
    unit_id: int | None = Field(default=None)
    changes: str = Field(default="{}", sa_type=Text)  # JSON {field: [before, after]}
    # Set when the entry may hold a denouncer's identity: shown only to managers and admins.
    confidential: bool = False
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class LoginAttempt(SQLModel, table=True):
    """Sign-in attempts, for throttling guessers (app.services.sign_in): by user name and
    address together, and by address alone for spraying over many names."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_ip_at", "username", "ip", "at"),
                      Index("ix_login_attempt_ip_at", "ip", "at"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    username: str = Field(max_length=100)
    ip: str = Field(max_length=64)
    ok: bool = False
