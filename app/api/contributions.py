"""/api/v1/contributions: funding and labour."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.contributions import ContributionCreate, ContributionRead, ContributionUpdate
from app.services import contributions as service

router = APIRouter(prefix="/api/v1/contributions", tags=["contributions"])
record_routes(router, service=service.records, filters=service.Filters, create=ContributionCreate,
              update=ContributionUpdate, read=ContributionRead, plural="contributions")
