"""/api/v1/models: DVK models and exemplars, and their workflow (evaluate, recognise)."""


from typing import Annotated, Any

from fastapi import Body

from app.api.crud import json_record, record_router
from app.api.errors import PROBLEM_RESPONSES
from app.db.evaluations import EvaluationIn, ModelStepIn, RecognitionIn
from app.db.models import ModelRead
from app.deps import ActorDep, RecordId, SessionDep
from app.services import evaluations, registry

router = record_router(registry.get("models"))


def _read(m: Any) -> Any:
    return json_record(ModelRead.model_validate(m, from_attributes=True))


@router.post("/{id:int}/evaluations", response_model=ModelRead, responses=PROBLEM_RESPONSES)
def evaluate(id: RecordId, session: SessionDep, actor: ActorDep,
             data: Annotated[EvaluationIn, Body()]) -> Any:
    """Score a model against each criterion of its set (managers); the total becomes its score."""
    return _read(evaluations.evaluate(session, actor=actor, id=id, data=data))


@router.get("/{id:int}/evaluations", responses=PROBLEM_RESPONSES, name="evaluations")
def list_evaluations(id: RecordId, session: SessionDep, actor: ActorDep) -> list[dict[str, Any]]:
    """The model's evaluations, oldest first, with each criterion's score."""
    return [{"id": e.id, "date": e.evaluated_on.isoformat(), "evaluator": e.evaluator,
             "set_id": e.set_id, "total": e.total, "note": e.note,
             "scores": {str(k): v for k, v in scores.items()}}
            for e, scores in evaluations.evaluations_of(session, actor=actor, id=id)]


@router.post("/{id:int}/recognition", response_model=ModelRead, responses=PROBLEM_RESPONSES)
def recognize(id: RecordId, session: SessionDep, actor: ActorDep,
              data: Annotated[RecognitionIn, Body()]) -> Any:
    """Recognise an evaluated model at a level, by decision (managers)."""
    return _read(evaluations.recognize(session, actor=actor, id=id, data=data))


@router.post("/{id:int}/transitions", response_model=ModelRead, responses=PROBLEM_RESPONSES)
def transition(id: RecordId, session: SessionDep, actor: ActorDep,
               data: Annotated[ModelStepIn, Body()]) -> Any:
    """Start or discontinue a model, or (managers) conclude it is not recognised."""
    return _read(evaluations.step(session, actor=actor, id=id, to=data.to, on=data.date))
