"""/api/v1/petitions: đơn thư, their lifecycle transitions and legal extensions."""

from typing import Annotated

from fastapi import Body, Request
from fastapi.responses import JSONResponse

from app.api.crud import IdempotencyKeyHeader, idempotent_post, json_record, record_router
from app.api.errors import PROBLEM_RESPONSES
from app.db.petitions import PetitionRead
from app.deps import ActorDep, IfMatchDep, RecordId, SessionDep
from app.services import registry
from app.services.petitions import records as service
from app.services.petitions import workflow
from app.services.petitions.workflow import ExtensionIn, TransitionIn

router = record_router(registry.get("petitions"))


@router.post("/{id:int}/transitions", response_model=PetitionRead, responses=PROBLEM_RESPONSES)
def transition(id: RecordId, session: SessionDep, actor: ActorDep, request: Request,
               data: Annotated[TransitionIn, Body()], expected: IfMatchDep,
               key: IdempotencyKeyHeader = None) -> JSONResponse:
    """Move a petition one legal step (accept, start, resolve, withdraw, transfer, reject)."""
    def run() -> JSONResponse:
        p = workflow.transition(session, actor=actor, id=id, to=data.to, on=data.date,
                                note=data.note, outcome=data.outcome, if_match=expected)
        return json_record(service.present(p, actor))

    return idempotent_post(session, actor, request, key, data.model_dump(mode="json"), run)


@router.post("/{id:int}/extensions", response_model=PetitionRead, responses=PROBLEM_RESPONSES)
def extend(id: RecordId, session: SessionDep, actor: ActorDep, request: Request,
           data: Annotated[ExtensionIn, Body()], expected: IfMatchDep,
           key: IdempotencyKeyHeader = None) -> JSONResponse:
    """Record a legal extension of a denunciation's time limit (at most two, 30 days each)."""
    def run() -> JSONResponse:
        p = workflow.extend(session, actor=actor, id=id, days=data.days, on=data.date,
                            decision_no=data.decision_no, if_match=expected)
        return json_record(service.present(p, actor))

    return idempotent_post(session, actor, request, key, data.model_dump(mode="json"), run)


@router.get("/{id:int}/history", responses=PROBLEM_RESPONSES)
def history(id: RecordId, session: SessionDep, actor: ActorDep) -> dict[str, list[dict[str, object]]]:
    """The petition's lifecycle steps and extensions, oldest first."""
    steps, extensions = service.history(session, actor=actor, id=id)
    return {
        "steps": [{"from": s.from_status, "to": s.to_status, "date": s.date.isoformat(),
                   "note": s.note, "username": s.username} for s in steps],
        "extensions": [{"days": e.days, "decision_no": e.decision_no, "date": e.date.isoformat()}
                       for e in extensions],
    }
