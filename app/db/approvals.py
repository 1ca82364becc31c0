"""Approvals: a period's data of a unit subtree checked and locked (phê duyệt số liệu)."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from app.db.base import MAX_ID, utcnow
from app.db.fields import Input, SaneDate


class ApprovalCreate(Input):
    unit_id: int = Field(ge=1, le=MAX_ID, title="Đơn vị")
    period_start: SaneDate = Field(title="Ngày đầu kỳ")
    period_end: SaneDate = Field(title="Ngày cuối kỳ")
    note: str | None = Field(default=None, max_length=1000, title="Ghi chú")


class Approval(SQLModel, table=True):
    __tablename__ = "approval"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period_start: date
    period_end: date
    status: str = Field(default="approved", max_length=16)
    approved_by: str = Field(max_length=100)
    note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApprovalRead(SQLModel):
    id: int = Field(title="Số hiệu")
    unit_id: int = Field(title="Đơn vị")
    period_start: date = Field(title="Ngày đầu kỳ")
    period_end: date = Field(title="Ngày cuối kỳ")
    status: str = Field(title="Trạng thái")
    approved_by: str = Field(title="Người phê duyệt")
    note: str | None = Field(title="Ghi chú")
    created_at: datetime = Field(title="Tạo lúc")
