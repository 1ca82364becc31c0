"""Works and tasks (công trình, phần việc)."""

from sqlmodel import Session

from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.works import Work, WorkCreate
from app.enums import Measure, OrgType, WorkCategory, WorkStatus
from app.services.actor import Actor
from app.services.errors import Invalid
from app.services import rollups
from app.services.records import Id, ListParams, Records, refuse_if_referenced, verbs

# The measures a category may be recorded in; the report sums each category in the first.
MEASURES: dict[WorkCategory, tuple[Measure, ...]] = {
    WorkCategory.road_concrete: (Measure.km, Measure.m),
    WorkCategory.road_other: (Measure.km, Measure.m),
    WorkCategory.field_road: (Measure.km, Measure.m),
    WorkCategory.canal: (Measure.km, Measure.m),
    WorkCategory.lighting: (Measure.lamp, Measure.item),
    WorkCategory.gratitude_house_new: (Measure.house,),
    WorkCategory.gratitude_house_repair: (Measure.house,),
    WorkCategory.charity_house: (Measure.house,),
    WorkCategory.health_insurance: (Measure.card, Measure.person_time),
    WorkCategory.poor_fund: (Measure.person_time, Measure.item),
    WorkCategory.social_support: (Measure.person_time, Measure.item),
    WorkCategory.other: tuple(Measure),
}


def _check(session: Session, actor: Actor, work: Work) -> None:
    allowed = MEASURES[WorkCategory(work.category)]
    if work.measure is None and work.quantity is not None:
        work.measure = allowed[0]
    if work.measure is not None and work.measure not in allowed:
        raise Invalid.field("measure", "Đơn vị tính không hợp với loại công trình; dùng: "
                                       + ", ".join(m.vi for m in allowed) + ".")
    if work.status is None:
        work.status = WorkStatus.completed if work.completed_date else WorkStatus.planned
    if work.status == WorkStatus.completed and work.completed_date is None:
        raise Invalid.field("completed_date", "Công trình đã hoàn thành cần có ngày hoàn thành.")


class Filters(ListParams):
    """Filters of the works list, one per enumerated field."""

    category: list[WorkCategory] | None = None
    measure: list[Measure] | None = None
    org_type: list[OrgType] | None = None
    status: list[WorkStatus] | None = None
    model_id: Id | None = None


def _before_delete(session: Session, actor: Actor, work: Work) -> None:
    refuse_if_referenced(session, work, [(Contribution, "khoản đóng góp"), (LandDonation, "hồ sơ hiến đất")])


records = Records(
    Work, label="công trình", date_field="completed_date", create_schema=WorkCreate,
    date_order=[("start_date", "completed_date")], check=_check,
    rollup=rollups.work_effects, before_delete=_before_delete,
    resource="works",
    # Where it was completed; a work still planned or under way, where it starts.
    in_force_on=("completed_date", "start_date"),
)


def money(session: Session, *, actor: Actor, id: int) -> dict[str, object]:
    """A work's money, added up by the database: gifts by source, labour days, land given,
    and the non-state share (people, businesses, organisations and the land's value)."""
    from sqlalchemy import func, select

    from app.enums import Source

    work = get(session, actor=actor, id=id)
    by_source = dict.fromkeys((s.value for s in Source), 0)
    labor = 0.0
    for source, amount, days in session.exec(
        select(Contribution.source, func.sum(Contribution.amount_vnd), func.sum(Contribution.labor_days))
        .where(Contribution.work_id == work.id).group_by(Contribution.source)
    ).all():
        by_source[source] = int(amount or 0)
        labor += float(days or 0)
    n, households, area, value = session.exec(
        select(func.count(), func.sum(LandDonation.households), func.sum(LandDonation.area_m2),
               func.sum(LandDonation.value_vnd)).where(LandDonation.work_id == work.id)
    ).one()
    land_value = int(value or 0)
    non_state = sum(v for k, v in by_source.items() if k != Source.state_budget.value) + land_value
    cost = work.total_cost_vnd or 0
    return {"work": work, "by_source": by_source, "labor_days": labor,
            "land": {"count": int(n or 0), "households": int(households or 0),
                     "area_m2": float(area or 0), "value_vnd": land_value},
            "non_state_vnd": non_state, "non_state_share": non_state / cost if cost else None}


# The five verbs (services/records/verbs.py): the engine's.
list, get, create, update, delete = verbs(records)
