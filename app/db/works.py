"""Works and tasks (công trình, phần việc): roads, canals, lamps, houses, funds."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, RecordMeta, amount, external_key, money, ref
from app.db.fields import Happened, Input, Normalized, ReadMeta, SaneDate, code_field, partial
from app.enums import Measure, OrgType, WorkCategory, WorkStatus


class WorkBase(Normalized):
    name: str = Field(min_length=1, max_length=300, title="Tên công trình, phần việc")
    # The work's official code (mã công trình), optional: imports refer to works by it.
    code: str | None = Field(default=None, min_length=1, max_length=32, unique=True, index=True,
                             title="Mã công trình",
                             description="không bắt buộc; chữ không dấu, số, dấu chấm, gạch: HT-DUONG-01",
                             schema_extra={"pattern": r"^[A-Za-z0-9._-]+$"})
    unit_id: int = ref("unit", "Đơn vị", ...)
    category: WorkCategory = code_field(title="Loại công trình")
    quantity: float | None = amount(title="Khối lượng", shown_as="quantity")  # with its measure
    measure: Measure | None = code_field(None, title="Đơn vị tính")
    total_cost_vnd: int | None = money(title="Tổng kinh phí (đồng)")
    org_type: OrgType | None = code_field(None, title="Đơn vị thực hiện")
    model_id: int | None = ref("model", "Thuộc mô hình", index=True,
                               description="mô hình “Dân vận khéo” làm nên công trình (nếu có)")
    start_date: SaneDate | None = Field(default=None, title="Ngày khởi công")  # planned works may start ahead
    completed_date: Happened | None = Field(default=None, title="Ngày hoàn thành")
    # Left empty, it follows completed_date: completed when there is one, planned otherwise.
    status: WorkStatus | None = code_field(None, title="Tình trạng")


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
