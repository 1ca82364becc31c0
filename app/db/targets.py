"""Targets (chỉ tiêu) of a period and whether they were met."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_ID, RecordMeta, external_key
from app.db.fields import Input, Normalized, ReadMeta, SaneDate, partial


class TargetBase(Normalized):
    unit_id: int = Field(ge=1, le=MAX_ID, foreign_key="unit.id")
    name: str = Field(min_length=1, max_length=500)
    period_start: SaneDate
    period_end: SaneDate
    target_value: float | None = None
    actual_value: float | None = None
    achieved: bool | None = None


class Target(TargetBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("name",)
    __table_args__ = (Index("ix_target_unit_id_period_end", "unit_id", "period_end"),)


external_key(Target)


class TargetCreate(TargetBase, Input):
    pass


TargetUpdate = partial(TargetCreate, "TargetUpdate")


class TargetRead(ReadMeta, TargetBase, Imported):
    pass
