"""Petitions (đơn thư) with their lifecycle steps and legal extensions."""

from datetime import date as date_
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_ID, MAX_TEXT, RecordMeta, external_key, ref
from app.db.fields import Happened, Input, Normalized, ReadMeta, code_field, partial
from app.enums import Channel, Domain, PetitionStatus, PetitionType


# A denouncer's identity, kept secret under the Luật Tố cáo 2018: its fields, with their
# Vietnamese labels. The one declaration of it: reads (services/petitions.py `present`), the
# audit log, sorting, exports, the import and the pages all take it from here. Only managers
# and admins read it; below manager it may be written when a denunciation is recorded, and
# never again (services/records/writing.py `Records.refuse_confidential`).
CONFIDENTIAL: dict[str, str] = {"petitioner_name": "Người gửi đơn",
                                "petitioner_address": "Địa chỉ người gửi"}


# (field, value): a petition holding it is confidential. The offline form reads it too
# (records/_form.html), so that a denouncer's identity is never kept on the clerk's machine.
CONFIDENTIAL_WHEN = ("type", PetitionType.denunciation.value)


def is_confidential(p: Any) -> bool:
    """Whether a petition (stored, or as a write would leave it) holds a denouncer's identity."""
    return getattr(p, CONFIDENTIAL_WHEN[0], None) == PetitionType(CONFIDENTIAL_WHEN[1])


class PetitionBase(Normalized):
    received_date: Happened = Field(title="Ngày nhận đơn")
    unit_id: int = ref("unit", "Đơn vị", ...)
    type: PetitionType = code_field(title="Loại đơn")
    channel: Channel | None = code_field(None, title="Kênh tiếp nhận")
    subject: str = Field(min_length=1, max_length=500, title="Nội dung")
    domain: Domain | None = code_field(None, title="Lĩnh vực")
    petitioner_name: str | None = Field(default=None, max_length=300, title="Người gửi đơn")
    petitioner_address: str | None = Field(default=None, max_length=500, title="Địa chỉ người gửi")
    signers: int = Field(default=1, ge=1, le=100_000, title="Số người ký")
    handler: str | None = Field(default=None, max_length=300, title="Người xử lý")
    complex: bool = Field(default=False, title="Vụ việc phức tạp")
    accepted_date: Happened | None = Field(default=None, title="Ngày thụ lý")
    status: PetitionStatus = code_field(PetitionStatus.received, title="Trạng thái")
    closed_date: Happened | None = Field(default=None, title="Ngày kết thúc hồ sơ")
    resolution_method: str | None = Field(default=None, max_length=300, title="Hình thức giải quyết")
    outcome: str | None = Field(default=None, max_length=MAX_TEXT, title="Kết quả giải quyết")
    note: str | None = Field(default=None, max_length=MAX_TEXT, title="Ghi chú")


class Petition(PetitionBase, Searchable, Imported, RecordMeta, table=True):
    # Never the petitioner: a search by name would reveal a denouncer.
    __search__ = ("subject", "handler")
    # Computed by the service from the legal time limits; stored so that "overdue" is a
    # plain indexed comparison in reports and dashboards.
    due_date: date_ | None = Field(default=None, index=True)
    __table_args__ = (
        Index("ix_petition_unit_id_received_date", "unit_id", "received_date"),
        Index("ix_petition_status_closed_date", "status", "closed_date"),
        # Covers every column the summary reads, so it never touches the table rows.
        # The petitions still open at a date (overdue figures): covering, by closing date.
        Index("ix_petition_open_at", "unit_id", "closed_date", "due_date", "status"),
        # The same for the whole tree (no unit condition; the unit last, read from the index):
        # SQLite could not use the one above without a unit and read every petition due
        # before the date (0.37 s of the country's report at 60 000 petitions).
        Index("ix_petition_open", "closed_date", "due_date", "status", "unit_id"),
    )


class PetitionStep(RecordMeta, table=True):
    """One lifecycle step (a transition), kept as the petition's history."""

    __tablename__ = "petition_step"
    petition_id: int = Field(ge=1, le=MAX_ID, foreign_key="petition.id", index=True, ondelete="CASCADE")
    from_status: str = Field(max_length=32)
    to_status: str = Field(max_length=32)
    date: date_
    note: str | None = Field(default=None, max_length=MAX_TEXT)
    username: str | None = Field(default=None, max_length=100)


class PetitionExtension(RecordMeta, table=True):
    """A legal extension of the time limit (gia hạn), with its decision."""

    __tablename__ = "petition_extension"
    petition_id: int = Field(ge=1, le=MAX_ID, foreign_key="petition.id", index=True, ondelete="CASCADE")
    days: int
    decision_no: str | None = Field(default=None, max_length=100)
    date: date_


external_key(Petition)


class PetitionCreate(PetitionBase, Input):
    pass


PetitionUpdate = partial(PetitionCreate, "PetitionUpdate")


class PetitionRead(ReadMeta, PetitionBase, Imported):
    # Before acceptance the deadline to accept, after it the deadline to resolve
    # (services/petitions/rules.py `term`): one column over both.
    due_date: date_ | None = Field(default=None, title="Hạn thụ lý / giải quyết")
