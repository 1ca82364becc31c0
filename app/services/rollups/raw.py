"""The raw side of each kind of record: its rows shaped as its stat rows (unit, dims, sums,
day), for the odd days of a period and for rebuilding; `KINDS` ties each to its stat table."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal, select, union_all

from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.models import Model
from app.db.petitions import Petition
from app.db.stats import (StatContribution, StatLand, StatModel, StatPetitionClose,
                          StatPetitionIn, StatPetitionOpen, StatWork)
from app.db.works import Work
from app.enums import Measure, Source
from app.services import scope
from app.services.petitions.rules import OUTSIDE_COMPETENCE


def _scoped(column: Any, units: Any) -> Any:
    return literal(True) if units is None else scope.in_units(column, units)


def raw_contributions(units: Any, when: Any) -> Any:
    return (select(Contribution.unit_id.label("unit_id"), Contribution.source.label("source"),
                   Contribution.kind.label("kind"), literal(1).label("n"),
                   func.coalesce(Contribution.amount_vnd, 0).label("amount_vnd"),
                   func.coalesce(Contribution.labor_days, 0.0).label("labor_days"),
                   Contribution.date.label("day"))
            .where(_scoped(Contribution.unit_id, units), when(Contribution.date)))


def raw_land(units: Any, when: Any) -> Any:
    return (select(LandDonation.unit_id.label("unit_id"), literal(1).label("n"),
                   func.coalesce(LandDonation.households, 0).label("households"),
                   func.coalesce(LandDonation.area_m2, 0.0).label("area_m2"),
                   func.coalesce(LandDonation.value_vnd, 0).label("value_vnd"),
                   LandDonation.date.label("day"))
            .where(_scoped(LandDonation.unit_id, units), when(LandDonation.date)))


def raw_models(units: Any, when: Any) -> Any:
    return (select(Model.unit_id.label("unit_id"), Model.kind.label("kind"),
                   Model.field.label("field"), Model.status.label("status"), literal(1).label("n"),
                   func.coalesce(Model.members, 0).label("members"), Model.start_date.label("day"))
            .where(_scoped(Model.unit_id, units), when(Model.start_date)))


def raw_works(units: Any, when: Any) -> Any:
    """Works with their linked non-state money (gifts of any date, and land value)."""
    chosen = select(Work.id).where(_scoped(Work.unit_id, units), when(Work.completed_date))
    gifts = union_all(
        select(Contribution.work_id.label("work_id"), Contribution.amount_vnd.label("v"))
        .where(Contribution.work_id.in_(chosen), Contribution.source != Source.state_budget.value),
        select(LandDonation.work_id.label("work_id"), LandDonation.value_vnd.label("v"))
        .where(LandDonation.work_id.in_(chosen)),
    ).subquery("gifts")
    per_work = (select(gifts.c.work_id, func.sum(gifts.c.v).label("v"))
                .group_by(gifts.c.work_id).subquery("per_work"))
    metres = case((Work.measure == Measure.m.value, 1000.0), else_=1.0)
    return (select(Work.unit_id.label("unit_id"), Work.category.label("category"),
                   func.coalesce(Work.org_type, "").label("org_type"), literal(1).label("n"),
                   func.coalesce(Work.quantity / metres, 0.0).label("quantity"),
                   func.coalesce(Work.total_cost_vnd, 0).label("total_cost_vnd"),
                   func.coalesce(per_work.c.v, 0).label("non_state_vnd"),
                   Work.completed_date.label("day"))
            .select_from(Work).outerjoin(per_work, per_work.c.work_id == Work.id)
            .where(_scoped(Work.unit_id, units), when(Work.completed_date)))


def raw_petitions_in(units: Any, when: Any) -> Any:
    competent = case((Petition.status.in_(OUTSIDE_COMPETENCE), "0"), else_="1")
    return (select(Petition.unit_id.label("unit_id"), Petition.type.label("type"),
                   func.coalesce(Petition.channel, "").label("channel"),
                   competent.label("competent"), literal(1).label("n"),
                   Petition.received_date.label("day"))
            .where(_scoped(Petition.unit_id, units), when(Petition.received_date)))


def raw_petitions_open(units: Any, when: Any) -> Any:
    competent = case((Petition.status.in_(OUTSIDE_COMPETENCE), "0"), else_="1")
    return (select(Petition.unit_id.label("unit_id"), competent.label("competent"),
                   literal(1).label("n"), Petition.received_date.label("day"))
            .where(_scoped(Petition.unit_id, units), when(Petition.received_date)))


def raw_petitions_close(units: Any, when: Any) -> Any:
    return (select(Petition.unit_id.label("unit_id"), Petition.status.label("status"),
                   literal(1).label("n"), Petition.closed_date.label("day"))
            .where(_scoped(Petition.unit_id, units), Petition.closed_date.is_not(None),
                   when(Petition.closed_date)))


@dataclass(frozen=True)
class Kind:
    stat: Any
    raw: Callable[[Any, Any], Any]
    dims: list[str]
    sums: list[str]
    source: Any
    date_column: str
    # Every record of `source` is counted once in `n` of its date's rows (its date is never
    # empty, no record is left out): a list's total may be read from the sums.
    counts_every_record: bool = False


KINDS = {
    "contributions": Kind(StatContribution, raw_contributions, ["source", "kind"],
                          ["n", "amount_vnd", "labor_days"], Contribution, "date", True),
    "land": Kind(StatLand, raw_land, [], ["n", "households", "area_m2", "value_vnd"],
                 LandDonation, "date", True),
    "works": Kind(StatWork, raw_works, ["category", "org_type"],
                  ["n", "quantity", "total_cost_vnd", "non_state_vnd"], Work, "completed_date"),
    "models": Kind(StatModel, raw_models, ["kind", "field", "status"], ["n", "members"], Model,
                   "start_date"),
    "petitions_in": Kind(StatPetitionIn, raw_petitions_in, ["type", "channel", "competent"], ["n"],
                         Petition, "received_date"),
    "petitions_open": Kind(StatPetitionOpen, raw_petitions_open, ["competent"], ["n"], Petition,
                           "received_date"),
    "petitions_close": Kind(StatPetitionClose, raw_petitions_close, ["status"], ["n"], Petition,
                            "closed_date"),
}

