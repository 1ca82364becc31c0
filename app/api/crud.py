"""The five routes every record resource has, made once: list, create, read, update, delete.

Each resource module calls `record_routes` with its service and schemas and adds its own verbs.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, create_model
from sqlmodel import SQLModel

from app import vn
from app.api.deps import ActorDep, IfMatchDep, RecordId, SessionDep, etag
from app.api.errors import PROBLEM_RESPONSES
from app.services import exports, idempotency, registry
from app.services.actor import Actor
from app.services.records import ListParams, Records

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
ExportColumns = Annotated[
    Literal["labels", "fields"],
    Query(description="`labels` (default): for people, Vietnamese headers, code lists' labels, "
                      "a unit's code and name; `fields`: the API's field names and JSON values "
                      "(codes, ids, ISO dates). Both import back (POST /api/v1/imports)."),
]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Retrying with the same key creates nothing new."),
]


def file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """A download's answers in the OpenAPI: the file's content types on 200, problems otherwise."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {**PROBLEM_RESPONSES,
            200: {"description": "The file.", "content": {m: binary for m in media_types}}}


def export_response(session: Any, actor: Actor, kind: str, *, records: Records[Any],
                    filters: Any, read: type[SQLModel],
                    present: Callable[[Any, Actor], Any] | None, name: str,
                    columns: exports.Form = "labels") -> Response:
    """A list as a downloaded .csv (streamed) or .xlsx: the API's and the pages' alike, for
    people (labels) unless a program asks for the API's field names."""
    table = exports.rows(session, actor=actor, records=records, filters=filters, read=read,
                         present=present, form=columns)
    filename = f"dvk-{name}-{vn.today().isoformat()}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if kind == "csv":
        return StreamingResponse(exports.csv_chunks(table),
                                 media_type="text/csv; charset=utf-8", headers=headers)
    resource = registry.BY_NAME.get(name)
    title = resource.title if resource is not None and columns == "labels" else name
    return Response(exports.xlsx_bytes(table, title), media_type=XLSX, headers=headers)


def default_present(read: type[SQLModel]) -> Callable[[Any, Actor], SQLModel]:
    return lambda obj, actor: read.model_validate(obj, from_attributes=True)


def json_record(read: SQLModel, *, status: int = 200, location: str | None = None) -> JSONResponse:
    headers = {"ETag": etag(read.version)}  # type: ignore[attr-defined]
    if location:
        headers["Location"] = location
    return JSONResponse(read.model_dump(mode="json"), status_code=status, headers=headers)


def idempotent_post(session: Any, actor: Actor, request: Request, key: str | None,
                    payload: Any, run: Callable[[], JSONResponse]) -> JSONResponse:
    """Run a POST once per Idempotency-Key; a retry gets the first response back."""
    if key is None:
        return run()
    fingerprint = idempotency.request_hash(request.method, request.url.path, payload)
    stored = idempotency.find(session, actor=actor, key=key, fingerprint=fingerprint)
    if stored is None:
        response = run()
        stored = idempotency.Stored(response.status_code, _json_body(response),
                                    response.headers.get("location"))
        idempotency.save(session, actor=actor, key=key, fingerprint=fingerprint,
                         method=request.method, path=request.url.path, stored=stored)
        return response
    headers = {"Idempotent-Replayed": "true"}
    if stored.location:
        headers["Location"] = stored.location
    if isinstance(stored.body, dict) and "version" in stored.body:
        headers["ETag"] = etag(stored.body["version"])
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


def _json_body(response: JSONResponse) -> Any:
    import json

    return json.loads(bytes(response.body))


def record_routes(
    router: APIRouter, *, service: Records[Any], filters: type[ListParams],
    create: type[SQLModel], update: type[SQLModel], read: type[SQLModel],
    plural: str, present: Callable[[Any, Actor], SQLModel] | None = None,
    update_fn: Callable[..., Any] | None = None, create_fn: Callable[..., Any] | None = None,
) -> None:
    """Add list/create/read/update/delete for one resource to `router` (mounted at its path)."""
    show = present or default_present(read)
    page_model: type[BaseModel] = create_model(
        f"{read.__name__}Page", items=(list[read], ...), total=(int, ...),  # type: ignore[valid-type]
        limit=(int, ...), offset=(int, ...),
    )
    base = router.prefix

    def list_records(session: SessionDep, actor: ActorDep,
                     params: Annotated[filters, Query()]) -> Any:  # type: ignore[valid-type]
        page = service.list_(session, actor=actor, filters=params)
        return {"items": [show(o, actor) for o in page.items], "total": page.total,
                "limit": page.limit, "offset": page.offset}

    def create_record(session: SessionDep, actor: ActorDep, request: Request,
                      data: Annotated[create, Body()],  # type: ignore[valid-type]
                      key: IdempotencyKeyHeader = None) -> JSONResponse:
        def run() -> JSONResponse:
            obj = (create_fn or service.create)(session, actor=actor, data=data)
            return json_record(show(obj, actor), status=201, location=f"{base}/{obj.id}")

        return idempotent_post(session, actor, request, key, data.model_dump(mode="json"), run)

    def read_record(id: RecordId, session: SessionDep, actor: ActorDep) -> JSONResponse:
        return json_record(show(service.get(session, actor=actor, id=id), actor))

    def update_record(id: RecordId, session: SessionDep, actor: ActorDep, expected: IfMatchDep,
                      data: Annotated[update, Body()]) -> JSONResponse:  # type: ignore[valid-type]
        run = update_fn or service.update
        obj, _ = run(session, actor=actor, id=id, data=data, if_match=expected)
        return json_record(show(obj, actor))

    def delete_record(id: RecordId, session: SessionDep, actor: ActorDep,
                      expected: IfMatchDep) -> Response:
        service.delete(session, actor=actor, id=id, if_match=expected)
        return Response(status_code=204)

    def export(params: Any, session: Any, actor: Actor, kind: str, columns: Any) -> Response:
        return export_response(session, actor, kind, records=service, filters=params, read=read,
                               present=present, name=plural, columns=columns)

    def export_csv(session: SessionDep, actor: ActorDep,
                   params: Annotated[filters, Query()],  # type: ignore[valid-type]
                   columns: ExportColumns = "labels") -> Response:
        return export(params, session, actor, "csv", columns)

    def export_xlsx(session: SessionDep, actor: ActorDep,
                    params: Annotated[filters, Query()],  # type: ignore[valid-type]
                    columns: ExportColumns = "labels") -> Response:
        return export(params, session, actor, "xlsx", columns)

    for suffix, endpoint, what, media in ((".csv", export_csv, "CSV (UTF-8 with BOM)", CSV),
                                          (".xlsx", export_xlsx, "an Excel workbook", XLSX)):
        # Mounted beside the collection: /api/v1/works.csv, like /reports/summary.xlsx.
        router.add_api_route(
            suffix, endpoint, methods=["GET"], response_class=Response,
            summary=f"Export {plural} as {what}",
            description=f"Every one of the {plural} the list's filters select (limit and offset "
                        f"aside, at most {exports.MAX_ROWS:,}), as {what}: for people, or with "
                        "the API's field names (`columns=fields`).", responses=file_responses(media), name=f"{plural}.{endpoint.__name__}")

    routes = (
        ("", list_records, ["GET"], page_model, 200,
         f"List {plural}: paged, filtered by unit subtree, dates and codes."),
        ("", create_record, ["POST"], read, 201, f"Create one of the {plural}."),
        ("/{id:int}", read_record, ["GET"], read, 200, f"Read one of the {plural} (ETag = version)."),
        ("/{id:int}", update_record, ["PATCH"], read, 200,
         f"Change some fields of one of the {plural} (If-Match for optimistic locking)."),
        ("/{id:int}", delete_record, ["DELETE"], None, 204, f"Delete one of the {plural}."),
    )
    for path, endpoint, methods, model, status, doc in routes:
        router.add_api_route(
            path, endpoint, methods=methods, response_model=model, status_code=status,
            summary=doc.split(":")[0].rstrip("."), description=doc,
            responses=PROBLEM_RESPONSES, name=f"{plural}.{endpoint.__name__}",
        )
