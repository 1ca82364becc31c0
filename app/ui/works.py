"""A work's own page: what it cost and who paid, computed by the database."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db.units import Unit
from app.deps import PageActor, RecordId, Route, SessionDep
from app.enums import UnitKind, UnitLevel
from app.services import audit, scope
from app.services import works as service
from app.ui import templates
from app.ui.records import field_labels, shown_history

router = APIRouter(route_class=Route)


def place(session: object, unit_id: int | None) -> str:
    """Where a work is, as an address reads: "Thôn Lâm Giang, xã Hàm Trí, huyện Hàm Thuận Bắc"
    (its unit, then each parent up to the district; the province goes without saying)."""
    names: list[str] = []
    unit = session.get(Unit, unit_id) if unit_id else None  # type: ignore[attr-defined]
    while unit is not None and len(names) < 6:
        kind = UnitKind(unit.kind).vi if unit.kind else UnitLevel(unit.level).vi
        names.append(f"{kind.lower()} {unit.name}".strip())
        if unit.parent_id is None or (unit.level == "district" and names):
            break
        unit = session.get(Unit, unit.parent_id)  # type: ignore[attr-defined]
    text = ", ".join(names)
    return text[:1].upper() + text[1:]


@router.get("/works/{id}", response_class=HTMLResponse)
def work_page(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """One work: total cost, contributions by source, labour days, land donated, non-state share."""
    money = service.money(session, actor=actor, id=id)
    return templates.TemplateResponse(request, "works/detail.html", {
        "actor": actor, **money, "place": place(session, money["work"].unit_id),
        "may_add": scope.may_write(session, actor, money["work"].unit_id),
        "deletable": service.records.may_change(session, actor=actor, obj=money["work"]),
        "changes": shown_history("works", audit.history(session, actor=actor, resource="works",
                                                         record_id=id), session),
        "labels": field_labels("works")})
