"""/api/v1/models: DVK models and exemplars."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.models import ModelCreate, ModelRead, ModelUpdate
from app.services import models as service

router = APIRouter(prefix="/api/v1/models", tags=["models"])
record_routes(router, service=service.records, filters=service.Filters, create=ModelCreate,
              update=ModelUpdate, read=ModelRead, plural="models")
