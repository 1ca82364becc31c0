"""Land donated by households (dân hiến đất)."""

from app.db.land_donations import LandDonation, LandDonationCreate
from app.enums import LandStatus
from app.services import rollups
from app.services.records import Id, ListParams, Records, verbs


class Filters(ListParams):
    """Filters of the land donations list, one per enumerated field."""

    status: list[LandStatus] | None = None
    work_id: Id | None = None


records = Records(
    LandDonation, label="hồ sơ hiến đất", date_field="date", create_schema=LandDonationCreate,
    rollup=rollups.land_effects,
    resource="land-donations",
)


# The five verbs (services/records/verbs.py): the engine's.
list, get, create, update, delete = verbs(records)
