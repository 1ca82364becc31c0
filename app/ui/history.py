"""A record's history panel: who changed it, when, and what, each field named by its label on
the schema and each value printed as the page prints it (labels for codes, 1.500.000 for money,
05/02/2021 for dates, the unit's name); the moment itself in Vietnam's time (macros.history)."""

from datetime import date
from functools import lru_cache
from typing import Any

from app.db import labels
from app.services import registry
from app.services.dashboards import ACTION_LABELS
from app.ui import label
from app.vn import print_date, print_number

def _schemas(resource: str) -> tuple[Any, ...]:
    r = registry.get(resource)
    return (r.create, r.read, r.records.table)


@lru_cache(maxsize=None)
def described(resource: str) -> dict[str, tuple[str, str]]:
    """Field name → (label, kind) of every field of the resource, read off its schemas: the
    table's too, which declares the fields a workflow sets and no form shows (a petition's
    closing date, a model's recognition)."""
    out: dict[str, tuple[str, str]] = {}
    for schema in reversed(_schemas(resource)):  # the input schema's word wins
        for name, info in schema.model_fields.items():
            if info.title:
                out[name] = (labels.label(schema, name), labels.kind(schema, name))
    return out


def field_labels(resource: str) -> dict[str, str]:
    """Field name → its Vietnamese label, for history panels."""
    return {name: shown for name, (shown, _) in described(resource).items()}


def _show(kind: str, value: Any, units: dict[int, str]) -> Any:
    """One stored value (JSON, as the audit log keeps it) as the page prints it."""
    if value is None or value == "":
        return value
    try:
        if kind.startswith("enum:"):
            return label(value, kind[5:])
        if kind == "money":
            return print_number(value, 0)
        if kind in ("decimal", "integer", "quantity"):
            return print_number(value, 3)
        if kind == "date":
            return print_date(date.fromisoformat(str(value)[:10]))
        if kind == "bool":
            return "có" if value else "không"
        if kind == "unit":
            return units.get(int(value)) or f"đơn vị số {value}"
        if kind == "units" and isinstance(value, list):
            return ", ".join(str(_show("unit", v, units)) for v in value)
        if kind.startswith("ref:"):
            return f"{registry.one(kind[4:])} số {value}"
    except (TypeError, ValueError):
        pass
    return value


def shown_history(resource: str, entries: list[dict[str, Any]],
                  session: Any = None) -> list[dict[str, Any]]:
    """Audit entries with each value as the page shows it (a denouncer's identity, for a
    reader below manager, is already gone from them: services/audit.py). With a session, a
    unit is named, not numbered."""
    kinds = {name: kind for name, (_, kind) in described(resource).items()}
    units = _unit_names(session, entries, kinds) if session is not None else {}

    def show(name: str, pair: list[Any]) -> list[Any]:
        return [_show(kinds.get(name, "text"), v, units) for v in pair]

    return [{**e, "done": ACTION_LABELS.get(e["action"], e["action"]),
             "changes": {k: show(k, pair) for k, pair in e["changes"].items()}} for e in entries]


def _flat(pair: list[Any]) -> list[Any]:
    return [x for v in pair for x in (v if isinstance(v, list) else [v])]


def _unit_names(session: Any, entries: list[dict[str, Any]],
                kinds: dict[str, str]) -> dict[int, str]:
    from sqlmodel import select

    from app.db.units import Unit

    ids = {int(v) for e in entries for k, pair in e["changes"].items()
           if kinds.get(k) in ("unit", "units")
           for v in _flat(pair) if isinstance(v, int) or (isinstance(v, str) and v.isdigit())}
    if not ids:
        return {}
    return dict(session.exec(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())
