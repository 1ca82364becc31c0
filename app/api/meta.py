"""/api/v1/meta: what the codes mean."""

from fastapi import APIRouter

from app.api.deps import ActorDep
from app.enums import ENUMS

router = APIRouter(prefix="/api/v1/meta", tags=["meta"])


@router.get("/enums")
def enums(actor: ActorDep) -> dict[str, list[dict[str, str]]]:
    """Every enumerated code with its Vietnamese and English label."""
    return {name: [{"code": m.value, "vi": m.vi, "en": m.en} for m in enum]  # type: ignore[attr-defined]
            for name, enum in ENUMS.items()}
