"""Targets (chỉ tiêu) of a period."""

from app.db.targets import Target, TargetCreate
from app.services.records import ListParams, Records, verbs


class Filters(ListParams):
    """Filters of the targets list, one per enumerated field."""

    achieved: bool | None = None


records = Records(
    Target, label="chỉ tiêu", date_field="period_end", create_schema=TargetCreate,
    date_order=[("period_start", "period_end")],
    resource="targets",
    in_force_on=("period_start",),  # the unit that set the target, when its period began
)


# The five verbs (services/records/verbs.py): the engine's.
list, get, create, update, delete = verbs(records)
