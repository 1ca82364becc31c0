"""/api/v1/units: the administrative tree."""

from app.api.crud import record_router
from app.services import registry

router = record_router(registry.get("units"))
