"""Targets (chỉ tiêu) of a period and whether they were met."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, RecordMeta, external_key, ref
from app.db.fields import Input, Normalized, ReadMeta, SaneDate, partial


class TargetBase(Normalized):
    unit_id: int = ref("unit", "Đơn vị", ...)
    name: str = Field(min_length=1, max_length=500, title="Chỉ tiêu")
    period_start: SaneDate = Field(title="Từ ngày")
    period_end: SaneDate = Field(title="Đến ngày")
    target_value: float | None = Field(default=None, title="Giá trị chỉ tiêu")
    actual_value: float | None = Field(default=None, title="Đạt được")
    achieved: bool | None = Field(default=None, title="Đã đạt")


class Target(TargetBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("name",)
    __table_args__ = (Index("ix_target_unit_id_period_end", "unit_id", "period_end"),)


external_key(Target)


class TargetCreate(TargetBase, Input):
    pass


TargetUpdate = partial(TargetCreate, "TargetUpdate")


class TargetRead(ReadMeta, TargetBase, Imported):
    pass
