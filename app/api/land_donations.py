"""/api/v1/land-donations: land given by households."""

from fastapi import APIRouter

from app.api.crud import record_routes
from app.db.land_donations import LandDonationCreate, LandDonationRead, LandDonationUpdate
from app.services import land_donations as service

router = APIRouter(prefix="/api/v1/land-donations", tags=["land-donations"])
record_routes(router, service=service.records, filters=service.Filters, create=LandDonationCreate,
              update=LandDonationUpdate, read=LandDonationRead, plural="land-donations")
