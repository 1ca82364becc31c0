"""Contributions (đóng góp): money, in-kind value and labour behind works and models."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_ID, MAX_TEXT, RecordMeta, amount, external_key, money
from app.db.fields import Happened, Input, Normalized, ReadMeta, code_field, partial
from app.enums import ContributionKind, Source


class ContributionBase(Normalized):
    unit_id: int = Field(ge=1, le=MAX_ID, foreign_key="unit.id")
    work_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="work.id", index=True)
    model_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="model.id", index=True)
    source: Source = code_field()
    kind: ContributionKind = code_field()
    amount_vnd: int | None = money()
    labor_days: float | None = amount()
    contributor_name: str | None = Field(default=None, max_length=300)
    date: Happened
    note: str | None = Field(default=None, max_length=MAX_TEXT)


class Contribution(ContributionBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("contributor_name", "note")
    __table_args__ = (Index("ix_contribution_unit_id_date", "unit_id", "date"),)


external_key(Contribution)


class ContributionCreate(ContributionBase, Input):
    pass


ContributionUpdate = partial(ContributionCreate, "ContributionUpdate")


class ContributionRead(ReadMeta, ContributionBase, Imported):
    pass
