"""What a person reads of a schema's field: its Vietnamese label and how it is entered and
shown, both read off the field's own declaration (issue 17: one declaration per resource).

The label is the field's `title` (so the OpenAPI schema carries it too). The kind is the
field's `x-shown` where one is declared (app.db.base.shown), else it follows from the type:

    text, textarea (a long text), date, money, integer, decimal, bool,
    unit (a unit's id), units (several units' ids; `x-default` names the field holding the
    default one among them), ref:works / ref:models (a record's id), enum:<name> (app.enums.ENUMS),
    quantity (a work's amount, shown with its measure)

Forms, lists, filters, exports, import templates, history and the OpenAPI descriptions read
these two functions; none keeps its own dictionary of labels.
"""

from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from app.db.base import MAX_TEXT
from app.enums import ENUMS

ENUM_NAMES: dict[type, str] = {enum: name for name, enum in ENUMS.items()}
# What a reference names, by the table its foreign key points to.
REFERENCES = {"unit": "unit", "work": "ref:works", "model": "ref:models"}


def base_type(annotation: Any) -> Any:
    """`int | None` → int; `Annotated[date, ...]` → date."""
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not NoneType]
        return base_type(args[0]) if args else NoneType
    if hasattr(annotation, "__metadata__"):
        return base_type(get_args(annotation)[0])
    return annotation


def _info(schema: type, name: str) -> FieldInfo:
    try:
        return schema.model_fields[name]  # type: ignore[attr-defined,no-any-return]
    except KeyError:
        raise KeyError(f"{schema.__name__} has no field {name!r}") from None


def label(schema: type, name: str) -> str:
    """The field's Vietnamese label: 'amount_vnd' of ContributionCreate → 'Số tiền (đồng)'."""
    title = _info(schema, name).title
    if not title:
        raise LookupError(f"{schema.__name__}.{name} has no label (title)")
    return title


def _foreign_table(info: FieldInfo) -> str | None:
    key = getattr(info, "foreign_key", None)
    return key.split(".")[0] if isinstance(key, str) else None


def _max_length(info: FieldInfo) -> int | None:
    for m in info.metadata:
        if getattr(m, "max_length", None) is not None:
            return m.max_length  # type: ignore[no-any-return]
    return None


@lru_cache(maxsize=None)
def kind(schema: type, name: str) -> str:
    """How the field is entered and shown (see the module's docstring)."""
    info = _info(schema, name)
    extra = info.json_schema_extra
    if isinstance(extra, dict) and extra.get("x-shown"):
        return str(extra["x-shown"])
    table = _foreign_table(info)
    if table in REFERENCES:
        return REFERENCES[table]
    base = base_type(info.annotation)
    if isinstance(base, type) and issubclass(base, Enum) and base in ENUM_NAMES:
        return f"enum:{ENUM_NAMES[base]}"
    if base is bool:
        return "bool"
    if base is datetime:
        return "datetime"
    if base is date:
        return "date"
    if base is int:
        return "integer"
    if base is float:
        return "decimal"
    return "textarea" if (_max_length(info) or 0) >= MAX_TEXT else "text"


def default_of(schema: type, name: str) -> str:
    """The field holding the default one of a `units` field's units ('' if none is declared)."""
    extra = _info(schema, name).json_schema_extra
    return str(extra.get("x-default") or "") if isinstance(extra, dict) else ""


def described(schema: type) -> dict[str, tuple[str, str]]:
    """Every field of `schema` → (label, kind), in the schema's order."""
    return {name: (label(schema, name), kind(schema, name)) for name in schema.model_fields}  # type: ignore[attr-defined]


def unlabelled(schema: type) -> list[str]:
    """The fields of `schema` without a label (a test keeps this empty)."""
    return [name for name, info in schema.model_fields.items() if not info.title]  # type: ignore[attr-defined]
