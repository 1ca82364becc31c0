"""The engine every record resource shares: a declaration (`Records`: its table, its date
field, its own rules) whose methods read, write and check (reading.py, writing.py,
checks.py). Each resource module makes one and offers plain verbs built on it (verbs.py)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import NoneType, UnionType
from typing import Any, Generic, TypeVar, Union, get_args, get_origin

from sqlalchemy import Select
from sqlmodel import Session, SQLModel

from app.enums import Role
from app.services.actor import Actor
from app.services.records.checks import Checking
from app.services.records.reading import Reading
from app.services.records.writing import Writing

T = TypeVar("T", bound=SQLModel)


@dataclass
class Records(Reading[T], Writing[T], Checking[T], Generic[T]):
    """A record resource's declaration: its table, its date field, its rules and its place
    in the tree. Its methods (the three parts above) read, write and check its records."""

    table: type[T]
    label: str  # Vietnamese name of one record, for messages: "mô hình"
    date_field: str | None
    create_schema: type[SQLModel]
    # (earlier, later) pairs of date fields: the later one may not be before the earlier.
    date_order: Sequence[tuple[str, str]] = ()
    write_role: Role = Role.clerk
    # Resource-specific rules on the merged object, before it is flushed.
    check: Callable[[Session, Actor, T], None] | None = None
    before_delete: Callable[[Session, Actor, T], None] | None = None
    # The name in the API and the audit log ("models", "land-donations").
    resource: str = ""
    # Records dated inside an approved period may not change (units are not such records).
    lockable: bool = True
    # Whether an audit entry of this record may hold a denouncer's identity.
    is_confidential: Callable[[T], bool] | None = None
    # What a record adds to the pre-aggregated sums (services/rollups/), if anything.
    rollup: Callable[[Session, T], list[Any]] | None = None
    # Filters of this resource that are not plain column matches, and how to apply them.
    special_filters: frozenset[str] = frozenset()
    # Fields of a confidential record (`is_confidential`) only managers read, sort by (a
    # hidden name's order would reveal it) or change: name → Vietnamese label.
    confidential: Mapping[str, str] = field(default_factory=dict)
    refine: Callable[[Select[Any], Any], Select[Any]] | None = None
    # The column that places a record in the tree (reads are scoped and filtered on it) ...
    unit_column: str = "unit_id"
    # ... and the one a write is checked against (a unit is written under its parent).
    write_column: str | None = None
    # The dates (the first one given) on which the record's unit must be in force; by
    # default the date field of a record kept on a unit (services/in_force.py).
    in_force_on: Sequence[str] | None = None
    required: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.required = frozenset(
            name for name, info in self.create_schema.model_fields.items()
            if not _allows_none(info.annotation)
        )
        if self.in_force_on is None:
            self.in_force_on = (self.date_field,) if self.date_field and \
                self.unit_column == "unit_id" else ()


def _allows_none(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, UnionType) and NoneType in get_args(annotation)

