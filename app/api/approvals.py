"""/api/v1/approvals: a period's data of a unit subtree checked and locked."""

from typing import Annotated

from fastapi import Body, Response

from app.api.crud import api_router
from app.api.errors import PROBLEM_RESPONSES
from app.db.approvals import ApprovalCreate, ApprovalRead
from app.deps import ActorDep, RecordId, SessionDep, UnitId
from app.services import approvals

router = api_router("approvals")


@router.post("", status_code=201, response_model=ApprovalRead, responses=PROBLEM_RESPONSES)
def approve(session: SessionDep, actor: ActorDep, data: Annotated[ApprovalCreate, Body()],
            response: Response) -> ApprovalRead:
    """Approve (lock) a unit subtree's records for a period (managers)."""
    row = approvals.approve(session, actor=actor, data=data)
    response.headers["Location"] = f"/api/v1/approvals/{row.id}"
    return ApprovalRead.model_validate(row, from_attributes=True)


@router.get("", response_model=list[ApprovalRead], responses=PROBLEM_RESPONSES, name="list")
def list_approvals(session: SessionDep, actor: ActorDep,
                   unit_id: UnitId = None) -> list[ApprovalRead]:
    """Approvals in force: of the caller's subtree, or those covering one unit."""
    return [ApprovalRead.model_validate(r, from_attributes=True)
            for r in approvals.list_(session, actor=actor, unit_id=unit_id)]


@router.get("/{id:int}", response_model=ApprovalRead, responses=PROBLEM_RESPONSES, name="get")
def read_approval(id: RecordId, session: SessionDep, actor: ActorDep) -> ApprovalRead:
    """One approval."""
    return ApprovalRead.model_validate(approvals.get(session, actor=actor, id=id),
                                       from_attributes=True)


@router.delete("/{id:int}", status_code=204, responses=PROBLEM_RESPONSES)
def withdraw(id: RecordId, session: SessionDep, actor: ActorDep) -> Response:
    """Withdraw an approval: the period's records can be changed again (managers)."""
    approvals.withdraw(session, actor=actor, id=id)
    return Response(status_code=204)
