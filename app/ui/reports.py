"""The summary report page: unit and period pickers, every figure a link to its records, a
comparison of two periods, and the league table of the units below."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import vn
from app.deps import FormDep, PageActor, PageDate, RecordId, Route, SessionDep, UnitId
from app.enums import Role, WorkCategory
from app.responses import DOCX, XLSX
from app.db.issued_reports import IssueRequest
from app.services import reports
from app.services.reports import downloads, issued
from app.services.reports.layouts import KINDS, Kind, default_kind
from app.services.errors import Invalid, NotFound
from app.ui import form_errors, templates, unit_picker, unit_tree

router = APIRouter(route_class=Route)


# The page opens on the first phase of the movement (the API's default is the current year).
DEFAULT_PRESET = "2016-2020"
CUSTOM = "custom"  # the period picker's "own dates" choice


def _period(preset: str | None, date_from: date | None, date_to: date | None) -> dict[str, Any]:
    """The period picker's choice wins over dates left in the form from an earlier custom
    period; 'custom', or no preset (the figures' links), reads the dates."""
    if preset and preset != CUSTOM:
        return {"preset": preset, "date_from": None, "date_to": None}
    if date_from or date_to:
        return {"preset": None, "date_from": date_from, "date_to": date_to}
    return {"preset": DEFAULT_PRESET, "date_from": None, "date_to": None}


@router.get("/reports/summary", response_class=HTMLResponse)
def summary_page(request: Request, session: SessionDep, actor: PageActor,
                 unit_id: UnitId = None, preset: str | None = None,
                 date_from: PageDate = None, date_to: PageDate = None,
                 compare: str | None = None) -> HTMLResponse:
    """The report of a unit subtree over a period, printable, each figure a link."""
    period = _period(preset, date_from, date_to)
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id, **period)
    report = reports.summary(session, actor=actor, **params)
    league = reports.league(session, actor=actor, **params)
    other = None
    if compare:
        c_from, c_to = reports.preset_period(compare) or (params["date_from"], params["date_to"])
        other = reports.summary(session, actor=actor, unit_id=params["unit_id"], date_from=c_from,
                                date_to=c_to)
    units = unit_picker.build(session, actor)
    years = list(range(vn.today().year, 2015, -1))
    return templates.TemplateResponse(request, "reports/summary.html", {
        "actor": actor, "r": report, "league": league, "other": other, "units": units,
        "params": params, "preset": period["preset"] or CUSTOM,
        "compare": compare, "years": years, "phases": list(reports.PHASES),
        "headline": reports.headline(report), "other_headline": reports.headline(other) if other else None,
        "mass_orgs": [o.value for o in reports.MASS_ORGS], "categories": list(WorkCategory),
        "base": _base_query(params),
        "issued": issued.list_(session, actor=actor, unit_id=params["unit_id"]),
        "can_issue": actor.at_least(Role.manager), "today": vn.today(),
        # The issue form's defaults: the unit's layout, its issuing body and number's form.
        "doc": downloads.particulars(session, report, {}), "kinds": KINDS,
        **unit_tree.received_note(session, params["unit_id"]),
    })


@router.get("/reports/summary.{ext}")
def download(ext: str, request: Request, session: SessionDep, actor: PageActor,
             unit_id: UnitId = None, preset: str | None = None,
             date_from: PageDate = None, date_to: PageDate = None,
             kind: Kind | None = None) -> Response:
    """The report on the page as a Word document or an Excel workbook."""
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id,
                                    **_period(preset, date_from, date_to))
    name = f"bao-cao-dvk-{params['date_from']}-{params['date_to']}.{ext}"
    if ext == "docx":
        content, media = downloads.summary_docx(session, actor=actor, **params, kind=kind), DOCX
    elif ext == "xlsx":
        content, media = downloads.summary_xlsx(session, actor=actor, **params), XLSX
    else:
        raise NotFound("Chỉ tải được báo cáo dạng .docx hoặc .xlsx.")
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _base_query(params: dict[str, Any]) -> str:
    return (f"unit_id={params['unit_id']}&date_from={params['date_from'].isoformat()}"
            f"&date_to={params['date_to'].isoformat()}")


@router.post("/reports/issued")
def issue(request: Request, session: SessionDep, actor: PageActor, form_data: FormDep) -> Response:
    """Issue the report on the screen: its figures are frozen from now on."""
    form = dict(form_data)
    form["recipients"] = [r.strip() for r in str(form.get("recipients", "")).splitlines() if r.strip()]
    try:
        data = IssueRequest.model_validate({k: v for k, v in form.items() if k != "csrf"})
        row = issued.issue(session, actor=actor, data=data)
    except ValidationError as exc:
        errors, _ = form_errors(exc)
        detail = "; ".join(f"{_label(k)}: {v}" for k, v in errors.items())
        raise Invalid(f"Chưa ban hành được: {detail}") from exc
    return RedirectResponse(f"/reports/issued/{row.id}", status_code=303)


@router.get("/reports/issued/{id}.docx")
def issued_docx(id: RecordId, session: SessionDep, actor: PageActor) -> Response:
    """The issued document, from its frozen figures."""
    return Response(downloads.issued_docx(session, actor=actor, id=id), media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="bao-cao-{id}.docx"'})


@router.get("/reports/issued/{id}", response_class=HTMLResponse)
def issued_page(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """An issued report: its frozen figures and what has changed in the records since."""
    row = issued.get(session, actor=actor, id=id)
    return templates.TemplateResponse(request, "reports/issued.html", {
        "actor": actor, "row": row, "r": issued.frozen(row),
        "changes": issued.changes_since(session, actor=actor, row=row),
        "kind": row.kind or default_kind(issued.frozen(row)["unit"]), "kinds": KINDS,
    })


def _label(name: str) -> str:
    """An issue form's field by its label (app/db/issued_reports.py)."""
    field = IssueRequest.model_fields.get(name)
    return field.title if field is not None and field.title else name
