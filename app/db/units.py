"""The administrative tree: province → district → commune → village, with validity and mergers."""

from sqlalchemy import Index, func
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import RecordMeta, ref
from app.db.fields import Input, Normalized, ReadMeta, SaneDate, code_field, partial
from app.enums import UnitKind, UnitLevel


class UnitBase(Normalized):
    # Unique, without case, among the units whose validity overlaps (services/units.py): a
    # unit after the 2025 reform mostly carries a predecessor's code.
    code: str = Field(min_length=1, max_length=32, title="Mã đơn vị",
                      description="chữ không dấu, số, dấu chấm, gạch: HT-HAMTRI; không trùng "
                                  "(không phân biệt hoa thường) với đơn vị khác cùng thời gian "
                                  "hiệu lực",
                      schema_extra={"pattern": r"^[A-Za-z0-9._-]+$"})
    name: str = Field(min_length=1, max_length=200, title="Tên đơn vị")
    level: UnitLevel = code_field(index=True, title="Cấp")
    kind: UnitKind | None = code_field(None, title="Loại")
    parent_id: int | None = ref("unit", "Đơn vị cấp trên", index=True)
    remote: bool = Field(default=False, title="Vùng sâu, vùng xa")
    active_from: SaneDate | None = Field(default=None, index=True, title="Hiệu lực từ")
    active_to: SaneDate | None = Field(default=None, title="Hết hiệu lực")
    merged_into_id: int | None = ref("unit", "Sáp nhập vào", index=True,
                                     description="đơn vị mới sau sáp nhập (nếu có)")


class Unit(UnitBase, Searchable, RecordMeta, table=True):
    __search__ = ("name", "code")


# A code is looked up without case (`?code=`, a `unit_code`, an import's column).
Index("ix_unit_code_lower", func.lower(Unit.__table__.c.code))  # type: ignore[attr-defined]


class UnitCreate(UnitBase, Input):
    pass


UnitUpdate = partial(UnitCreate, "UnitUpdate")


class UnitRead(ReadMeta, UnitBase):
    pass
