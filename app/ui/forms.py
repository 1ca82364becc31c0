"""What a clerk types, read the Vietnamese way (app.vn, as the import reads it) before the
shared schemas validate it: "1.500.000" đồng, "2,4" km, "05/02/2021". A text app.vn cannot
read is passed on as typed, and its reason kept (`Typed.problems`): `validate` refuses it with
that reason, as the import does, next to the schema's messages for the other fields."""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, TypeVar

from pydantic import BaseModel, ValidationError

from app import vn
from app.db import labels
from app.enums import ENUMS
from app.services.errors import Invalid


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # app.db.labels.kind: text, textarea, date, money, integer, decimal, ...
    required: bool = False
    hint: str = ""
    default_field: str = ""  # a `units` field's: the field holding the default one of them


def fields_of(schema: type[BaseModel], names: tuple[str, ...]) -> tuple[FormField, ...]:
    """The form of `names`, read off the schema's fields: each one's label, kind, whether it
    is required, and its hint (the field's description)."""
    return tuple(FormField(name, labels.label(schema, name), labels.kind(schema, name),
                           schema.model_fields[name].is_required(),
                           schema.model_fields[name].description or "",
                           labels.default_of(schema, name)) for name in names)


# Several units of one field are posted one box each, `<field>:<id>` (the pages' form reader,
# app.deps.form_values, keeps one value per name); `parse` gathers them into a list.
MANY = ":"


def ticked(values: dict[str, Any], name: str) -> list[Any]:
    """The units of the `units` field `name` a form holds: a stored list, or its boxes ticked
    (ids as numbers; anything else kept as sent, for the schema to refuse)."""
    held = values.get(name)
    out = list(held) if isinstance(held, (list, tuple)) else []
    out += [v for k, v in values.items() if k.startswith(name + MANY)]
    return list(dict.fromkeys(int(v) if isinstance(v, str) and v.isdigit() and len(v) < 11
                              else v for v in out))


def options(kind: str) -> tuple[tuple[str, str], ...]:
    """(code, Vietnamese label) of each choice of an enumerated field's kind ('enum:source');
    none for any other kind."""
    if not kind.startswith("enum:"):
        return ()
    return tuple((m.value, m.vi) for m in ENUMS[kind[5:]])


def declaration(fields: tuple[FormField, ...]) -> list[list[Any]]:
    """What a paper form and its entry form must agree on, field by field, in order: name,
    label, kind, whether required, and an enumerated field's choices."""
    return [[f.name, f.label, f.kind, f.required, [list(o) for o in options(f.kind)]]
            for f in fields]


def mark(code: str, declared: list[list[Any]]) -> str:
    """A form's version mark, 'ĐG-3f9a': its paper's code and a short hash of its declaration,
    printed on the paper and shown on the entry screen. Any change of a field's name, order,
    label, kind, requirement or choices changes it, so an old paper is told from a new one."""
    text = json.dumps(declared, ensure_ascii=False, separators=(",", ":"))
    return f"{code}-{hashlib.sha256(text.encode()).hexdigest()[:4]}"


READERS: dict[str, Callable[[Any], Any]] = {
    "money": vn.read_money, "integer": vn.read_int, "decimal": vn.read_decimal,
    "quantity": vn.read_decimal, "date": vn.read_date, "bool": vn.read_bool}
M = TypeVar("M", bound=BaseModel)
# A form's general message when its fields' own messages say what is wrong.
TOLD = "Có ô nhập chưa đúng; xem thông báo đỏ cạnh từng ô."


class Typed(dict[str, Any]):
    """A form's values, read; `problems`: field name → why its text could not be read."""

    problems: dict[str, str]


def version(text: Any) -> int | None:
    """The record version a form carries back (its hidden `version` field); None if absent
    or not a number, which the service reads as "no check"."""
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def parse(values: dict[str, Any], fields: tuple[FormField, ...]) -> Typed:
    """The form's values with numbers, dates and yes/no read the Vietnamese way; unknown keys
    kept (the schema refuses them); an unticked box is False."""
    out = Typed(values)
    out.problems = {}
    for f in fields:
        if f.kind == "units":
            out[f.name] = ticked(out, f.name)
            for k in [k for k in out if k.startswith(f.name + MANY)]:
                del out[k]
            continue
        raw = out.get(f.name)
        reader = READERS.get(f.kind)
        if reader is None:
            continue
        if not isinstance(raw, str) or not raw.strip():
            if f.kind == "bool":
                out[f.name] = False
            continue
        try:
            out[f.name] = reader(raw)
        except ValueError as exc:
            out.problems[f.name] = str(exc)
    return out


def validate(schema: type[M], values: dict[str, Any], problems: dict[str, str] | None = None) -> M:
    """`schema` validated from the form's values; a text that could not be read is refused
    with app.vn's reason (the import's), the other fields with the schema's messages."""
    from app.services.validation import field_errors

    problems = problems if problems is not None else getattr(values, "problems", {})
    try:
        model = schema.model_validate(values)
        errors: list[dict[str, Any]] = []
    except ValidationError as exc:
        if not problems:
            raise
        errors = [e for e in field_errors(exc) if not e["loc"] or e["loc"][-1] not in problems]
    if not problems:
        return model
    errors += [{"loc": ["body", name], "msg": msg} for name, msg in problems.items()]
    raise Invalid(TOLD, errors=errors)


def shown(values: dict[str, Any], fields: tuple[FormField, ...]) -> dict[str, Any]:
    """A stored record's values as the form shows them: 1.500.000, 2,4, 05/02/2021."""
    out = dict(values)
    for f in fields:
        v = out.get(f.name)
        if v is None or v == "":
            continue
        if f.kind == "date" and isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v):
            out[f.name] = vn.print_date(date.fromisoformat(v))
        elif f.kind == "money" and isinstance(v, int):
            out[f.name] = vn.print_number(v, 0)
        elif f.kind in ("decimal", "quantity") and isinstance(v, (int, float)):
            out[f.name] = vn.print_number(v, 3)
    return out
