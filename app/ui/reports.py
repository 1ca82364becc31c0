"""The summary report page: unit and period pickers, every figure a link to its records, a
comparison of two periods, and the league table of the units below."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.api.deps import SessionDep
from app.enums import WorkCategory
from app.api.reports import DOCX, XLSX
from app.services import report_exports, reports
from app.services.errors import NotFound
from app.services import units as units_service
from app.services.reports import MASS_ORGS
from app.ui import templates
from app.ui.deps import PageActor

router = APIRouter()


def _dates(preset: str | None, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    if date_from or date_to:
        today = date.today()
        start = date_from or date((date_to or today).year, 1, 1)
        return start, date_to or date(start.year, 12, 31)
    return reports.preset_period(preset) or reports.PHASES["2016-2020"]


@router.get("/reports/summary", response_class=HTMLResponse)
def summary_page(request: Request, session: SessionDep, actor: PageActor,
                 unit_id: int | None = None, preset: str | None = None,
                 date_from: date | None = None, date_to: date | None = None,
                 compare: str | None = None) -> HTMLResponse:
    """The report of a unit subtree over a period, printable, each figure a link."""
    start, end = _dates(preset, date_from, date_to)
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=start,
                                    date_to=end)
    report = reports.summary(session, actor=actor, **params)
    league = reports.league(session, actor=actor, **params)
    other = None
    if compare:
        c_from, c_to = reports.preset_period(compare) or (start, end)
        other = reports.summary(session, actor=actor, unit_id=params["unit_id"], date_from=c_from,
                                date_to=c_to)
    units = units_service.nested(units_service.tree(session, actor=actor))
    years = list(range(date.today().year, 2015, -1))
    return templates.TemplateResponse(request, "reports/summary.html", {
        "actor": actor, "r": report, "league": league, "other": other, "units": units,
        "params": params, "preset": preset if not (date_from or date_to) else "custom",
        "compare": compare, "years": years, "phases": list(reports.PHASES),
        "headline": reports.headline(report), "other_headline": reports.headline(other) if other else None,
        "mass_orgs": [o.value for o in MASS_ORGS], "categories": list(WorkCategory),
        "base": _base_query(params),
    })


@router.get("/reports/summary.{ext}")
def download(ext: str, request: Request, session: SessionDep, actor: PageActor,
             unit_id: int | None = None, preset: str | None = None,
             date_from: date | None = None, date_to: date | None = None) -> Response:
    """The report on the page as a Word document or an Excel workbook."""
    start, end = _dates(preset, date_from, date_to)
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=start,
                                    date_to=end)
    name = f"bao-cao-dvk-{params['date_from']}-{params['date_to']}.{ext}"
    if ext == "docx":
        content, media = report_exports.summary_docx(session, actor=actor, **params), DOCX
    elif ext == "xlsx":
        content, media = report_exports.summary_xlsx(session, actor=actor, **params), XLSX
    else:
        raise NotFound("Chỉ tải được báo cáo dạng .docx hoặc .xlsx.")
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _base_query(params: dict[str, Any]) -> str:
    return (f"unit_id={params['unit_id']}&date_from={params['date_from'].isoformat()}"
            f"&date_to={params['date_to'].isoformat()}")
