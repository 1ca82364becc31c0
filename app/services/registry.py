"""The one registry of record resources: each is declared here once, and every face reads it:
the API's routes and operation ids, the changes feed, the import, the list exports, the pages'
lists, forms and navigation, the dashboards' wording, and the tests' resource table.

A resource's fields (labels, how each is entered and shown) are declared on its schemas
(app.db.labels); what is declared here is what a schema cannot say: the resource's names for
people, its service, which fields its list and form show, in which order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlmodel import SQLModel

from app.db.base import read_of
from app.db.commendations import CommendationCreate, CommendationRead, CommendationUpdate
from app.db.contributions import ContributionCreate, ContributionRead, ContributionUpdate
from app.db.land_donations import LandDonationCreate, LandDonationRead, LandDonationUpdate
from app.db.models import ModelCreate, ModelRead, ModelUpdate
from app.db.petitions import CONFIDENTIAL, PetitionCreate, PetitionRead, PetitionUpdate
from app.db.recognitions import RecognitionCreate, RecognitionRead, RecognitionUpdate
from app.db.targets import TargetCreate, TargetRead, TargetUpdate
from app.db.units import UnitCreate, UnitRead, UnitUpdate
from app.db.works import WorkCreate, WorkRead, WorkUpdate
from app.enums import Role
from app.services import (commendations, contributions, land_donations, models, recognitions,
                          targets, unit_search, units, works)
from app.services.actor import Actor
from app.services.petitions import records as petitions
from app.services.records import VERBS


@dataclass(frozen=True)
class Paper:
    """A resource's printable blank form for villages (app/ui/paper.py): its code, which leads
    the version mark shared with the entry form ('ĐG' in 'Mẫu ĐG-3f9a'), and how many lines
    one A4 sheet holds when the sheet is a table (0: one record per sheet, a field a line)."""

    code: str
    rows: int = 0


@dataclass(frozen=True)
class Resource:
    name: str  # "land-donations": the API's path, the audit log's and the feed's name
    title: str  # "Hiến đất": the list's, the menu's and the import's title
    one: str  # "hồ sơ hiến đất": one record, in a sentence ("Đã thêm hồ sơ hiến đất")
    # The resource's service module: its five verbs (list, get, create, update, delete: see
    # services/records/verbs.py), its engine `records`, its `Filters`, and its own verbs.
    service: ModuleType
    create: type[SQLModel]
    update: type[SQLModel]
    read: type[SQLModel]
    columns: tuple[str, ...]  # the list's columns, in order (page and export)
    form: tuple[str, ...]  # the entry form's fields, in order
    sort: str  # the list's default order ("-date")
    # How a record is shown to an actor: a denouncer's identity is withheld below manager.
    show: Callable[[Any, Actor], Any] | None = None
    # How the API shows records a batch at a time (a list's page, an export's batch, one
    # record), where each needs what the others share: a unit's path, one read of the units
    # above them all. Without it, `present` each.
    show_all: Callable[[Any, list[Any], Actor], list[Any]] | None = None
    detail: bool = False  # the record has a page of its own (workflow, money)
    defaults: dict[str, Any] = field(default_factory=dict)  # a new form's values
    confidential: tuple[str, ...] = ()  # fields only managers see or send
    write_role: Role = Role.clerk  # the lowest role that writes
    importable: bool = True  # an Excel sheet of it can be imported
    menu: str = ""  # its link in the navigation, if any
    paper: Paper | None = None  # its printable blank form, if a village fills one in

    @property
    def records(self) -> Any:
        return self.service.records

    @property
    def creator(self) -> Callable[..., Any]:
        """The resource's create (`service.create`: the engine's, or the module's own)."""
        return self.service.create

    @property
    def updater(self) -> Callable[..., Any]:
        """The resource's update (`service.update`: the engine's, or the module's own)."""
        return self.service.update

    def present(self, obj: Any, actor: Actor) -> Any:
        if self.show is not None:
            return self.show(obj, actor)
        return read_of(self.read, obj)

    def present_all(self, session: Any, objs: list[Any], actor: Actor) -> list[Any]:
        if self.show_all is not None:
            return self.show_all(session, objs, actor)
        return [self.present(obj, actor) for obj in objs]


# Paper forms: a village collects many households' contributions for one drive, and a road's
# land from many households, so those sheets are tables of lines (landscape A4); so is a
# commendation decision's list of those commended. A model, a work, a target and a recognition
# are one record with long texts or many choices; a petition is one per sheet, so that a
# denunciation's sheet can be handed over apart. Units have none: the tree is kept on screen
# by managers, never filled in a village.
RESOURCES: tuple[Resource, ...] = (
    Resource(
        "units", "Cây đơn vị hành chính", "đơn vị", units, UnitCreate, UnitUpdate, UnitRead,
        columns=("code", "name", "level", "kind", "parent_id", "remote", "active_from", "active_to"),
        form=("name", "code", "level", "kind", "parent_id", "remote", "active_from", "active_to",
              "successor_ids"),  # with the default one among them, `merged_into_id`
        sort="code", write_role=Role.manager, menu="Đơn vị", show_all=unit_search.shown),
    Resource(
        "models", "Mô hình “Dân vận khéo”, điển hình", "mô hình", models,
        ModelCreate, ModelUpdate, ModelRead,
        columns=("name", "unit_id", "field", "kind", "org_type", "start_date", "members", "status"),
        form=("name", "unit_id", "kind", "field", "org_type", "org_name", "start_date", "end_date",
              "members", "status", "replicated_from_id", "description", "results"),
        sort="-start_date", detail=True, defaults={"kind": "collective", "status": "registered"},
        menu="Mô hình", paper=Paper("MH")),
    Resource(
        "works", "Công trình, phần việc", "công trình", works, WorkCreate, WorkUpdate, WorkRead,
        columns=("name", "unit_id", "category", "quantity", "total_cost_vnd", "org_type",
                 "completed_date"),
        form=("name", "code", "unit_id", "category", "quantity", "measure", "total_cost_vnd",
              "org_type", "start_date", "completed_date", "status", "model_id"),
        sort="-completed_date", detail=True, menu="Công trình", paper=Paper("CT")),
    Resource(
        "contributions", "Đóng góp", "khoản đóng góp", contributions,
        ContributionCreate, ContributionUpdate, ContributionRead,
        columns=("date", "unit_id", "source", "kind", "amount_vnd", "labor_days",
                 "contributor_name"),
        form=("unit_id", "source", "kind", "amount_vnd", "labor_days", "work_id",
              "contributor_name", "date", "note"),
        sort="-date", menu="Đóng góp", paper=Paper("ĐG", rows=8)),
    Resource(
        "land-donations", "Hiến đất", "hồ sơ hiến đất", land_donations,
        LandDonationCreate, LandDonationUpdate, LandDonationRead,
        columns=("date", "unit_id", "donor_name", "households", "area_m2", "value_vnd", "status"),
        form=("unit_id", "donor_name", "households", "area_m2", "value_vnd", "work_id", "date",
              "status", "note"),
        sort="-date", menu="Hiến đất", paper=Paper("HĐ", rows=8)),
    Resource(
        "petitions", "Đơn thư", "đơn thư", petitions, PetitionCreate, PetitionUpdate, PetitionRead,
        columns=("received_date", "unit_id", "type", "subject", "petitioner_name", "status",
                 "due_date", "closed_date"),
        form=("received_date", "unit_id", "type", "channel", "subject", "domain",
              *CONFIDENTIAL, "signers", "handler", "complex", "note"),
        sort="-received_date", show=petitions.present, detail=True,
        confidential=tuple(CONFIDENTIAL), menu="Đơn thư", paper=Paper("ĐT")),
    Resource(
        "commendations", "Khen thưởng", "khen thưởng", commendations,
        CommendationCreate, CommendationUpdate, CommendationRead,
        columns=("decision_date", "recipient_name", "recipient_type", "level", "decision_no",
                 "unit_id"),
        form=("unit_id", "recipient_type", "recipient_name", "level", "decision_no",
              "decision_date"),
        sort="-decision_date", paper=Paper("KT", rows=10), menu="Khen thưởng"),
    Resource(
        "targets", "Chỉ tiêu", "chỉ tiêu", targets, TargetCreate, TargetUpdate, TargetRead,
        columns=("name", "unit_id", "period_start", "period_end", "achieved"),
        form=("unit_id", "name", "period_start", "period_end", "target_value", "actual_value",
              "achieved"),
        sort="-period_end", paper=Paper("CHT"), menu="Chỉ tiêu"),
    Resource(
        "recognitions", "Công nhận danh hiệu", "công nhận danh hiệu", recognitions,
        RecognitionCreate, RecognitionUpdate, RecognitionRead,
        columns=("date", "unit_id", "title", "decision_no"),
        form=("unit_id", "title", "date", "decision_no"),
        sort="-date", paper=Paper("DH"), menu="Danh hiệu"),
)
BY_NAME: dict[str, Resource] = {r.name: r for r in RESOURCES}
# What else the audit log and the dashboards' latest changes name, beside the records.
OTHER_NAMES = {"approvals": "phê duyệt số liệu", "issued-reports": "báo cáo đã ban hành"}


def get(name: str) -> Resource:
    return BY_NAME[name]


def one(name: str) -> str:
    """One record of `name`, for a sentence: 'contributions' → 'khoản đóng góp'."""
    resource = BY_NAME.get(name)
    return resource.one if resource else OTHER_NAMES.get(name, name)


def problems(resource: Resource) -> list[str]:
    """What the declaration of `resource` lacks or gets wrong (a test keeps this empty)."""
    from app.db import labels

    found = []
    for schema in (resource.create, resource.update, resource.read):
        found += [f"{schema.__name__}.{f} has no label" for f in labels.unlabelled(schema)]
    for name in resource.columns:
        if name not in resource.read.model_fields:
            found.append(f"column {name} is not a field of {resource.read.__name__}")
    for name in resource.form:
        if name not in resource.create.model_fields:
            found.append(f"form field {name} is not a field of {resource.create.__name__}")
    for verb in VERBS:
        if not callable(getattr(resource.service, verb, None)):
            found.append(f"{resource.service.__name__} has no {verb}")
    if resource.paper and not resource.form:
        found.append(f"{resource.name} has a paper form but no entry form to follow")
    if not hasattr(resource.service, "records"):
        found.append(f"{resource.service.__name__} has no records")
    elif resource.records.resource != resource.name:
        found.append(f"records are named {resource.records.resource!r}, not {resource.name!r}")
    return found
