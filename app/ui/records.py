"""The list page and the entry form of every record type, with the same filters, schemas
and services as the API: one generic mechanism, described per resource by a `Listing`."""

import secrets
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from app import vn
from app.db.session import attempt
from app.db.base import MAX_ID
from app.db.commendations import CommendationCreate, CommendationRead, CommendationUpdate
from app.db.contributions import ContributionCreate, ContributionRead, ContributionUpdate
from app.db.land_donations import LandDonationCreate, LandDonationRead, LandDonationUpdate
from app.db.models import ModelCreate, ModelRead, ModelUpdate
from app.db.petitions import CONFIDENTIAL, PetitionCreate, PetitionRead, PetitionUpdate
from app.db.recognitions import RecognitionCreate, RecognitionRead, RecognitionUpdate
from app.db.targets import TargetCreate, TargetRead, TargetUpdate
from app.db.units import UnitCreate, UnitRead, UnitUpdate
from app.db.works import WorkCreate, WorkRead, WorkUpdate
from app.deps import FormDep, PageActor, RecordId, Route, SessionDep, is_htmx
from app.responses import export_response
from app.enums import ENUMS, Role
from app.services import (audit, commendations, contributions, idempotency, land_donations, models,
                          recognitions, targets, works)
from app.services.petitions import records as petitions
from app.services import scope
from app.services import units as units_service
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden
from app.ui import deletes, forms, form_errors, render_block, templates
from app.ui.forms import FormField

ENUM_NAMES = {enum: name for name, enum in ENUMS.items()}


@dataclass(frozen=True)
class Listing:
    path: str
    title: str
    service: Any
    columns: tuple[tuple[str, str, str], ...]  # field, Vietnamese header, how to show it
    sort: str
    present: Callable[[Any, Actor], Any] | None = None
    one: str = "bản ghi"  # "công trình": for the form's title and notices
    fields: tuple[FormField, ...] = ()  # the entry form (none: a read-only list)
    schemas: tuple[Any, Any, Any] | None = None  # Create, Update, Read
    # Fields only managers see or send (a denouncer's identity).
    confidential: tuple[str, ...] = ()
    detail: bool = False  # the record has its own page at /<path>/<id> (workflow, money)
    defaults: dict[str, Any] = field(default_factory=dict)  # a new form's values
    write_role: Role = Role.clerk  # below it the page is a list without a form
    template: str = "records/list.html"
    # More of the page's context (the unit tree's rows), from (session, actor).
    extra: Callable[[Any, Actor], dict[str, Any]] | None = None

    def shows_form(self, actor: Actor) -> bool:
        return bool(self.fields) and actor.can_write and actor.at_least(self.write_role)


F = FormField
UNIT = F("unit_id", "Đơn vị", "unit", True)


LISTINGS = [
    Listing("models", "Mô hình “Dân vận khéo”, điển hình", models, (
        ("name", "Tên mô hình, điển hình", "text"), ("unit_id", "Đơn vị", "unit"),
        ("field", "Lĩnh vực", "enum:field"), ("kind", "Loại", "enum:model_kind"),
        ("org_type", "Tổ chức chủ trì", "enum:org_type"), ("start_date", "Bắt đầu", "date"),
        ("members", "Thành viên", "number"), ("status", "Trạng thái", "enum:model_status")),
        "-start_date", detail=True,
        one="mô hình", defaults={"kind": "collective", "status": "registered"}, fields=(
        F("name", "Tên mô hình, điển hình", required=True), UNIT,
        F("kind", "Loại", "enum:model_kind", True), F("field", "Lĩnh vực", "enum:field", True),
        F("org_type", "Tổ chức chủ trì", "enum:org_type", True),
        F("org_name", "Tên tổ chức, cá nhân"), F("start_date", "Ngày bắt đầu", "date", True),
        F("end_date", "Ngày kết thúc", "date"), F("members", "Số thành viên", "integer"),
        F("status", "Trạng thái", "enum:model_status"),
        F("replicated_from_id", "Nhân rộng từ mô hình", "ref:models",
          hint="mô hình gốc mà mô hình này học tập, nhân rộng (nếu có)"),
        F("description", "Mô tả", "textarea"), F("results", "Kết quả", "textarea")),
        schemas=(ModelCreate, ModelUpdate, ModelRead)),
    Listing("works", "Công trình, phần việc", works, (
        ("name", "Tên công trình, phần việc", "text"), ("unit_id", "Đơn vị", "unit"),
        ("category", "Loại", "enum:work_category"), ("quantity", "Khối lượng", "quantity"),
        ("total_cost_vnd", "Kinh phí (đồng)", "money"), ("org_type", "Đơn vị thực hiện", "enum:org_type"),
        ("completed_date", "Hoàn thành", "date")), "-completed_date", detail=True,
        one="công trình", fields=(
        F("name", "Tên công trình, phần việc", required=True),
        F("code", "Mã công trình", hint="không bắt buộc; chữ không dấu, số, dấu chấm, gạch: HT-DUONG-01"),
        UNIT, F("category", "Loại", "enum:work_category", True), F("quantity", "Khối lượng", "decimal"),
        F("measure", "Đơn vị tính", "enum:measure"), F("total_cost_vnd", "Tổng kinh phí", "money"),
        F("org_type", "Đơn vị thực hiện", "enum:org_type"), F("start_date", "Ngày khởi công", "date"),
        F("completed_date", "Ngày hoàn thành", "date"), F("status", "Tình trạng", "enum:work_status"),
        F("model_id", "Thuộc mô hình", "ref:models", hint="mô hình “Dân vận khéo” làm nên công trình (nếu có)")),
        schemas=(WorkCreate, WorkUpdate, WorkRead)),
    Listing("contributions", "Đóng góp", contributions, (
        ("date", "Ngày", "date"), ("unit_id", "Đơn vị", "unit"), ("source", "Nguồn", "enum:source"),
        ("kind", "Hình thức", "enum:contribution_kind"), ("amount_vnd", "Số tiền (đồng)", "money"),
        ("labor_days", "Ngày công", "number"), ("contributor_name", "Người, đơn vị góp", "text")),
        "-date",
        one="khoản đóng góp", fields=(
        UNIT, F("source", "Nguồn", "enum:source", True), F("kind", "Hình thức", "enum:contribution_kind", True),
        F("amount_vnd", "Số tiền (quy ra đồng)", "money"), F("labor_days", "Ngày công", "decimal"),
        F("work_id", "Cho công trình", "ref:works", hint="chỉ các công trình cùng địa bàn với đơn vị đã chọn"),
        F("contributor_name", "Người, đơn vị góp"), F("date", "Ngày", "date", True),
        F("note", "Ghi chú", "textarea")),
        schemas=(ContributionCreate, ContributionUpdate, ContributionRead)),
    Listing("land-donations", "Hiến đất", land_donations, (
        ("date", "Ngày", "date"), ("unit_id", "Đơn vị", "unit"), ("donor_name", "Hộ hiến", "text"),
        ("households", "Số hộ", "number"), ("area_m2", "Diện tích (m²)", "number"),
        ("value_vnd", "Trị giá (đồng)", "money"), ("status", "Hồ sơ", "enum:land_donation_status")),
        "-date",
        one="hồ sơ hiến đất", fields=(
        UNIT, F("donor_name", "Hộ hiến đất", required=True), F("households", "Số hộ", "integer"),
        F("area_m2", "Diện tích (m²)", "decimal", True), F("value_vnd", "Trị giá", "money"),
        F("work_id", "Cho công trình", "ref:works", hint="công trình được hiến đất, cùng địa bàn"),
        F("date", "Ngày", "date", True), F("status", "Hồ sơ", "enum:land_donation_status"),
        F("note", "Ghi chú", "textarea")),
        schemas=(LandDonationCreate, LandDonationUpdate, LandDonationRead)),
    Listing("petitions", "Đơn thư", petitions, (
        ("received_date", "Ngày nhận", "date"), ("unit_id", "Đơn vị", "unit"),
        ("type", "Loại đơn", "enum:petition_type"), ("subject", "Nội dung", "text"),
        ("petitioner_name", "Người gửi", "text"), ("status", "Trạng thái", "enum:petition_status"),
        ("due_date", "Hạn giải quyết", "date"), ("closed_date", "Kết thúc", "date")),
        "-received_date", present=petitions.present, detail=True,
        confidential=tuple(CONFIDENTIAL),
        one="đơn thư", fields=(
        F("received_date", "Ngày nhận đơn", "date", True), UNIT,
        F("type", "Loại đơn", "enum:petition_type", True), F("channel", "Kênh tiếp nhận", "enum:channel"),
        F("subject", "Nội dung", required=True), F("domain", "Lĩnh vực", "enum:domain"),
        *(F(name, label) for name, label in CONFIDENTIAL.items()),
        F("signers", "Số người ký", "integer"), F("handler", "Người xử lý"),
        F("complex", "Vụ việc phức tạp", "bool"), F("note", "Ghi chú", "textarea")),
        schemas=(PetitionCreate, PetitionUpdate, PetitionRead)),
    Listing("commendations", "Khen thưởng", commendations, (
        ("decision_date", "Ngày quyết định", "date"), ("recipient_name", "Tập thể, cá nhân", "text"),
        ("recipient_type", "Đối tượng", "enum:recipient_type"), ("level", "Cấp", "enum:level"),
        ("decision_no", "Số quyết định", "text"), ("unit_id", "Đơn vị", "unit")), "-decision_date",
        one="khen thưởng", fields=(
        UNIT, F("recipient_type", "Đối tượng", "enum:recipient_type", True),
        F("recipient_name", "Tập thể, cá nhân", required=True), F("level", "Cấp khen", "enum:level"),
        F("decision_no", "Số quyết định"), F("decision_date", "Ngày quyết định", "date", True)),
        schemas=(CommendationCreate, CommendationUpdate, CommendationRead)),
    Listing("targets", "Chỉ tiêu", targets, (
        ("name", "Chỉ tiêu", "text"), ("unit_id", "Đơn vị", "unit"),
        ("period_start", "Từ", "date"), ("period_end", "Đến", "date"), ("achieved", "Đạt", "bool")),
        "-period_end",
        one="chỉ tiêu", fields=(
        UNIT, F("name", "Chỉ tiêu", required=True), F("period_start", "Từ ngày", "date", True),
        F("period_end", "Đến ngày", "date", True), F("target_value", "Giá trị chỉ tiêu", "decimal"),
        F("actual_value", "Đạt được", "decimal"), F("achieved", "Đã đạt", "bool")),
        schemas=(TargetCreate, TargetUpdate, TargetRead)),
    Listing("recognitions", "Công nhận danh hiệu", recognitions, (
        ("date", "Ngày", "date"), ("unit_id", "Đơn vị", "unit"),
        ("title", "Danh hiệu", "enum:recognition_title"), ("decision_no", "Số quyết định", "text")),
        "-date",
        one="công nhận danh hiệu", fields=(
        UNIT, F("title", "Danh hiệu", "enum:recognition_title", True), F("date", "Ngày", "date", True),
        F("decision_no", "Số quyết định")),
        schemas=(RecognitionCreate, RecognitionUpdate, RecognitionRead)),
    Listing("units", "Cây đơn vị hành chính", units_service, (), "code",
            template="units/tree.html", write_role=Role.manager, one="đơn vị",
            extra=lambda session, actor: unit_tree(session, actor), fields=(
        F("name", "Tên đơn vị", required=True), F("code", "Mã đơn vị", required=True,
                                                  hint="chữ không dấu, số, dấu chấm, gạch: HT-HAMTRI"),
        F("level", "Cấp", "enum:unit_level", True), F("kind", "Loại", "enum:unit_kind"),
        F("parent_id", "Đơn vị cấp trên", "unit"), F("remote", "Vùng sâu, vùng xa", "bool"),
        F("active_from", "Hiệu lực từ", "date"), F("active_to", "Hết hiệu lực", "date"),
        F("merged_into_id", "Sáp nhập vào", "unit", hint="đơn vị mới sau sáp nhập (nếu có)")),
        schemas=(UnitCreate, UnitUpdate, UnitRead)),
]
BY_PATH = {listing.path: listing for listing in LISTINGS}


# Fields a workflow sets (a petition's steps, a model's recognition), on no form: how a
# history panel names and shows them.
WORKFLOW_FIELDS = {
    "accepted_date": ("Ngày thụ lý", "date"), "closed_date": ("Ngày kết thúc", "date"),
    "due_date": ("Hạn giải quyết", "date"), "outcome": ("Kết quả", "text"),
    "score": ("Điểm đánh giá", "decimal"), "recognition_level": ("Cấp công nhận", "enum:level"),
    "recognition_decision_no": ("Số quyết định công nhận", "text"),
    "recognition_date": ("Ngày công nhận", "date"),
}


def _described(path: str) -> dict[str, tuple[str, str]]:
    """Field name → (Vietnamese label, kind): the form's, else the list column's, else the
    workflow's."""
    listing = BY_PATH[path]
    known = dict(WORKFLOW_FIELDS)
    known.update({name: (label, how) for name, label, how in listing.columns})
    known.update({f.name: (f.label, f.kind) for f in listing.fields})
    return known


def field_labels(path: str) -> dict[str, str]:
    """Field name → its Vietnamese label, for history panels."""
    return {name: label for name, (label, _) in _described(path).items()}


def shown_history(path: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit entries with each value as the form shows it: labels for codes, 1.500.000 for
    money, 05/02/2021 for dates. A hidden pair (a denouncer's identity) stays hidden."""
    from datetime import date as date_

    from app.ui import label
    from app.vn import print_date, print_number

    kinds = {name: kind for name, (_, kind) in _described(path).items()}

    def show(name: str, value: Any) -> Any:
        kind = kinds.get(name, "text")
        if value is None or value == "":
            return value
        try:
            if kind.startswith("enum:"):
                return label(value, kind[5:])
            if kind == "money":
                return print_number(value, 0)
            if kind in ("decimal", "integer", "number", "quantity"):
                return print_number(value, 3)
            if kind == "date":
                return print_date(date_.fromisoformat(str(value)[:10]))
            if kind == "bool":
                return "có" if value else "không"
            if kind.startswith("ref:") or kind == "unit":
                return f"số {value}"
        except (TypeError, ValueError):
            pass
        return value

    return [{**e, "changes": {k: pair if pair == [None, None] else [show(k, v) for v in pair]
                              for k, pair in e["changes"].items()}} for e in entries]
REFS = {"ref:works": works, "ref:models": models}


def unit_tree(session: Any, actor: Actor) -> dict[str, Any]:
    """The unit page's tree: every unit in the actor's scope, nested, with approved periods."""
    from app.services import approvals

    approved: dict[int, list[Any]] = {}
    for a in approvals.list_(session, actor=actor):
        approved.setdefault(a.unit_id, []).append(a)
    units = units_service.tree(session, actor=actor)
    return {"tree_rows": units_service.nested(units), "names": {u.id: u.name for u in units},
            "approved": approved}


def enum_filters(filters: type[Any]) -> list[tuple[str, str]]:
    """(field, enum name) of each enumerated filter, read off the Filters schema."""
    out = []
    for name, info in filters.model_fields.items():
        for arg in _flatten(info.annotation):
            if isinstance(arg, type) and issubclass(arg, Enum) and arg in ENUM_NAMES:
                out.append((name, ENUM_NAMES[arg]))
    return out


def _flatten(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    return [leaf for a in args for leaf in _flatten(a)]


def _date_text(text: str) -> str:
    """A filter's date as typed on the page (05/02/2021), as ISO text for the filter schema;
    a text that is no date is left for the schema to refuse."""
    try:
        return vn.read_date(text).isoformat()
    except ValueError:
        return text


def _list_context(listing: Listing, request: Request, session: Any, actor: Actor,
                  keep_query: bool = True) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key in request.query_params if keep_query else ():
        values = [v for v in request.query_params.getlist(key) if v]
        if values:
            raw[key] = values if len(values) > 1 else values[0]
    filters_cls = listing.service.Filters
    listy = {n for n, _ in enum_filters(filters_cls)}
    parsed = {k: ([v] if k in listy and not isinstance(v, list) else v) for k, v in raw.items()}
    for key in ("date_from", "date_to"):  # typed dd/mm/yyyy, like every date on the pages
        if isinstance(parsed.get(key), str):
            parsed[key] = _date_text(parsed[key])
    try:
        filters = filters_cls.model_validate({"sort": listing.sort, **parsed})
        error = None
    except ValidationError:
        filters, error = filters_cls(sort=listing.sort), "Bộ lọc không hợp lệ; đã bỏ qua."
    try:
        result = listing.service.records.list_(session, actor=actor, filters=filters)
    except DomainError:  # a sort by an unknown or a confidential field
        filters = filters.model_copy(update={"sort": listing.sort})
        result = listing.service.records.list_(session, actor=actor, filters=filters)
        error = "Không sắp xếp được theo cột này; đã dùng thứ tự mặc định."
    rows = [listing.present(r, actor) if listing.present else r for r in result.items]
    units = units_service.nested(units_service.tree(session, actor=actor))
    query = {k: v for k, v in raw.items() if k not in ("offset",)}

    def url(offset: int) -> str:
        return f"/{listing.path}?" + urlencode({**query, "offset": max(offset, 0)}, doseq=True)

    def sort_url(name: str) -> str:
        """The list sorted by this column; again on the same column, the other way round."""
        current = filters.sort or listing.sort
        order = f"-{name}" if current == name else name
        return f"/{listing.path}?" + urlencode({**query, "sort": order}, doseq=True)

    sortable = {f for f, _, _ in listing.columns
                if f not in listing.confidential or actor.at_least(Role.manager)}
    ctx = {"actor": actor, "listing": listing, "page": result, "rows": rows, "units": units,
           "sort_url": sort_url, "sortable": sortable, "sorted_by": filters.sort or listing.sort,
           "filters": filters,
           "download_query": urlencode({k: v for k, v in query.items() if k != "sort"}, doseq=True),
           "unit_names": {u.id: u.name for u, _ in units}, "query": query, "url": url,
           "filter_error": error, "enum_filters": enum_filters(filters_cls),
           "shows_form": listing.shows_form(actor)}
    if listing.extra is not None:
        ctx.update(listing.extra(session, actor))
    return ctx


def _fields(listing: Listing, actor: Actor, editing: bool) -> tuple[FormField, ...]:
    """The form's fields for this actor. Anyone who records a petition may write its
    petitioner; correcting it later (which shows it) is for managers only."""
    return tuple(f for f in listing.fields if not editing or f.name not in listing.confidential
                 or actor.at_least(Role.manager))


def _nullable(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def _choices(session: Any, actor: Actor, kind: str, unit_id: Any,
             selected: Any = None) -> list[tuple[int, str]]:
    """(id, label) of the works or models a record of `unit_id` may refer to: the same
    rule the service enforces on save, so the picker offers nothing it would refuse."""
    try:
        unit = int(unit_id)
    except (TypeError, ValueError):
        return []
    if not 1 <= unit <= MAX_ID or not scope.can_see_unit(session, actor, unit):
        return []
    service = REFS[kind]
    rows = service.records.choices(session, actor=actor, unit_id=unit)
    out = [(r.id, f"{r.name} (số {r.id})") for r in rows]
    if selected and str(selected).isdigit() and int(selected) not in {i for i, _ in out}:
        try:  # a stored link the picker would not offer still shows, so saving keeps it
            kept = service.records.get(session, actor=actor, id=int(selected))
            out.insert(0, (kept.id, f"{kept.name} (số {kept.id})"))
        except DomainError:
            pass
    return out


def _form_context(listing: Listing, session: Any, actor: Actor, **kw: Any) -> dict[str, Any]:
    record_id = kw.get("record_id")
    editing = record_id is not None
    fields = _fields(listing, actor, editing)
    values = kw.get("values") or dict(listing.defaults)
    choices = {f.name: _choices(session, actor, f.kind, values.get("unit_id"), values.get(f.name))
               for f in fields if f.kind.startswith("ref:")}
    history = (shown_history(listing.path, audit.history(session, actor=actor, resource=listing.path,
                                                         record_id=record_id)) if editing else [])
    # A new form carries a one-time key: sending it twice saves one record, not two.
    submission = kw.get("submission") or (None if editing else secrets.token_urlsafe(16))
    return {"form_fields": fields, "values": values, "errors": kw.get("errors") or {},
            "message": kw.get("message"), "notice": kw.get("notice"), "record_id": record_id,
            "choices": choices, "history": history, "submission": submission,
            "deletable": editing and deletable(listing, session, actor, record_id),
            "field_labels": field_labels(listing.path)}


def deletable(listing: Listing, session: Any, actor: Actor, record_id: int) -> bool:
    """Whether the page offers this actor a delete of the record (app/ui/deletes.py)."""
    records = listing.service.records
    try:
        return records.may_change(session, actor=actor, obj=records.get(session, actor=actor,
                                                                         id=record_id))
    except DomainError:
        return False


def list_page(listing: Listing, request: Request, session: Any, actor: Actor,
              notice: str) -> Response:
    """The list with an empty entry form that carries `notice` (after a delete)."""
    ctx = {**_list_context(listing, request, session, actor, keep_query=False),
           **_form_context(listing, session, actor, notice=notice)}
    return templates.TemplateResponse(request, listing.template, ctx)


def _page(listing: Listing) -> Callable[..., Response]:
    def page(request: Request, session: SessionDep, actor: PageActor) -> Response:
        ctx = _list_context(listing, request, session, actor)
        if is_htmx(request) and request.headers.get("HX-Target") == "list":
            return render_block(request, listing.template, "list", ctx)
        return templates.TemplateResponse(request, listing.template,
                                          {**ctx, **_form_context(listing, session, actor)})

    page.__doc__ = f"{listing.title}: the list with its filters, and the entry form."
    return page


def _entry(listing: Listing) -> dict[str, Callable[..., Any]]:
    """The entry form's routes: the same Create/Update schemas and services as the API."""
    create_schema, update_schema, read_schema = listing.schemas  # type: ignore[misc]
    page = listing.template
    save_new = getattr(listing.service, "create", None) or listing.service.records.create
    save_changes = getattr(listing.service, "update", None) or listing.service.records.update

    def form(request: Request, session: Any, actor: Actor, status: int = 200, **kw: Any) -> Response:
        ctx = {**_list_context(listing, request, session, actor),
               **_form_context(listing, session, actor, **kw)}
        if is_htmx(request):
            return render_block(request, page, "form", ctx, status_code=status,
                                headers={"HX-Retarget": "#entry-form", "HX-Reswap": "outerHTML"})
        return templates.TemplateResponse(request, page, ctx, status_code=status)

    def failed(request: Request, session: Any, actor: Actor, values: dict[str, Any],
               exc: Exception, record_id: int | None = None, submission: str | None = None) -> Response:
        errors, message = form_errors(exc)
        where = listing.service.records.write_column or listing.service.records.unit_column
        if isinstance(exc, Forbidden) and not errors and values.get(where):
            errors = {where: exc.detail}  # the unit chosen lies outside the user's subtree
        status = exc.status if isinstance(exc, DomainError) else 422
        return form(request, session, actor, status, values=values, errors=errors,
                    message=message, record_id=record_id, submission=submission)

    def saved(request: Request, session: Any, actor: Actor, notice: str) -> Response:
        ctx = {**_list_context(listing, request, session, actor, keep_query=False),
               **_form_context(listing, session, actor, notice=notice), "oob": True}
        html = (render_block(request, page, "list", ctx).body.decode()
                + render_block(request, page, "form", ctx).body.decode())
        return HTMLResponse(html, headers={"HX-Retarget": "#list", "HX-Reswap": "outerHTML"})

    def typed(form_data: dict[str, str], actor: Actor,
              editing: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """(what was typed, to show back on a mistake; what the schema is given)."""
        fields = _fields(listing, actor, editing)
        # Unknown fields reach the schema, which refuses them. A confidential field this
        # actor may not correct (not on the form) reaches the service too, which refuses it
        # as it does on the API and in an import, whatever its value (an empty one too).
        kept = dict(form_data)
        values = forms.parse(kept, fields)
        # An optional field left empty whose schema has a default but no "none" (a land
        # donation's status) takes that default, or keeps its value when editing.
        for name in [k for k, v in values.items() if v == "" and k in create_schema.model_fields]:
            info = create_schema.model_fields[name]
            if not info.is_required() and not _nullable(info.annotation):
                del values[name]
        return kept, values

    def earlier(session: Any, actor: Actor, key: str) -> int | None:
        """The record an earlier sending of this form saved, if any."""
        stored = idempotency.find(session, actor=actor, key=key, fingerprint=key)
        return stored.body["id"] if stored is not None else None

    def create(request: Request, session: SessionDep,
               actor: PageActor, form_data: FormDep) -> Response:
        shown, values = typed(form_data, actor, editing=False)
        submission = str(values.pop("submission", "") or "")[:100] or None
        key = f"form:{listing.path}:{submission}" if submission else None
        if key and (done := earlier(session, actor, key)) is not None:
            return saved(request, session, actor, f"Đã lưu {listing.one} số {done} (biểu mẫu "
                                                   "đã được gửi trước đó, không lưu lần hai).")
        try:
            with attempt(session):
                obj = save_new(session, actor=actor, data=forms.validate(create_schema, values))
                if key:
                    idempotency.save(session, actor=actor, key=key, fingerprint=key, method="POST",
                                     path=f"/{listing.path}",
                                     stored=idempotency.Stored(201, {"id": obj.id}, None))
        except (ValidationError, DomainError) as exc:
            return failed(request, session, actor, shown, exc, submission=submission)
        except IntegrityError:
            # The same form, sent twice at once: the other request saved it first.
            if key and (done := earlier(session, actor, key)) is not None:
                return saved(request, session, actor, f"Đã lưu {listing.one} số {done}.")
            raise
        return saved(request, session, actor, f"Đã lưu {listing.one} số {obj.id}.")

    def update(id: RecordId, request: Request, session: SessionDep,
               actor: PageActor, form_data: FormDep) -> Response:
        shown, values = typed(form_data, actor, editing=True)
        version = values.pop("version", None)
        values.pop("submission", None)
        try:
            with attempt(session):
                obj, _ = save_changes(session, actor=actor, id=id,
                                      data=forms.validate(update_schema, values),
                                      if_match=forms.version(version))
        except (ValidationError, DomainError) as exc:
            return failed(request, session, actor, shown, exc, id)
        return saved(request, session, actor, f"Đã cập nhật {listing.one} số {obj.id}.")

    def new(request: Request, session: SessionDep, actor: PageActor) -> Response:
        if not listing.shows_form(actor):
            raise Forbidden(f"Vai trò '{actor.role.vi}' không được thêm {listing.one}.")
        return form(request, session, actor)

    def edit(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
        obj = listing.service.records.get(session, actor=actor, id=id)
        shown_obj = listing.present(obj, actor) if listing.present else obj
        values = read_schema.model_validate(shown_obj, from_attributes=True).model_dump(mode="json")
        return form(request, session, actor, record_id=id,
                    values=forms.shown(values, _fields(listing, actor, editing=True)))

    def choices(request: Request, session: SessionDep, actor: PageActor,
                field: str = Query(max_length=40), unit_id: str = Query("", max_length=12)) -> Response:
        kinds = {f.name: f.kind for f in listing.fields if f.kind.startswith("ref:")}
        if field not in kinds:
            return HTMLResponse("", status_code=404)
        selected = request.query_params.get(field, "")[:12]  # the picker's own value
        return render_block(request, "records/options.html", "options", {
            "options": _choices(session, actor, kinds[field], unit_id, selected),
            "selected": selected, "unit_id": unit_id})

    create.__doc__ = f"Save a new {listing.path} record from the form (once, however often sent)."
    update.__doc__ = f"Save corrections to a {listing.path} record (stale versions refused)."
    new.__doc__ = "An empty entry form."
    edit.__doc__ = "The entry form filled with one record, and its history."
    choices.__doc__ = "The options of a work or model picker for the chosen unit."
    return {"create": create, "update": update, "new": new, "edit": edit, "choices": choices}


def _download(listing: Listing, kind: str) -> Callable[..., Response]:
    def download(request: Request, session: SessionDep, actor: PageActor) -> Response:
        filters = _list_context(listing, request, session, actor)["filters"]
        return export_response(session, actor, kind, records=listing.service.records,
                               filters=filters, read=listing.schemas[2],  # type: ignore[index]
                               present=listing.present, name=listing.path)

    download.__doc__ = f"{listing.title} as .{kind}, with the list's filters."
    return download


router = APIRouter(route_class=Route)
for _listing in LISTINGS:
    base = f"/{_listing.path}"
    router.add_api_route(base, _page(_listing), methods=["GET"], response_class=HTMLResponse,
                         name=f"page.{_listing.path}")
    if _listing.schemas:
        for _kind in ("csv", "xlsx"):
            router.add_api_route(f"{base}.{_kind}", _download(_listing, _kind), methods=["GET"])
    if _listing.fields:
        entry = _entry(_listing)
        router.add_api_route(base, entry["create"], methods=["POST"], response_class=HTMLResponse)
        router.add_api_route(base + "/new", entry["new"], methods=["GET"], response_class=HTMLResponse)
        router.add_api_route(base + "/choices", entry["choices"], methods=["GET"],
                             response_class=HTMLResponse)
        router.add_api_route(base + "/{id}/edit", entry["edit"], methods=["GET"],
                             response_class=HTMLResponse)
        router.add_api_route(base + "/{id}", entry["update"], methods=["POST"],
                             response_class=HTMLResponse)
        for _method, _handler in (("GET", deletes.ask), ("POST", deletes.delete)):
            router.add_api_route(base + "/{id}/delete", _handler(_listing), methods=[_method],
                                 response_class=HTMLResponse)
