"""A unit recognised for a standard (e.g. xã đạt chuẩn nông thôn mới)."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, RecordMeta, external_key, ref, shown
from app.db.fields import Happened, Input, Normalized, ReadMeta, partial


class RecognitionBase(Normalized):
    unit_id: int = ref("unit", "Đơn vị", ...)
    # Open list of snake_case codes; the known ones have labels in meta/enums.
    # A code of RecognitionTitle, or a province's own (lower-case words joined by "_").
    title: str = Field(min_length=1, max_length=64, title="Danh hiệu", schema_extra={
        "pattern": r"^[a-z][a-z0-9_]*$", **shown("enum:recognition_title")})
    date: Happened = Field(title="Ngày")
    decision_no: str | None = Field(default=None, max_length=100, title="Số quyết định")


class Recognition(RecognitionBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("title", "decision_no")
    __table_args__ = (Index("ix_recognition_unit_id_date", "unit_id", "date"),)


external_key(Recognition)


class RecognitionCreate(RecognitionBase, Input):
    pass


RecognitionUpdate = partial(RecognitionCreate, "RecognitionUpdate")


class RecognitionRead(ReadMeta, RecognitionBase, Imported):
    pass
