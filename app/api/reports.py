"""/api/v1/reports: the summary report of a unit subtree over a period."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import ActorDep, SessionDep
from app.api.errors import PROBLEM_RESPONSES
from app.services import reports

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

UnitParam = Annotated[int | None, Query(description="The unit whose subtree is reported; "
                                                    "default: the caller's own unit.")]
FromParam = Annotated[date | None, Query(description="First day (inclusive); default 1 January.")]
ToParam = Annotated[date | None, Query(description="Last day (inclusive); default 31 December.")]


@router.get("/summary", responses=PROBLEM_RESPONSES)
def summary(session: SessionDep, actor: ActorDep, unit_id: UnitParam = None,
            date_from: FromParam = None, date_to: ToParam = None) -> dict[str, Any]:
    """Every figure of the summary report (tổng kết) for a unit subtree and a period."""
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=date_from,
                                    date_to=date_to)
    return reports.summary(session, actor=actor, **params)
