"""DVK models: collective models (mô hình) and individual exemplars (điển hình)."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_TEXT, RecordMeta, external_key, ref
from app.db.fields import Happened, Input, Normalized, ReadMeta, SaneDate, code_field, partial
from app.enums import Field_, Level, ModelKind, ModelStatus, OrgType


class ModelBase(Normalized):
    name: str = Field(min_length=1, max_length=300, title="Tên mô hình, điển hình")
    unit_id: int = ref("unit", "Đơn vị", ...)
    field: Field_ = code_field(title="Lĩnh vực")
    kind: ModelKind = code_field(ModelKind.collective, title="Loại")
    org_type: OrgType = code_field(title="Tổ chức chủ trì")
    org_name: str | None = Field(default=None, max_length=300, title="Tên tổ chức, cá nhân")
    # A registered model may start, and end, ahead; its recognition has happened.
    start_date: SaneDate = Field(title="Ngày bắt đầu")
    end_date: SaneDate | None = Field(default=None, title="Ngày kết thúc")
    members: int | None = Field(default=None, ge=0, le=10_000_000, title="Số thành viên")
    description: str | None = Field(default=None, max_length=MAX_TEXT, title="Mô tả")
    results: str | None = Field(default=None, max_length=MAX_TEXT, title="Kết quả")
    status: ModelStatus = code_field(ModelStatus.registered, title="Trạng thái")
    recognition_level: Level | None = code_field(None, title="Cấp công nhận")
    score: float | None = Field(default=None, ge=0, le=1000, title="Điểm đánh giá")
    # Recognition at a level, by decision; and the model this one replicates (nhân rộng).
    recognition_decision_no: str | None = Field(default=None, max_length=100, title="Số quyết định công nhận")
    recognition_date: Happened | None = Field(default=None, title="Ngày công nhận")
    replicated_from_id: int | None = ref(
        "model", "Nhân rộng từ mô hình",
        description="mô hình gốc mà mô hình này học tập, nhân rộng (nếu có)")


class Model(ModelBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("name", "org_name")
    __table_args__ = (Index("ix_model_unit_id_start_date", "unit_id", "start_date"),)


external_key(Model)


class ModelCreate(ModelBase, Input):
    pass


ModelUpdate = partial(ModelCreate, "ModelUpdate")


class ModelRead(ReadMeta, ModelBase, Imported):
    pass
