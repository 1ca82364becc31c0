"""Works and tasks (công trình, phần việc): roads, canals, lamps, houses, funds."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_ID, RecordMeta, amount, external_key, money
from app.db.fields import Happened, Input, Normalized, ReadMeta, SaneDate, code_field, partial
from app.enums import Measure, OrgType, WorkCategory, WorkStatus


class WorkBase(Normalized):
    name: str = Field(min_length=1, max_length=300)
    # The work's official code (mã công trình), optional: imports refer to works by it.
    code: str | None = Field(default=None, min_length=1, max_length=32, unique=True, index=True,
                             schema_extra={"pattern": r"^[A-Za-z0-9._-]+$"})
    unit_id: int = Field(ge=1, le=MAX_ID, foreign_key="unit.id")
    category: WorkCategory = code_field()
    quantity: float | None = amount()
    measure: Measure | None = code_field(None)
    total_cost_vnd: int | None = money()
    org_type: OrgType | None = code_field(None)
    model_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="model.id", index=True)
    start_date: SaneDate | None = None  # planned works may start ahead
    completed_date: Happened | None = None
    # Left empty, it follows completed_date: completed when there is one, planned otherwise.
    status: WorkStatus | None = code_field(None)


class Work(WorkBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("name", "code")
    __table_args__ = (
        Index("ix_work_unit_id_completed_date", "unit_id", "completed_date"),
        Index("ix_work_category_completed_date", "category", "completed_date"),
    )


external_key(Work)


class WorkCreate(WorkBase, Input):
    pass


WorkUpdate = partial(WorkCreate, "WorkUpdate")


class WorkRead(ReadMeta, WorkBase, Imported):
    pass
