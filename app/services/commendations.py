"""Commendations (khen thưởng, biểu dương)."""

from app.db.commendations import Commendation, CommendationCreate
from app.enums import Level, RecipientType
from app.services.records import Id, ListParams, Records, verbs


class Filters(ListParams):
    """Filters of the commendations list, one per enumerated field."""

    recipient_type: list[RecipientType] | None = None
    level: list[Level] | None = None
    model_id: Id | None = None


records = Records(
    Commendation, label="khen thưởng", date_field="decision_date",
    create_schema=CommendationCreate,
    resource="commendations",
)


# The five verbs (services/records/verbs.py): the engine's.
list, get, create, update, delete = verbs(records)
