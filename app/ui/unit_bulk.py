"""The tree page's changes to many units at once (app/services/unit_bulk.py): the units ticked
in the tree marked as remote areas or not, and a commune's villages typed one per line. Plain
form posts (without script the page comes back whole, the tree opened where the units lie);
with htmx the tree and the panel are swapped in place. All or nothing: a refusal shows every
reason, and what was ticked or typed stays."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.db.session import attempt
from app.db.units import Unit, UnitCreate
from app.deps import PageActor, RecordId, Route, SessionDep, is_htmx
from app.enums import UnitKind
from app.services import registry, scope, unit_bulk
from app.services import units as units_service
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden
from app.ui import form_errors, refusal_status, render_block, templates
from app.ui.unit_tree import TEMPLATE, opened_at

router = APIRouter(route_class=Route)


async def posted(request: Request) -> list[tuple[str, str]]:
    """Every field of the posted form, a name ticked many times as many pairs (the app's
    FormDep keeps one value per name)."""
    form = await request.form()
    return [(k, v) for k, v in form.multi_items() if k != "csrf" and isinstance(v, str)]


def _page(request: Request, session: Any, actor: Actor, open_id: int | None,
          status: int = 200, panel: dict[str, Any] | None = None, **tree: Any) -> Response:
    """The tree page opened at `open_id` with what a bulk change says (`tree`), and the side
    panel: the villages form (`panel`) or an empty entry form."""
    from app.ui._listing import form_context, list_context
    from app.ui.records import BY_PATH

    listing = BY_PATH["units"]
    ctx = {**list_context(listing, request, session, actor, keep_query=False),
           **form_context(listing, session, actor), **opened_at(session, actor, open_id),
           **tree, **(panel or {})}
    if not is_htmx(request):
        return templates.TemplateResponse(request, TEMPLATE, ctx, status_code=status)
    if panel is None:
        return render_block(request, TEMPLATE, "list", ctx, status_code=status)
    # As a saved entry form answers (app/ui/_entry.py): the tree in place, the panel out of band.
    ctx["oob"] = True
    html = (render_block(request, TEMPLATE, "list", ctx).body.decode()
            + render_block(request, TEMPLATE, "form", ctx).body.decode())
    return HTMLResponse(html, status_code=status,
                        headers={"HX-Retarget": "#list", "HX-Reswap": "outerHTML"})


def _ids(pairs: list[tuple[str, str]]) -> list[int]:
    return [int(v) for k, v in pairs if k == "ids" and v.isdigit() and 0 < int(v) < 2**31]


@router.post("/units/remote", response_class=HTMLResponse)
def mark_remote(request: Request, session: SessionDep, actor: PageActor,
                pairs: list[tuple[str, str]] = Depends(posted)) -> Response:
    """Mark the units ticked in the tree as remote areas (vùng sâu, vùng xa), or not."""
    ids, remote = _ids(pairs), dict(pairs).get("remote") == "1"
    first = session.get(Unit, ids[0]) if ids else None
    parent = first.parent_id if first is not None else None  # the tree comes back open there
    try:
        with attempt(session):
            done = unit_bulk.set_remote(session, actor=actor, ids=ids, remote=remote)
    except DomainError as exc:
        return _page(request, session, actor, parent, refusal_status(exc), ticked=set(ids),
                     bulk_message=exc.detail, bulk_errors=[e["msg"] for e in exc.errors])
    said = "Đã đánh dấu vùng sâu, vùng xa" if remote else "Đã bỏ đánh dấu vùng sâu, vùng xa"
    return _page(request, session, actor, parent,
                 bulk_notice=f"{said}: {', '.join(u.name for u in done)}.")


def _commune(session: Any, actor: Actor, id: int) -> Unit:
    """The commune villages are added to, if the actor may add them there (403 otherwise)."""
    unit = units_service.get(session, actor=actor, id=id)
    scope.check_write(session, actor, unit.id, role=registry.get("units").write_role)
    return unit


def _villages_panel(commune: Unit, **kw: Any) -> dict[str, Any]:
    return {"villages_of": commune, "village_kinds": unit_bulk.VILLAGE_KINDS,
            "lines": kw.get("lines", ""), "village_kind": kw.get("kind", UnitKind.thon.value),
            "villages_notice": kw.get("notice"), "villages_message": kw.get("message"),
            "villages_errors": kw.get("errors", [])}


@router.get("/units/{id}/villages", response_class=HTMLResponse)
def villages_form(id: RecordId, request: Request, session: SessionDep,
                  actor: PageActor) -> Response:
    """The form that adds several villages to a commune, one name per line."""
    commune = _commune(session, actor, id)
    panel = _villages_panel(commune)
    if is_htmx(request):
        return render_block(request, TEMPLATE, "form", {"actor": actor, **panel})
    return _page(request, session, actor, commune.id, panel=panel)


@router.post("/units/{id}/villages", response_class=HTMLResponse)
def add_villages(id: RecordId, request: Request, session: SessionDep, actor: PageActor,
                 pairs: list[tuple[str, str]] = Depends(posted)) -> Response:
    """Add the villages typed, one per line ("CODE;Name" to give a code): all or none."""
    commune = _commune(session, actor, id)
    form = dict(pairs)
    lines, kind = form.get("lines", "")[:20_000], form.get("kind", UnitKind.thon.value)
    try:
        with attempt(session):
            made = unit_bulk.add_villages(session, actor=actor, parent_id=commune.id, text=lines,
                                          kind=kind)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, Forbidden) and not exc.errors:
            raise
        fields, message = form_errors(exc, UnitCreate)
        listed = [e["msg"] for e in getattr(exc, "errors", []) if e.get("loc") == ["body", "lines"]
                  and e["msg"].startswith("Dòng ")]
        panel = _villages_panel(commune, lines=lines, kind=kind, message=message if listed else
                                "; ".join(fields.values()) or message, errors=listed)
        return _page(request, session, actor, commune.id, refusal_status(exc), panel=panel)
    notice = f"Đã thêm {len(made)} thôn vào {commune.name}: {', '.join(u.name for u in made)}."
    return _page(request, session, actor, commune.id,
                 panel=_villages_panel(commune, kind=kind, notice=notice))
