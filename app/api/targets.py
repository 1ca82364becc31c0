"""/api/v1/targets: targets of a period."""

from app.api.crud import record_router
from app.services import registry

router = record_router(registry.get("targets"))
