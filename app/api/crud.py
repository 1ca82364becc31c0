"""The routes every record resource has, made once from its declaration in the registry
(app.services.registry): list, create, get, update, delete and the list's exports. Their
operation ids read as resource and verb (`contributions.list`), so a client generated from
/openapi.json names its methods so.

Each resource module calls `record_router` with its registry entry and adds its own verbs.
"""

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.utils import generate_unique_id
from pydantic import BaseModel, Field, TypeAdapter, create_model
from sqlmodel import SQLModel
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

from app.api.errors import PROBLEM_RESPONSES
from app.db.fields import by_unit_code
from app.deps import ActorDep, IfMatchDep, RecordId, Route, SessionDep
from app.responses import CSV, XLSX, etag, export_response
from app.services import exports, idempotency
from app.services.actor import Actor
from app.services.registry import Resource

API = "/api/v1"
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


class PrefixRouter(APIRouter):
    """A router whose every path starts with its prefix, so a request for another path is
    turned away by that test alone. FastAPI tries a request's path on each included router
    in turn, and a router on every one of its routes: a request for the 10th router's paths
    had been tried on some 40 routes before it (0.1 ms; 0.5 ms for the stats). So it must be
    included with no prefix of its own (`app.main`): one given at inclusion is not in
    `self.prefix`, and every path would be turned away (tests/api/test_contract.py asks every
    documented path for its methods)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not get_route_path(scope).startswith(self.prefix):
            return Match.NONE, {}
        return super().matches(scope)


def api_router(name: str, **kw: Any) -> APIRouter:
    """The router of /api/v1/<name>, tagged <name>: its operation ids read `<name>.<verb>`."""
    return PrefixRouter(prefix=f"{API}/{name}", tags=[name], route_class=Route, **kw)


def operation_id(route: Any) -> str:
    """`<resource>.<verb>`: the router's tag and the route's name (`users.me`, `reports.summary`);
    the record routes give theirs from the registry (`record_router`). Routes without a tag
    (the pages, not in the OpenAPI document) keep FastAPI's own."""
    if not route.tags:
        return generate_unique_id(route)
    return f"{route.tags[0]}.{route.name}"


def file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """A download's answers in the OpenAPI: the file's content types on 200, problems otherwise."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {**PROBLEM_RESPONSES,
            200: {"description": "The file.", "content": {m: binary for m in media_types}}}


def page_model(read: type[BaseModel], name: str | None = None, *,
               keyset: bool = False) -> type[BaseModel]:
    """A list's page of `read` items, each field titled (OpenAPI shows the titles); `keyset`:
    with `next`, the `after` of the next page (the record lists, ListParams.after)."""
    fields: dict[str, Any] = dict(
        items=(list[read], Field(title="Các bản ghi")),  # type: ignore[valid-type]
        total=(int, Field(title="Tổng số")),
        limit=(int, Field(title="Số bản ghi mỗi trang")),
        offset=(int, Field(title="Bỏ qua")),
    )
    if keyset:
        fields["next"] = (int | None, Field(None, title="Trang sau", description=(
            "In the order by id: the `after` of the next page; null on the last page and in "
            "other orders.")))
    return create_model(name or f"{read.__name__}Page", **fields)  # type: ignore[call-overload,no-any-return]


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
        stored = idempotency.Stored(response.status_code, json.loads(bytes(response.body)),
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


def record_router(resource: Resource) -> APIRouter:
    """/api/v1/<resource>: list, create, get, update, delete and the exports of one resource."""
    router = api_router(resource.name)
    for verb, path, methods, endpoint, model, status, doc in _routes(resource, router.prefix):
        router.add_api_route(
            path, endpoint, methods=methods, response_model=model, status_code=status,
            summary=doc.split(":")[0].rstrip("."), description=doc, responses=PROBLEM_RESPONSES,
            name=f"{resource.name}.{verb}", operation_id=f"{resource.name}.{verb}")
    _export_routes(router, resource)
    return router


def _routes(resource: Resource, base: str) -> list[tuple[Any, ...]]:
    # The resource's own verbs (app/services/records/verbs.py), never its engine.
    service, plural = resource.service, resource.name
    # A record's unit by its id, or by its code read at the record's date (`unit_code`).
    filters, create, update = (resource.service.Filters, by_unit_code(resource.create),
                               by_unit_code(resource.update))

    def show(session: Any, obj: Any, actor: Actor) -> Any:
        return resource.present_all(session, [obj], actor)[0]

    page_read = page_model(resource.read, keyset=True)
    page_json = TypeAdapter(page_read)

    def list_records(session: SessionDep, actor: ActorDep,
                     params: Annotated[filters, Query()]) -> Response:  # type: ignore[valid-type]
        page = service.list(session, actor=actor, filters=params)
        # The bytes FastAPI would make of the page through the response model (its Read items
        # pass as they are), made here: in this thread, without the trip through the thread
        # pool FastAPI takes to validate a plain handler's answer, and as a Response, so the
        # request's transaction ends here too (app.deps.Route).
        body = page_json.validate_python(
            {"items": resource.present_all(session, page.items, actor), "total": page.total,
             "limit": page.limit, "offset": page.offset, "next": page.next})
        return Response(page_json.dump_json(body, by_alias=True), media_type="application/json")

    def create_record(session: SessionDep, actor: ActorDep, request: Request,
                      data: Annotated[create, Body()],  # type: ignore[valid-type]
                      key: IdempotencyKeyHeader = None) -> JSONResponse:
        def run() -> JSONResponse:
            obj = service.create(session, actor=actor, data=data)
            return json_record(show(session, obj, actor), status=201,
                               location=f"{base}/{obj.id}")

        return idempotent_post(session, actor, request, key, data.model_dump(mode="json"), run)

    def read_record(id: RecordId, session: SessionDep, actor: ActorDep) -> JSONResponse:
        return json_record(show(session, service.get(session, actor=actor, id=id), actor))

    def update_record(id: RecordId, session: SessionDep, actor: ActorDep, expected: IfMatchDep,
                      data: Annotated[update, Body()]) -> JSONResponse:  # type: ignore[valid-type]
        obj, _ = service.update(session, actor=actor, id=id, data=data, if_match=expected)
        return json_record(show(session, obj, actor))

    def delete_record(id: RecordId, session: SessionDep, actor: ActorDep,
                      expected: IfMatchDep) -> Response:
        service.delete(session, actor=actor, id=id, if_match=expected)
        return Response(status_code=204)

    return [
        ("list", "", ["GET"], list_records, page_read, 200,
         f"List {plural}: paged, filtered by unit subtree, dates and codes."),
        ("create", "", ["POST"], create_record, resource.read, 201, f"Create one of the {plural}."),
        ("get", "/{id:int}", ["GET"], read_record, resource.read, 200,
         f"Read one of the {plural} (ETag = version)."),
        ("update", "/{id:int}", ["PATCH"], update_record, resource.read, 200,
         f"Change some fields of one of the {plural} (If-Match for optimistic locking)."),
        ("delete", "/{id:int}", ["DELETE"], delete_record, None, 204, f"Delete one of the {plural}."),
    ]


def _export_routes(router: APIRouter, resource: Resource) -> None:
    filters, plural = resource.service.Filters, resource.name

    def exporter(kind: str) -> Callable[..., Response]:
        def export(session: SessionDep, actor: ActorDep,
                   params: Annotated[filters, Query()],  # type: ignore[valid-type]
                   columns: ExportColumns = "labels") -> Response:
            return export_response(session, actor, kind, records=resource.records, filters=params,
                                   read=resource.read, present=resource.show, name=plural,
                                   columns=columns)

        return export

    for kind, what, media in (("csv", "CSV (UTF-8 with BOM)", CSV),
                              ("xlsx", "an Excel workbook", XLSX)):
        # Mounted beside the collection: /api/v1/works.csv, like /reports/summary.xlsx.
        router.add_api_route(
            f".{kind}", exporter(kind), methods=["GET"], response_class=Response,
            summary=f"Export {plural} as {what}",
            description=f"Every one of the {plural} the list's filters select (limit and offset "
                        f"aside, at most {exports.MAX_ROWS:,}), as {what}: for people, or with "
                        "the API's field names (`columns=fields`).", responses=file_responses(media),
            name=f"{plural}.export_{kind}", operation_id=f"{plural}.export_{kind}")
