"""/api/v1/units: the administrative tree."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.units import UnitCreate, UnitRead, UnitUpdate
from app.services import units as service

router = APIRouter(prefix="/api/v1/units", tags=["units"])
record_routes(router, service=service.records, filters=service.Filters, create=UnitCreate,
              update=UnitUpdate, read=UnitRead, plural="units", update_fn=service.update)
