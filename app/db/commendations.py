"""Commendations (khen thưởng, biểu dương)."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, RecordMeta, external_key, ref
from app.db.fields import Happened, Input, Normalized, ReadMeta, code_field, partial
from app.enums import Level, RecipientType


class CommendationBase(Normalized):
    unit_id: int = ref("unit", "Đơn vị", ...)
    recipient_type: RecipientType = code_field(title="Đối tượng")
    recipient_name: str = Field(min_length=1, max_length=300, title="Tập thể, cá nhân")
    model_id: int | None = ref("model", "Thuộc mô hình", index=True)
    level: Level | None = code_field(None, title="Cấp khen")
    decision_no: str | None = Field(default=None, max_length=100, title="Số quyết định")
    decision_date: Happened = Field(title="Ngày quyết định")


class Commendation(CommendationBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("recipient_name", "decision_no")
    __table_args__ = (Index("ix_commendation_unit_id_decision_date", "unit_id", "decision_date"),)


external_key(Commendation)


class CommendationCreate(CommendationBase, Input):
    pass


CommendationUpdate = partial(CommendationCreate, "CommendationUpdate")


class CommendationRead(ReadMeta, CommendationBase, Imported):
    pass
