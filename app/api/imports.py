"""/api/v1/imports: a file of records in (the same service as the page and `dvk import`), and
each record type's template."""

from typing import Annotated, Any, Literal

from fastapi import File, Form, Path, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from app.api.crud import api_router, file_responses
from app.deps import ActorDep, SessionDep
from app.responses import CSV, XLSX, import_template
from app.api.errors import PROBLEM, PROBLEM_RESPONSES, Problem
from app.services import imports as service
from app.services.errors import Invalid

router = api_router("imports")
SOURCE = r"^[A-Za-z0-9._-]+$"
Resource = Annotated[Literal[tuple(service.SPECS)], Path(description="The record type.")]  # type: ignore[valid-type]
FILE_REFUSED: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": text, "content": {PROBLEM: {}}}
    for status, text in ((413, "The workbook unpacks to more than an import reads (a zip bomb)"),
                         (415, "Not a spreadsheet: neither .xlsx, .xls, .ods nor UTF-8 CSV"))
}


@router.post("/{resource}", responses={**PROBLEM_RESPONSES, **FILE_REFUSED})
def import_file(
    resource: Resource, session: SessionDep, actor: ActorDep,
    file: Annotated[UploadFile, File(title="Tệp", description=".xlsx, .xls, .ods or .csv (UTF-8), one record per row.")],
    dry_run: Annotated[bool | None, Query(description="Check every row and report; save "
                                                      "nothing.")] = None,
    source: Annotated[str | None, Query(max_length=40, pattern=SOURCE,
                                        description="The sending system: `external_id` is "
                                                    "unique per source (default `excel`).")] = None,
    dry_run_field: Annotated[bool | None, Form(alias="dry_run", title="Chỉ kiểm tra", description="`dry_run` as a "
                                               "field of the form instead of the query.")] = None,
    source_field: Annotated[str | None, Form(alias="source", max_length=40, pattern=SOURCE,
                                             title="Nguồn", description="`source` as a field "
                                                                        "of the form.")] = None,
) -> Response:
    """Import a file of records, all or nothing. Rows with an `id` update that record; rows
    with an `external_id` update the record imported earlier with that key from the same
    `source`, or create it; other rows create records. Units are named by `unit_code` (or
    `unit_id`), works by `work_code` (or `work_id`); headers may be the template's
    Vietnamese ones or the API's field names.

    Units (`units`, managers and admins) are keyed by their official `code` and validity: a
    row updates the unit whose code (without case) it carries and whose [`active_from`,
    `active_to`] overlaps the row's (without dates: the one carrying it today), changing only
    the cells it fills; none creates one; several refuse the row. `parent_code` is read on
    the day the row begins, `merged_into_code` and `successor_codes` (`;`- or `,`-separated,
    the default first) on the day after it ends, among stored units and the file's own rows,
    above or below.

    200 with the report when the file was imported, or for a dry run (`ok` says whether the
    real run would succeed); 422 problem+json with every bad row (`errors[].loc` is
    `["row", n, column]`) and the report when it was refused, with nothing saved (403 when
    every bad row names a unit outside the caller's subtree, or a field the caller may not
    write, such as a denouncer's identity below manager). 413 for a workbook that unpacks
    to more than an import reads, 415 for a file that is no spreadsheet."""
    dry_run = bool(_option("dry_run", dry_run, dry_run_field))
    source = _option("source", source, source_field)
    report = service.run(session, actor=actor, resource=resource, stream=file.file,
                         filename=file.filename or "", dry_run=dry_run, source=source)
    body: dict[str, Any] = report.as_dict()
    if report.ok or dry_run:
        return JSONResponse(body)
    errors = [{"loc": ["row", e.row, e.column], "msg": e.message} for e in report.errors]
    status = 403 if report.only_forbidden else 422
    problem = {"type": "about:blank", "title": "Tệp có dòng sai, chưa lưu gì", "status": status,
               "detail": report.summary(), "errors": errors, "report": body}
    return JSONResponse(problem, status_code=status, media_type=PROBLEM)


def _option(name: str, query: Any, field: Any) -> Any:
    """An option sent in the query or as a field of the multipart form, as many clients send
    options beside a file: a dry run asked for in the form and not read would import for real.
    Sent both ways, the two must agree."""
    if query is not None and field is not None and query != field:
        raise Invalid(f"'{name}' được gửi hai lần với hai giá trị khác nhau (trên địa chỉ và "
                      "trong biểu mẫu): chỉ gửi một lần.",
                      errors=[{"loc": ["query", name], "msg": "Khác giá trị cùng tên trong biểu mẫu."}])
    return query if query is not None else field


@router.get("/{resource}/template.{kind}", responses=file_responses(XLSX, CSV),
            response_class=Response)
def template(resource: Resource, kind: Literal["xlsx", "csv"], session: SessionDep,
             actor: ActorDep) -> Response:
    """An empty file to fill for this record type, with Vietnamese headers (.xlsx: drop-down
    lists, instructions and the caller's unit codes)."""
    return import_template(session, actor, resource, kind)
