"""The unit form's successors (app/db/units.py `successor_ids`, entered as several units, one of
them the default, `merged_into_id`: macros.unit_choices). What the boxes and the "mặc định"
choice mean, read into what the units service takes:

- the default chosen is one of the successors, ticked or not (choosing it says so);
- successors ticked with no default chosen: the service's rule picks it
  (app/services/units.py `default_successor`: the first);
- one successor alone is a merger into it, as before a unit could be divided (no link kept,
  so the tree says "sáp nhập vào", not "chia cho": `canonical_successors`, the rule the API
  and the imports follow too);
- none: neither merged nor divided."""

from typing import Any

from app.services.units import canonical_successors, default_successor


def _id(value: Any) -> Any:
    if value is None or value == "":
        return None
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 11 else value


def read(values: dict[str, Any]) -> dict[str, Any]:
    """The posted unit form's successors and default, as the service takes them."""
    if "successor_ids" not in values and "merged_into_id" not in values:
        return values
    ids = list(values.get("successor_ids") or [])
    default = _id(values.get("merged_into_id"))
    if default is not None and default not in ids:
        ids.insert(0, default)
    values["merged_into_id"] = default_successor(ids, default)
    values["successor_ids"] = ids
    return canonical_successors(values, None)
