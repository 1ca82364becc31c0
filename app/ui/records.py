"""Read-only list pages of every record type, with the same filters as the API: where the
report's figures lead. (Entry forms come per resource, as the models page has.)"""

import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.api.deps import SessionDep
from app.enums import ENUMS
from app.services import (commendations, contributions, land_donations, petitions, recognitions,
                          targets, works)
from app.services import units as units_service
from app.services.actor import Actor
from app.ui import render_block, templates
from app.ui.deps import PageActor, is_htmx

ENUM_NAMES = {enum: name for name, enum in ENUMS.items()}


@dataclass(frozen=True)
class Listing:
    path: str
    title: str
    service: Any
    columns: tuple[tuple[str, str, str], ...]  # field, Vietnamese header, how to show it
    sort: str
    present: Callable[[Any, Actor], Any] | None = None


LISTINGS = [
    Listing("works", "Công trình, phần việc", works, (
        ("name", "Tên công trình, phần việc", "text"), ("unit_id", "Đơn vị", "unit"),
        ("category", "Loại", "enum:work_category"), ("quantity", "Khối lượng", "quantity"),
        ("total_cost_vnd", "Kinh phí (đồng)", "money"), ("org_type", "Đơn vị thực hiện", "enum:org_type"),
        ("completed_date", "Hoàn thành", "date")), "-completed_date"),
    Listing("contributions", "Đóng góp", contributions, (
        ("date", "Ngày", "date"), ("unit_id", "Đơn vị", "unit"), ("source", "Nguồn", "enum:source"),
        ("kind", "Hình thức", "enum:contribution_kind"), ("amount_vnd", "Số tiền (đồng)", "money"),
        ("labor_days", "Ngày công", "number"), ("contributor_name", "Người, đơn vị góp", "text")),
        "-date"),
    Listing("land-donations", "Hiến đất", land_donations, (
        ("date", "Ngày", "date"), ("unit_id", "Đơn vị", "unit"), ("donor_name", "Hộ hiến", "text"),
        ("households", "Số hộ", "number"), ("area_m2", "Diện tích (m²)", "number"),
        ("value_vnd", "Trị giá (đồng)", "money"), ("status", "Hồ sơ", "enum:land_donation_status")),
        "-date"),
    Listing("petitions", "Đơn thư", petitions, (
        ("received_date", "Ngày nhận", "date"), ("unit_id", "Đơn vị", "unit"),
        ("type", "Loại đơn", "enum:petition_type"), ("subject", "Nội dung", "text"),
        ("petitioner_name", "Người gửi", "text"), ("status", "Trạng thái", "enum:petition_status"),
        ("due_date", "Hạn giải quyết", "date"), ("closed_date", "Kết thúc", "date")),
        "-received_date", present=petitions.present),
    Listing("commendations", "Khen thưởng", commendations, (
        ("decision_date", "Ngày quyết định", "date"), ("recipient_name", "Tập thể, cá nhân", "text"),
        ("recipient_type", "Đối tượng", "enum:recipient_type"), ("level", "Cấp", "enum:level"),
        ("decision_no", "Số quyết định", "text"), ("unit_id", "Đơn vị", "unit")), "-decision_date"),
    Listing("targets", "Chỉ tiêu", targets, (
        ("name", "Chỉ tiêu", "text"), ("unit_id", "Đơn vị", "unit"),
        ("period_start", "Từ", "date"), ("period_end", "Đến", "date"), ("achieved", "Đạt", "bool")),
        "-period_end"),
    Listing("recognitions", "Công nhận danh hiệu", recognitions, (
        ("date", "Ngày", "date"), ("unit_id", "Đơn vị", "unit"),
        ("title", "Danh hiệu", "enum:recognition_title"), ("decision_no", "Số quyết định", "text")),
        "-date"),
]


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


def _page(listing: Listing) -> Callable[..., Response]:
    def page(request: Request, session: SessionDep, actor: PageActor) -> Response:
        raw: dict[str, Any] = {}
        for key in request.query_params:
            values = [v for v in request.query_params.getlist(key) if v]
            if values:
                raw[key] = values if len(values) > 1 else values[0]
        filters_cls = listing.service.Filters
        listy = {n for n, _ in enum_filters(filters_cls)}
        parsed = {k: ([v] if k in listy and not isinstance(v, list) else v) for k, v in raw.items()}
        try:
            filters = filters_cls.model_validate({"sort": listing.sort, **parsed})
            error = None
        except ValidationError:
            filters, error = filters_cls(sort=listing.sort), "Bộ lọc không hợp lệ; đã bỏ qua."
        result = listing.service.records.list_(session, actor=actor, filters=filters)
        rows = [listing.present(r, actor) if listing.present else r for r in result.items]
        units = units_service.nested(units_service.tree(session, actor=actor))
        query = {k: v for k, v in raw.items() if k not in ("offset",)}

        def url(offset: int) -> str:
            return f"/{listing.path}?" + urlencode({**query, "offset": max(offset, 0)}, doseq=True)

        ctx = {"actor": actor, "listing": listing, "page": result, "rows": rows, "units": units,
               "unit_names": {u.id: u.name for u, _ in units}, "query": query, "url": url,
               "filter_error": error, "enum_filters": enum_filters(filters_cls)}
        if is_htmx(request) and request.headers.get("HX-Target") == "list":
            return render_block(request, "records/list.html", "list", ctx)
        return templates.TemplateResponse(request, "records/list.html", ctx)

    page.__doc__ = f"{listing.title}: the list with its filters."
    return page


router = APIRouter()
for _listing in LISTINGS:
    router.add_api_route(f"/{_listing.path}", _page(_listing), methods=["GET"],
                         response_class=HTMLResponse, name=f"page.{_listing.path}")
