"""/api/v1/works: works and tasks."""

from app.api.crud import record_router
from app.services import registry

router = record_router(registry.get("works"))
