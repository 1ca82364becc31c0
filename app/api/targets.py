"""/api/v1/targets: targets of a period."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.targets import TargetCreate, TargetRead, TargetUpdate
from app.services import targets as service

router = APIRouter(prefix="/api/v1/targets", tags=["targets"])
record_routes(router, service=service.records, filters=service.Filters, create=TargetCreate,
              update=TargetUpdate, read=TargetRead, plural="targets")
