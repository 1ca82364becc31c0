"""/api/v1/reports: the summary report of a unit subtree over a period."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Body, Query, Response
from pydantic import BaseModel, Field

from app.api.crud import api_router, file_responses
from app.deps import ActorDep, RecordId, SessionDep, UnitId
from app.responses import DOCX, XLSX
from app.responses import download as _download
from app.api.errors import PROBLEM_RESPONSES
from app.db.base import MAX_ID
from app.db.fields import Text
from app.db.issued_reports import IssueRequest
from app.services import reports
from app.services.reports import downloads, issued
from app.services.reports.layouts import Kind

router = api_router("reports")

UnitParam = Annotated[int | None, Query(ge=1, le=MAX_ID, description="The unit whose subtree is reported; "
                                                    "default: the caller's own unit.")]
FromParam = Annotated[date | None, Query(description="First day (inclusive); default 1 January.")]
ToParam = Annotated[date | None, Query(description="Last day (inclusive); default 31 December.")]
KindParam = Annotated[Kind | None, Query(
    description="The layout: state (Nghị định 30/2020) or party (Hướng dẫn 36-HD/VPTW); "
                "default: the unit's (a district's Ban Dân vận: party; a commune: state).")]


@router.get("/summary.docx", responses=file_responses(DOCX), response_class=Response)
def summary_docx(session: SessionDep, actor: ActorDep, unit_id: UnitParam = None,
                 date_from: FromParam = None, date_to: ToParam = None,
                 number: Text | None = Query(None, max_length=50),
                 signer_name: Text | None = Query(None, max_length=200),
                 kind: KindParam = None) -> Response:
    """The summary as a Word document in the administrative layout of a state body (Nghị định
    30/2020) or of a Party body (Hướng dẫn 36-HD/VPTW)."""
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=date_from,
                                    date_to=date_to)
    content = downloads.summary_docx(session, actor=actor, **params, number=number,
                                     signer_name=signer_name, kind=kind)
    return _download(content, DOCX, _filename(params, "docx"))


@router.get("/summary.xlsx", responses=file_responses(XLSX), response_class=Response)
def summary_xlsx(session: SessionDep, actor: ActorDep, unit_id: UnitParam = None,
                 date_from: FromParam = None, date_to: ToParam = None) -> Response:
    """The summary's figures and the records behind them as an Excel workbook."""
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=date_from,
                                    date_to=date_to)
    content = downloads.summary_xlsx(session, actor=actor, **params)
    return _download(content, XLSX, _filename(params, "xlsx"))


def _filename(params: dict[str, Any], ext: str) -> str:
    return f"bao-cao-dvk-{params['unit_id']}-{params['date_from']}-{params['date_to']}.{ext}"


@router.get("/summary", responses=PROBLEM_RESPONSES)
def summary(session: SessionDep, actor: ActorDep, unit_id: UnitParam = None,
            date_from: FromParam = None, date_to: ToParam = None) -> dict[str, Any]:
    """Every figure of the summary report (tổng kết) for a unit subtree and a period."""
    params = reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=date_from,
                                    date_to=date_to)
    return reports.summary(session, actor=actor, **params)


def _as_issued(name: str) -> Any:
    """The field's label as the issue request declares it (app/db/issued_reports.py)."""
    return Field(title=IssueRequest.model_fields[name].title)


class IssuedOut(BaseModel):
    id: int = Field(title="Số hiệu")
    unit_id: int = _as_issued("unit_id")
    date_from: date = _as_issued("date_from")
    date_to: date = _as_issued("date_to")
    number: str = _as_issued("number")
    issuer: str = _as_issued("issuer")
    place: str = _as_issued("place")
    issued_on: date = _as_issued("issued_on")
    signer_title: str = _as_issued("signer_title")
    signer_name: str = _as_issued("signer_name")
    recipients: list[str] = _as_issued("recipients")
    issued_by: str = Field(title="Người ban hành")
    created_at: datetime = Field(title="Tạo lúc")
    figures: dict[str, Any] = Field(title="Số liệu khi ban hành")
    kind: str | None = Field(default=None, title="Thể thức văn bản")
    changes_since_issue: list[dict[str, Any]] | None = Field(
        default=None, title="Thay đổi sau khi ban hành")


def _out(row: Any, changes: list[dict[str, Any]] | None = None) -> IssuedOut:
    return IssuedOut(**{k: getattr(row, k) for k in IssuedOut.model_fields
                        if k not in ("recipients", "figures", "changes_since_issue")},
                     recipients=[r for r in row.recipients.split("\n") if r],
                     figures=issued.frozen(row), changes_since_issue=changes)


@router.post("/issued", status_code=201, response_model=IssuedOut, responses=PROBLEM_RESPONSES)
def issue(session: SessionDep, actor: ActorDep, data: Annotated[IssueRequest, Body()],
          response: Response) -> IssuedOut:
    """Issue a report: freeze every figure of the summary with the document's particulars."""
    row = issued.issue(session, actor=actor, data=data)
    response.headers["Location"] = f"/api/v1/reports/issued/{row.id}"
    return _out(row)


@router.get("/issued", response_model=list[IssuedOut], responses=PROBLEM_RESPONSES)
def list_issued(session: SessionDep, actor: ActorDep, unit_id: UnitId = None) -> list[IssuedOut]:
    """Reports issued for a unit subtree, newest first."""
    return [_out(r) for r in issued.list_(session, actor=actor, unit_id=unit_id)]


@router.get("/issued/{id:int}.docx", responses=file_responses(DOCX), response_class=Response)
def issued_docx(id: RecordId, session: SessionDep, actor: ActorDep) -> Response:
    """The issued report as it was sent: its frozen figures in the Word layout."""
    return _download(downloads.issued_docx(session, actor=actor, id=id), DOCX,
                     f"bao-cao-da-ban-hanh-{id}.docx")


@router.get("/issued/{id:int}", response_model=IssuedOut, responses=PROBLEM_RESPONSES)
def read_issued(id: RecordId, session: SessionDep, actor: ActorDep) -> IssuedOut:
    """An issued report's frozen figures, and what has changed in the records since."""
    row = issued.get(session, actor=actor, id=id)
    return _out(row, issued.changes_since(session, actor=actor, row=row))
