"""Deleting a record from its pages: a confirmation page (a plain form, with or without a
script), then the same service delete as the API's DELETE: its rules (references, approved
periods, the subtree), its audit entry, and the version the confirmation page read."""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.db.session import attempt
from app.db.units import Unit
from app.deps import FormDep, PageActor, RecordId, SessionDep
from app.services.actor import Actor
from app.services.errors import Conflict, PreconditionFailed
from app.ui import forms, templates
from app.ui._listing import Listing, list_page


def _confirm(listing: Listing, request: Request, session: Any, actor: Actor, obj: Any,
             status: int = 200, error: str | None = None, refused: bool = False) -> Response:
    # Every unit the record's columns name (a unit's parent too), by its name.
    units = [session.get(Unit, getattr(obj, f, None) or 0)
             for f, _, how in listing.columns if how == "unit"]
    back = f"/{listing.path}/{obj.id}" + ("" if listing.detail else "/edit")
    return templates.TemplateResponse(request, "records/delete.html", {
        "actor": actor, "listing": listing, "version": obj.version, "back": back,
        "r": listing.present(obj, actor) if listing.present else obj,
        "unit_names": {u.id: u.name for u in units if u}, "error": error, "refused": refused,
    }, status_code=status)


def ask(listing: Listing) -> Callable[..., Response]:
    def ask(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
        records = listing.service.records
        obj = records.get_for_write(session, actor=actor, id=id)
        records.check_change(session, actor, obj)  # one who may not delete is told so (403)
        return _confirm(listing, request, session, actor, obj)

    ask.__doc__ = f"Ask before deleting one of the {listing.path}."
    return ask


def delete(listing: Listing) -> Callable[..., Response]:
    def delete_(id: RecordId, request: Request, session: SessionDep, actor: PageActor,
                form_data: FormDep) -> Response:
        service = listing.service  # the resource's verbs
        try:
            with attempt(session):
                service.delete(session, actor=actor, id=id,
                               if_match=forms.version(form_data.get("version")))
        except (Conflict, PreconditionFailed) as exc:
            # Referenced, inside an approved period, or changed since the page was read:
            # the record as it now stands, with the reason.
            obj = service.get(session, actor=actor, id=id)
            return _confirm(listing, request, session, actor, obj, exc.status, exc.detail,
                            refused=isinstance(exc, Conflict))
        return list_page(listing, request, session, actor, notice=f"Đã xóa {listing.one} số {id}.")

    delete_.__doc__ = f"Delete one of the {listing.path} (confirmed, version-checked, audited)."
    return delete_
