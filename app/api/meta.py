"""/api/v1/meta: what the codes mean."""

from typing import Any

from app.api.crud import api_router
from app.deps import ActorDep, SessionDep
from app.enums import ENUMS, ModelKind
from app.services import evaluations

router = api_router("meta")


@router.get("/enums")
def enums(actor: ActorDep) -> dict[str, list[dict[str, str]]]:
    """Every enumerated code with its Vietnamese and English label."""
    return {name: [{"code": m.value, "vi": m.vi, "en": m.en} for m in enum]  # type: ignore[attr-defined]
            for name, enum in ENUMS.items()}


@router.get("/criteria-sets")
def criteria_sets(session: SessionDep, actor: ActorDep,
                  kind: ModelKind | None = None) -> list[dict[str, Any]]:
    """The criteria sets models and exemplars are evaluated against, with their criteria."""
    return [{"id": s.id, "name": s.name, "kind": s.kind, "period_start": s.period_start.isoformat(),
             "period_end": s.period_end.isoformat(),
             "criteria": [{"id": c.id, "position": c.position, "name": c.name,
                           "max_score": c.max_score} for c in crits]}
            for s, crits in evaluations.criteria_sets(session, kind=kind.value if kind else None)]
