"""The administrative tree: country → province → district → commune → village, with validity and mergers."""

from typing import Any

from sqlalchemy import BigInteger, Index, func
from sqlmodel import Field, Relationship, SQLModel

from app.db.search import Searchable
from app.db.base import Id, RecordMeta, ref
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


class UnitSuccessor(SQLModel, table=True):
    """A unit divided between several successors (471 communes in 2025): one row per
    successor. The default one is also the unit's `merged_into_id`, through which its records
    roll up (each counted once); the others received a part (services/units.py). A unit
    merged whole into one has no row: its `merged_into_id` alone says it, whoever writes it
    (services/units.py `canonical_successors`)."""

    __tablename__ = "unit_successor"
    predecessor_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    successor_id: int = Field(foreign_key="unit.id", primary_key=True, index=True,
                              ondelete="CASCADE")


_SUCCESSORS = "Các đơn vị kế thừa"
_SUCCESSORS_HELP = ("khi đơn vị được chia cho nhiều đơn vị: tất cả các đơn vị nhận, trong đó có "
                    "đơn vị kế thừa mặc định (Sáp nhập vào)")


class Unit(UnitBase, Searchable, RecordMeta, table=True):
    __search__ = ("name", "code")
    successors: list["Unit"] = Relationship(sa_relationship_kwargs={
        "secondary": "unit_successor", "lazy": "selectin",
        "primaryjoin": "Unit.id == UnitSuccessor.predecessor_id",
        "secondaryjoin": "Unit.id == UnitSuccessor.successor_id"})

    @property
    def successor_ids(self) -> list[int]:
        """All successors' ids, the default (`merged_into_id`) first: the ones a write has
        set and services/units.py has not yet checked, else the stored ones."""
        pending = self.__dict__.get("_successor_ids")
        ids = pending if pending is not None else [u.id for u in self.successors]
        return sorted(ids, key=lambda i: (i != self.merged_into_id, i))

    @successor_ids.setter
    def successor_ids(self, ids: Any) -> None:
        # Kept aside until the unit's check (services/units.py) resolves and stores them.
        self.__dict__["_successor_ids"] = list(dict.fromkeys(ids or []))


# A code is looked up without case (`?code=`, a `unit_code`, an import's column).
Index("ix_unit_code_lower", func.lower(Unit.__table__.c.code))  # type: ignore[attr-defined]


class UnitCreate(UnitBase, Input):
    # A form enters them as several units, one of them the default (`merged_into_id`).
    successor_ids: list[Id] = Field(default_factory=list, title=_SUCCESSORS,
                                     description=_SUCCESSORS_HELP, max_length=16,
                                     schema_extra={"json_schema_extra": {
                                         "x-shown": "units", "x-default": "merged_into_id"}})


UnitUpdate = partial(UnitCreate, "UnitUpdate")


class UnitRead(ReadMeta, UnitBase):
    successor_ids: list[int] = Field(default_factory=list, title=_SUCCESSORS,
                                     description=_SUCCESSORS_HELP)
    # Filled by services/units.py `present_all` from the tree (unit_search.paths).
    path: str = Field("", title="Trực thuộc", description=(
        "Read only. Where the unit lies: the names of the units above it, the top first, "
        "joined by ' › ' (`Việt Nam › Tỉnh Lâm Đồng`), as a unit picker shows it beside the "
        "name; empty for a root. Tells apart the units of one name (five 'Phường An Phú') "
        "without following `parent_id`."))


class UnitTreeStamp(SQLModel, table=True):
    """One row, rewritten by the database itself (triggers of migration 0015) whenever a unit
    is added, removed, or changes its parent or merger: a new random stamp, so a process may
    keep the tree's shape in memory for as long as the stamp it read it under is current
    (app.services.unit_tree). Random rather than counted: a rolled-back change's stamp never
    comes back for another shape."""

    __tablename__ = "unit_tree_stamp"
    id: int = Field(primary_key=True)
    stamp: int = Field(sa_type=BigInteger)
    # The stamp the second tier's own sums were last made whole for (app.services.rollups.tiers):
    # a tree changed since, by whatever means, leaves them unread until they are made again.
    sums_stamp: int | None = Field(default=None, sa_type=BigInteger)
