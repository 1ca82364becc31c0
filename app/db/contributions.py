"""Contributions (đóng góp): money, in-kind value and labour behind works and models."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_TEXT, RecordMeta, amount, external_key, money, ref
from app.db.fields import Happened, Input, Normalized, ReadMeta, code_field, partial
from app.enums import ContributionKind, Source


class ContributionBase(Normalized):
    unit_id: int = ref("unit", "Đơn vị", ...)
    work_id: int | None = ref("work", "Cho công trình", index=True,
                              description="chỉ các công trình cùng địa bàn với đơn vị đã chọn")
    model_id: int | None = ref("model", "Cho mô hình", index=True)
    source: Source = code_field(title="Nguồn")
    kind: ContributionKind = code_field(title="Hình thức")
    amount_vnd: int | None = money(title="Số tiền (đồng)")
    labor_days: float | None = amount(title="Ngày công")
    contributor_name: str | None = Field(default=None, max_length=300, title="Người, đơn vị đóng góp")
    date: Happened = Field(title="Ngày")
    note: str | None = Field(default=None, max_length=MAX_TEXT, title="Ghi chú")


class Contribution(ContributionBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("contributor_name", "note")
    # (unit_id, date) and the columns the report sums: its read of a period's left-over days
    # never leaves the index (migration 0013).
    __table_args__ = (Index("ix_contribution_unit_id_date_sums", "unit_id", "date", "source",
                            "kind", "amount_vnd", "labor_days"),)


external_key(Contribution)


class ContributionCreate(ContributionBase, Input):
    pass


ContributionUpdate = partial(ContributionCreate, "ContributionUpdate")


class ContributionRead(ReadMeta, ContributionBase, Imported):
    pass
