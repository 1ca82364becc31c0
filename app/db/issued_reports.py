"""Issued reports: the figures of a summary frozen when it was sent, with who issued it."""

from datetime import date
from typing import Literal

from sqlalchemy import Text
from sqlmodel import Field

from app.db.base import MAX_ID, RecordMeta
from app.db.fields import Happened, Input, SaneDate


class IssueRequest(Input):
    unit_id: int = Field(ge=1, le=MAX_ID, title="Đơn vị")
    date_from: SaneDate = Field(title="Từ ngày")
    date_to: SaneDate = Field(title="Đến ngày")
    number: str = Field(min_length=1, max_length=50, title="Số văn bản", description="Số văn bản, e.g. 125-BC/BDV")
    issuer: str = Field(min_length=1, max_length=300, title="Cơ quan ban hành", description="Cơ quan ban hành")
    place: str = Field(min_length=1, max_length=100, title="Địa danh", description="Địa danh, e.g. Hàm Thuận Bắc")
    issued_on: Happened = Field(title="Ngày ban hành")
    signer_title: str = Field(default="TRƯỞNG BAN", max_length=200, title="Chức vụ người ký")
    signer_name: str = Field(min_length=1, max_length=200, title="Người ký")
    recipients: list[str] = Field(default_factory=list, max_length=30, title="Nơi nhận")
    # Optional, so that a client written before it still issues: left out, the unit's own
    # (reports/docx_header.py: a district's Ban Dân vận is a Party body, a commune a state one).
    kind: Literal["state", "party"] | None = Field(
        default=None, title="Thể thức văn bản",
        description="state: cơ quan nhà nước (NĐ 30/2020); party: cơ quan Đảng (HD 36-HD/VPTW)")


class IssuedReport(RecordMeta, table=True):
    __tablename__ = "issued_report"
    unit_id: int = Field(ge=1, le=MAX_ID, foreign_key="unit.id", index=True)
    date_from: date
    date_to: date
    number: str = Field(max_length=50)
    issuer: str = Field(max_length=300)
    place: str = Field(max_length=100)
    issued_on: date
    signer_title: str = Field(max_length=200)
    signer_name: str = Field(max_length=200)
    recipients: str = Field(default="", sa_type=Text)  # one per line
    kind: str | None = Field(default=None, max_length=10)  # None: issued before it was asked
    issued_by: str = Field(max_length=100)
    # Every figure of the summary as it was at issue, as JSON: later corrections never change it.
    figures: str = Field(sa_type=Text)
