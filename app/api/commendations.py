"""/api/v1/commendations: commendations."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.commendations import CommendationCreate, CommendationRead, CommendationUpdate
from app.services import commendations as service

router = APIRouter(prefix="/api/v1/commendations", tags=["commendations"])
record_routes(router, service=service.records, filters=service.Filters, create=CommendationCreate,
              update=CommendationUpdate, read=CommendationRead, plural="commendations")
