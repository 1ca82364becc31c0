"""/api/v1/recognitions: units recognised for a standard."""

from app.api.crud import record_router
from app.services import registry

router = record_router(registry.get("recognitions"))
