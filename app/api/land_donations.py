"""/api/v1/land-donations: land given by households."""

from app.api.crud import record_router
from app.services import registry

router = record_router(registry.get("land-donations"))
