"""What a clerk types, understood the Vietnamese way before the shared schemas validate it:
"1.500.000" đồng, "2,4" km, "05/02/2021". Anything else is passed on unchanged, so the
schema's own message explains it."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_SPACES = re.compile(r"[\s\u00a0]")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text, textarea, date, money, integer, decimal, bool, unit, enum:<name>
    required: bool = False
    hint: str = ""


def vn_integer(text: str) -> str:
    """'1.500.000' or '1 500 000' → '1500000'; anything else unchanged."""
    plain = _SPACES.sub("", text).replace(".", "")
    return plain if re.fullmatch(r"-?\d+", plain) else text


def vn_decimal(text: str) -> str:
    """'2,4' → '2.4'; '1.234,5' → '1234.5'; '1.500' (thousands) → '1500'; '2.4' stays 2.4."""
    plain = _SPACES.sub("", text)
    if "," in plain:
        plain = plain.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", plain):
        plain = plain.replace(".", "")
    return plain if re.fullmatch(r"-?\d+(\.\d+)?", plain) else text


def vn_date(text: str) -> str:
    """'05/02/2021' → '2021-02-05'; ISO passes; an impossible date stays as typed."""
    match = _DMY.match(text)
    if not match:
        return text
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def version(text: Any) -> int | None:
    """The record version a form carries back (its hidden `version` field); None if absent
    or not a number, which the service reads as "no check"."""
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def parse(values: dict[str, Any], fields: tuple[FormField, ...]) -> dict[str, Any]:
    """The form's values with numbers and dates read the Vietnamese way; unknown keys kept
    (the schema refuses them), booleans from checkboxes."""
    out = dict(values)
    for f in fields:
        raw = out.get(f.name)
        if f.kind == "bool":
            out[f.name] = raw in ("on", "true", "1", "có")
        elif not isinstance(raw, str) or not raw.strip():
            continue
        elif f.kind in ("money", "integer"):
            out[f.name] = vn_integer(raw)
        elif f.kind == "decimal":
            out[f.name] = vn_decimal(raw)
        elif f.kind == "date":
            out[f.name] = vn_date(raw)
    return out


def shown(values: dict[str, Any], fields: tuple[FormField, ...]) -> dict[str, Any]:
    """A stored record's values as the form shows them: 1.500.000, 2,4, 05/02/2021."""
    from app.formatting import number, vndate

    out = dict(values)
    for f in fields:
        v = out.get(f.name)
        if v is None or v == "":
            continue
        if f.kind == "date" and isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v):
            out[f.name] = vndate(date.fromisoformat(v))
        elif f.kind == "money" and isinstance(v, int):
            out[f.name] = number(v, 0)
        elif f.kind == "decimal" and isinstance(v, (int, float)):
            out[f.name] = number(v, 3)
    return out
