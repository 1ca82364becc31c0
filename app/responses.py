"""HTTP answers the API and the pages give alike: downloads (a list's export, a report's
document) and ETags. A neutral home, so that neither face imports the other."""

from collections.abc import Callable
from typing import Any

from fastapi.responses import Response, StreamingResponse
from sqlmodel import SQLModel

from app import vn
from app.services import exports
from app.services.actor import Actor
from app.services.records import Records

CSV = "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def etag(version: int) -> str:
    return f'"{version}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Does an If-None-Match header name this ETag (or `*`)?"""
    if not header:
        return False
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return "*" in tags or etag in tags


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file to save, under `filename`."""
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def export_response(session: Any, actor: Actor, kind: str, *, records: Records[Any],
                    filters: Any, read: type[SQLModel],
                    present: Callable[[Any, Actor], Any] | None, name: str,
                    columns: exports.Form = "labels") -> Response:
    """A list as a downloaded .csv (streamed) or .xlsx: the API's and the pages' alike, for
    people (labels) unless a program asks for the API's field names."""
    from app.services import registry

    resource = registry.BY_NAME.get(name)
    table = exports.rows(session, actor=actor, records=records, filters=filters, read=read,
                         present=present, form=columns,
                         present_all=resource.show_all if resource is not None else None)
    filename = f"dvk-{name}-{vn.today().isoformat()}.{kind}"
    if kind == "csv":
        return StreamingResponse(exports.csv_chunks(table), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    title = resource.title if resource is not None and columns == "labels" else name
    return download(exports.xlsx_bytes(table, title), XLSX, filename)


def import_template(session: Any, actor: Actor, resource: str, kind: str) -> Response:
    """The empty file to fill for an import of `resource` (.xlsx or .csv): the API's download
    and the import page's alike."""
    from app.services import imports

    spec = imports.spec_for(resource)
    filename = f"mau-nhap-{resource}.{kind}"
    if kind == "csv":
        return download(imports.template_csv(spec), "text/csv; charset=utf-8", filename)
    return download(imports.template_xlsx(session, actor, spec), XLSX, filename)
