"""DVK models: collective models (mô hình) and individual exemplars (điển hình)."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_ID, MAX_TEXT, RecordMeta, external_key
from app.db.fields import Happened, Input, Normalized, ReadMeta, SaneDate, code_field, partial
from app.enums import Field_, Level, ModelKind, ModelStatus, OrgType


class ModelBase(Normalized):
    name: str = Field(min_length=1, max_length=300)
    unit_id: int = Field(ge=1, le=MAX_ID, foreign_key="unit.id")
    field: Field_ = code_field()
    kind: ModelKind = code_field(ModelKind.collective)
    org_type: OrgType = code_field()
    org_name: str | None = Field(default=None, max_length=300)
    # A registered model may start, and end, ahead; its recognition has happened.
    start_date: SaneDate
    end_date: SaneDate | None = None
    members: int | None = Field(default=None, ge=0, le=10_000_000)
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    results: str | None = Field(default=None, max_length=MAX_TEXT)
    status: ModelStatus = code_field(ModelStatus.registered)
    recognition_level: Level | None = code_field(None)
    score: float | None = Field(default=None, ge=0, le=1000)
    # Recognition at a level, by decision; and the model this one replicates (nhân rộng).
    recognition_decision_no: str | None = Field(default=None, max_length=100)
    recognition_date: Happened | None = None
    replicated_from_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="model.id")


class Model(ModelBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("name", "org_name")
    __table_args__ = (Index("ix_model_unit_id_start_date", "unit_id", "start_date"),)


external_key(Model)


class ModelCreate(ModelBase, Input):
    pass


ModelUpdate = partial(ModelCreate, "ModelUpdate")


class ModelRead(ReadMeta, ModelBase, Imported):
    pass
