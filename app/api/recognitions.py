"""/api/v1/recognitions: units recognised for a standard."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.recognitions import RecognitionCreate, RecognitionRead, RecognitionUpdate
from app.services import recognitions as service

router = APIRouter(prefix="/api/v1/recognitions", tags=["recognitions"])
record_routes(router, service=service.records, filters=service.Filters, create=RecognitionCreate,
              update=RecognitionUpdate, read=RecognitionRead, plural="recognitions")
