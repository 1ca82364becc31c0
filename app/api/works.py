"""/api/v1/works: works and tasks."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.works import WorkCreate, WorkRead, WorkUpdate
from app.services import works as service

router = APIRouter(prefix="/api/v1/works", tags=["works"])
record_routes(router, service=service.records, filters=service.Filters, create=WorkCreate,
              update=WorkUpdate, read=WorkRead, plural="works")
