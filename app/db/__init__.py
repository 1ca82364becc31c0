"""Tables, one module per resource. Importing this package registers them all on `metadata`."""

from app.db.approvals import Approval
from app.db.audit import AuditEntry, LoginAttempt
from app.db.base import metadata
from app.db.commendations import Commendation
from app.db.contributions import Contribution
from app.db.dashboards import ChangeMark, DashboardCache, DisplayToken
from app.db.evaluations import CriteriaSet, Criterion, Evaluation, EvaluationScore
from app.db.idempotency import IdempotencyKey
from app.db.issued_reports import IssuedReport
from app.db.land_donations import LandDonation
from app.db.models import Model
from app.db.petitions import Petition, PetitionExtension, PetitionStep
from app.db.recognitions import Recognition
from app.db.stats import (StatContribution, StatLand, StatModel, StatPetitionClose,
                          StatPetitionIn, StatPetitionOpen, StatWork)
from app.db.targets import Target
from app.db.units import Unit, UnitTreeStamp
from app.db.users import ApiToken, User
from app.db.works import Work

__all__ = [
    "ApiToken", "Approval", "AuditEntry", "ChangeMark", "DashboardCache", "DisplayToken", "Commendation", "Contribution", "CriteriaSet", "Criterion", "Evaluation", "EvaluationScore", "IdempotencyKey", "LoginAttempt", "IssuedReport", "LandDonation", "Model",
    "Petition", "PetitionExtension", "PetitionStep", "Recognition", "StatContribution",
    "StatLand", "StatModel", "StatPetitionClose", "StatPetitionIn", "StatPetitionOpen",
    "StatWork", "Target", "Unit", "UnitTreeStamp", "User",
    "Work", "metadata",
]
