"""DVK models (mô hình) and individual exemplars (điển hình)."""

from typing import Any

from sqlmodel import Session

from app.db.commendations import Commendation
from app.db.contributions import Contribution
from app.db.evaluations import Evaluation
from app.db.models import Model, ModelCreate
from app.db.works import Work
from app.enums import Role, Field_, Level, ModelKind, ModelStatus, OrgType
from app.services.actor import Actor
from app.services.errors import Forbidden, Invalid
from app.services import rollups, scope
from app.services.records import ListParams, Records, refuse_if_referenced, verbs


def _check(session: Session, actor: Actor, model: Model) -> None:
    if model.replicated_from_id is not None:
        source = session.get(Model, model.replicated_from_id)
        if source is None or source.id == model.id or not scope.can_see_unit(session, actor, source.unit_id):
            raise Invalid.field("replicated_from_id", f"Không có mô hình số {model.replicated_from_id} "
                                                      "để nhân rộng từ đó.")
    if model.recognition_level is not None and model.status != ModelStatus.recognized:
        raise Invalid.field("recognition_level", "Chỉ ghi cấp công nhận khi mô hình đã được "
                                                 "công nhận (trạng thái 'Được công nhận').")


class Filters(ListParams):
    """Filters of the models list, one per enumerated field."""

    field: list[Field_] | None = None
    kind: list[ModelKind] | None = None
    org_type: list[OrgType] | None = None
    status: list[ModelStatus] | None = None
    recognition_level: list[Level] | None = None


def _before_delete(session: Session, actor: Actor, model: Model) -> None:
    refuse_if_referenced(session, model, [(Work, "công trình"), (Contribution, "khoản đóng góp"),
                                          (Commendation, "khen thưởng"),
                                          (Evaluation, "lần đánh giá"),
                                          (Model, "mô hình nhân rộng",
                                           "replicated_from_id")])


records = Records(
    Model, label="mô hình", date_field="start_date", create_schema=ModelCreate,
    date_order=[("start_date", "end_date")], check=_check,
    rollup=rollups.model_effects, before_delete=_before_delete,
    resource="models",
)


# Fields set by evaluation and recognition, which are managers' decisions.
DECIDED = ("score", "recognition_level", "recognition_decision_no", "recognition_date")
OPEN_STATUSES = (ModelStatus.registered.value, ModelStatus.in_progress.value,
                 ModelStatus.discontinued.value)


def _decides(actor: Actor, values: dict[str, Any], current: Model | None) -> None:
    if actor.at_least(Role.manager):
        return
    status = values.get("status")
    touched = [k for k in DECIDED if k in values and (current is None and values[k] is not None
                                                      or current is not None and getattr(current, k) != values[k])]
    moved = status is not None and (current is None or status != current.status) \
        and status not in OPEN_STATUSES
    if touched or moved:
        raise Forbidden("Đánh giá, công nhận mô hình là việc của lãnh đạo "
                        "(POST /api/v1/models/{id}/evaluations, .../recognition).")


def create(session: Session, *, actor: Actor, data: Any) -> Model:
    _decides(actor, data.model_dump(exclude_unset=True), None)
    return records.create(session, actor=actor, data=data)


def update(session: Session, *, actor: Actor, id: int, data: Any,
           if_match: int | None = None) -> tuple[Model, dict[str, list[Any]]]:
    _decides(actor, data.model_dump(exclude_unset=True), records.get_for_write(session, actor=actor, id=id))
    return records.update(session, actor=actor, id=id, data=data, if_match=if_match)


# The five verbs (services/records/verbs.py): the engine's, but create and update, which
# keep a model's evaluation and recognition for managers.
list, get, create, update, delete = verbs(records, create=create, update=update)
