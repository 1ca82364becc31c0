"""Issued reports: the figures of a summary frozen when it was sent, with who issued it."""

from datetime import date

from sqlalchemy import Text
from sqlmodel import Field

from app.db.base import MAX_ID, RecordMeta
from app.db.fields import Happened, Input, SaneDate


class IssueRequest(Input):
    unit_id: int = Field(ge=1, le=MAX_ID)
    date_from: SaneDate
    date_to: SaneDate
    number: str = Field(min_length=1, max_length=50, description="Số văn bản, e.g. 125-BC/BDV")
    issuer: str = Field(min_length=1, max_length=300, description="Cơ quan ban hành")
    place: str = Field(min_length=1, max_length=100, description="Địa danh, e.g. Hàm Thuận Bắc")
    issued_on: Happened = Field(title="Ngày ban hành")
    signer_title: str = Field(default="TRƯỞNG BAN", max_length=200)
    signer_name: str = Field(min_length=1, max_length=200)
    recipients: list[str] = Field(default_factory=list, max_length=30)


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
    issued_by: str = Field(max_length=100)
    # Every figure of the summary as it was at issue, as JSON: later corrections never change it.
    figures: str = Field(sa_type=Text)
