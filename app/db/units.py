"""The administrative tree: province → district → commune → village, with validity and mergers."""

from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import MAX_ID, RecordMeta
from app.db.fields import Input, Normalized, ReadMeta, SaneDate, code_field, partial
from app.enums import UnitKind, UnitLevel


class UnitBase(Normalized):
    code: str = Field(min_length=1, max_length=32, unique=True, schema_extra={"pattern": r"^[A-Za-z0-9._-]+$"})
    name: str = Field(min_length=1, max_length=200)
    level: UnitLevel = code_field(index=True)
    kind: UnitKind | None = code_field(None)
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="unit.id", index=True)
    remote: bool = Field(default=False)
    active_from: SaneDate | None = Field(default=None, index=True)
    active_to: SaneDate | None = None
    merged_into_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="unit.id", index=True)


class Unit(UnitBase, Searchable, RecordMeta, table=True):
    __search__ = ("name", "code")


class UnitCreate(UnitBase, Input):
    pass


UnitUpdate = partial(UnitCreate, "UnitUpdate")


class UnitRead(ReadMeta, UnitBase):
    pass
