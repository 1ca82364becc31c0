"""DVK models (mô hình) and individual exemplars (điển hình)."""

from sqlmodel import Session

from app.db.commendations import Commendation
from app.db.contributions import Contribution
from app.db.models import Model, ModelCreate
from app.db.works import Work
from app.enums import Field_, Level, ModelKind, ModelStatus, OrgType
from app.services.actor import Actor
from app.services.errors import Invalid
from app.services import rollups
from app.services.records import ListParams, Records, refuse_if_referenced


def _check(session: Session, actor: Actor, model: Model) -> None:
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
                                          (Commendation, "khen thưởng")])


records = Records(
    Model, label="mô hình", date_field="start_date", create_schema=ModelCreate,
    date_order=[("start_date", "end_date")], check=_check,
    rollup=rollups.model_effects, before_delete=_before_delete,
    resource="models",
)
