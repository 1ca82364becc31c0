"""/api/v1/commendations: commendations."""

from app.api.crud import record_router
from app.services import registry

router = record_router(registry.get("commendations"))
