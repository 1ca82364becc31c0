"""/api/v1/contributions: funding and labour."""

from app.api.crud import record_router
from app.services import registry

router = record_router(registry.get("contributions"))
