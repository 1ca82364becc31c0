"""The private engine behind every record page: a `Listing` is a registered resource
(app.services.registry) as the pages show it, and this module builds a list page's context
(filters, sort, rows) and an entry form's (fields, choices, history). Everything a field says
of itself (its label, kind, hint, whether it is required) is read off the resource's schemas;
a Listing adds only what the registry cannot say: its template and extra context."""

import secrets
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from app import vn
from app.db import labels
from app.db.base import MAX_ID
from app.enums import ENUMS, Role
from app.services import audit, models, scope, unit_search, works
from app.services.actor import Actor
from app.services.errors import DomainError
from app.services.registry import Resource
from app.ui import field_label, forms, templates
from app.ui.forms import FormField, fields_of
from app.ui.history import field_labels, shown_history
from app.ui.unit_picker import build as unit_picker

ENUM_NAMES = {enum: name for name, enum in ENUMS.items()}
REFS = {"ref:works": works, "ref:models": models}
# How a list cell shows a field of each kind (macros.cell): numbers alike, right-aligned.
CELL_KINDS = {"integer": "number", "decimal": "number"}
FROM_REGISTRY = frozenset({"title", "one", "service", "sort", "detail", "defaults",
                           "confidential", "write_role"})


@dataclass(frozen=True)
class Listing:
    resource: Resource
    template: str = "records/list.html"
    # More of the page's context (the unit tree's rows), from (session, actor, request).
    extra: Callable[[Any, Actor, Request], dict[str, Any]] | None = None
    # What a posted form's values mean beyond each field's own reading (a unit's successors
    # and their default, app/ui/unit_form.py), before the schema reads them.
    read_form: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def __getattr__(self, name: str) -> Any:
        # What the registry says of the resource is read there, never copied here.
        if name in FROM_REGISTRY:
            return getattr(self.resource, name)
        raise AttributeError(name)

    @property
    def path(self) -> str:
        return self.resource.name

    @property
    def present(self) -> Callable[[Any, Actor], Any] | None:
        return self.resource.show

    @property
    def schemas(self) -> tuple[Any, Any, Any]:
        return self.resource.create, self.resource.update, self.resource.read

    @cached_property
    def columns(self) -> tuple[tuple[str, str, str], ...]:
        """(field, label, how its cell shows it) of each of the list's columns."""
        read = self.resource.read
        return tuple((name, labels.label(read, name),
                      CELL_KINDS.get(kind := labels.kind(read, name), kind))
                     for name in self.resource.columns)

    @cached_property
    def fields(self) -> tuple[FormField, ...]:
        return fields_of(self.resource.create, self.resource.form)

    @cached_property
    def mark(self) -> str | None:
        """The version mark this entry form shares with its paper form (app/ui/paper.py)."""
        paper = self.resource.paper
        return forms.mark(paper.code, forms.declaration(self.fields)) if paper else None

    def shows_form(self, actor: Actor) -> bool:
        return bool(self.fields) and actor.can_write and actor.at_least(self.write_role)

    def fields_for(self, actor: Actor, editing: bool) -> tuple[FormField, ...]:
        """The form's fields for this actor. Anyone who records a petition may write its
        petitioner; correcting it later (which shows it) is for managers only."""
        return tuple(f for f in self.fields if not editing or f.name not in self.confidential
                     or actor.at_least(Role.manager))


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


def _listy(filters: type[Any]) -> set[str]:
    """The filters that take several values (`?title=a&title=b`), read off the schema."""
    return {name for name, info in filters.model_fields.items()
            if any(typing.get_origin(a) is list for a in [info.annotation, *typing.get_args(
                info.annotation)])}


def _filters(listing: Listing, raw: dict[str, Any]) -> tuple[Any, str | None]:
    """The list's filters from the query string. A filter that is invalid is left out, and the
    notice names it; the others still apply (a bad date must not show every record)."""
    filters_cls = listing.service.Filters
    listy = _listy(filters_cls)
    parsed = {k: ([v] if k in listy and not isinstance(v, list) else v) for k, v in raw.items()}
    for key in ("date_from", "date_to"):  # typed dd/mm/yyyy, like every date on the pages
        if isinstance(parsed.get(key), str):
            parsed[key] = _date_text(parsed[key])
    dropped: list[str] = []
    for _ in range(len(parsed) + 1):
        try:
            filters = filters_cls.model_validate({"sort": listing.sort, **parsed})
            break
        except ValidationError as e:
            # A field's own error names it; one between fields (from after to) names none.
            bad = {str(err["loc"][0]) for err in e.errors() if err["loc"]} or \
                {"date_from", "date_to"}
            bad &= set(parsed)
            if not bad:
                return filters_cls(sort=listing.sort), "Bộ lọc không hợp lệ; đã bỏ qua."
            dropped += sorted(bad)
            parsed = {k: v for k, v in parsed.items() if k not in bad}
    else:
        return filters_cls(sort=listing.sort), "Bộ lọc không hợp lệ; đã bỏ qua."
    if not dropped:
        return filters, None
    names = [field_label(listing.resource.read, n) or filters_cls.model_fields[n].title or n
             for n in dropped]
    return filters, "Bộ lọc không hợp lệ, đã bỏ qua: " + ", ".join(names) + "."


def list_context(listing: Listing, request: Request, session: Any, actor: Actor,
                 keep_query: bool = True) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key in request.query_params if keep_query else ():
        values = [v for v in request.query_params.getlist(key) if v]
        if values:
            raw[key] = values if len(values) > 1 else values[0]
    filters, error = _filters(listing, raw)
    try:
        result = listing.service.list(session, actor=actor, filters=filters)
    except DomainError:  # a sort by an unknown or a confidential field
        filters = filters.model_copy(update={"sort": listing.sort})
        result = listing.service.list(session, actor=actor, filters=filters)
        error = "Không sắp xếp được theo cột này; đã dùng thứ tự mặc định."
    rows = [listing.present(r, actor) if listing.present else r for r in result.items]
    units = unit_picker(session, actor, date_field=listing.service.records.date_field)
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
           "unit_names": unit_names(session, listing, rows), "query": query, "url": url,
           "filter_error": error, "enum_filters": [
               (name, field_label(listing.resource.read, name) or name, enum)
               for name, enum in enum_filters(listing.service.Filters)],
           "shows_form": listing.shows_form(actor)}
    if listing.extra is not None:
        ctx.update(listing.extra(session, actor, request))
    return ctx


def unit_names(session: Any, listing: Listing, rows: list[Any]) -> dict[int, str]:
    """The names of the units the rows' unit columns hold: a page's fifty, not the tree."""
    columns = [f for f, _, how in listing.columns if how == "unit"]
    return unit_search.names(session, {_value(r, f) for r in rows for f in columns})


def _value(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name, None)


def choices(session: Any, actor: Actor, kind: str, unit_id: Any,
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
            kept = service.get(session, actor=actor, id=int(selected))
            out.insert(0, (kept.id, f"{kept.name} (số {kept.id})"))
        except DomainError:
            pass
    return out


def form_context(listing: Listing, session: Any, actor: Actor, **kw: Any) -> dict[str, Any]:
    record_id = kw.get("record_id")
    editing = record_id is not None
    fields = listing.fields_for(actor, editing)
    values = kw.get("values") or dict(listing.defaults)
    picks = {f.name: choices(session, actor, f.kind, values.get("unit_id"), values.get(f.name))
             for f in fields if f.kind.startswith("ref:")}
    history = shown_history(listing.path, audit.history(
        session, actor=actor, resource=listing.path, record_id=record_id), session) if editing else []
    # A new form carries a one-time key: sending it twice saves one record, not two.
    submission = kw.get("submission") or (None if editing else secrets.token_urlsafe(16))
    return {"form_fields": fields, "values": values, "errors": kw.get("errors") or {},
            "message": kw.get("message"), "notice": kw.get("notice"), "back": kw.get("back"),
            "record_id": record_id,
            "choices": picks, "history": history, "submission": submission,
            "deletable": editing and deletable(listing, session, actor, record_id),
            "field_labels": field_labels(listing.path)}


def deletable(listing: Listing, session: Any, actor: Actor, record_id: int) -> bool:
    """Whether the page offers this actor a delete of the record (app/ui/deletes.py)."""
    records = listing.service.records
    try:
        return records.may_change(session, actor=actor,
                                  obj=listing.service.get(session, actor=actor, id=record_id))
    except DomainError:
        return False


def list_page(listing: Listing, request: Request, session: Any, actor: Actor,
              notice: str) -> Response:
    """The list with an empty entry form that carries `notice` (after a delete)."""
    ctx = {**list_context(listing, request, session, actor, keep_query=False),
           **form_context(listing, session, actor, notice=notice)}
    return templates.TemplateResponse(request, listing.template, ctx)
