"""Contributions (đóng góp): money, in-kind value and labour days, by source."""

from sqlmodel import Session

from app.db.contributions import Contribution, ContributionCreate
from app.enums import ContributionKind, Source
from app.services.actor import Actor
from app.services.errors import Invalid
from app.services import rollups
from app.services.records import Id, ListParams, Records, verbs


def _check(session: Session, actor: Actor, c: Contribution) -> None:
    if c.kind == ContributionKind.labor and not c.labor_days:
        raise Invalid.field("labor_days", "Đóng góp ngày công cần có số ngày công.")
    if c.kind != ContributionKind.labor and not c.amount_vnd:
        raise Invalid.field("amount_vnd", "Đóng góp tiền hoặc hiện vật cần có số tiền (quy ra đồng).")


class Filters(ListParams):
    """Filters of the contributions list, one per enumerated field."""

    source: list[Source] | None = None
    kind: list[ContributionKind] | None = None
    work_id: Id | None = None
    model_id: Id | None = None


records = Records(
    Contribution, label="khoản đóng góp", date_field="date", create_schema=ContributionCreate,
    check=_check,
    rollup=rollups.contribution_effects,
    resource="contributions",
)


# The five verbs (services/records/verbs.py): the engine's.
list, get, create, update, delete = verbs(records)
