"""The forms on a record's own page that act on the record (a model's step, score sheet and
recognition; a petition's step and extension).

They post to addresses of their own (/models/{id}/step, /petitions/{id}/extend, …), the record's
address being the page's. Sent through htmx (macros.html `acts_on`), a refusal swaps the page's
content in place and a success loads the page anew, so the browser's address stays the page's
and a reload is only a reload; a browser without script lands on the form's address, whose GET
leads back to the page instead of answering 405."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app import vn
from app.deps import RecordId, is_htmx
from app.ui import render_block, templates

# Where a refusal goes: the layout's <main id="main">, as the forms' hx-target says (acts_on).
SWAP = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}


def lead_back(router: APIRouter, page: str, acts: tuple[str, ...]) -> None:
    """GET routes for each form's address, `page` + '/' + act ('/models/{id}' + '/step'),
    that lead back to `page`."""

    def back_to_page(id: RecordId) -> Response:
        """A form's address opened again (a browser without script after a refusal): the page."""
        return RedirectResponse(page.format(id=id), status_code=303)

    for act in acts:
        router.get(f"{page}/{act}", include_in_schema=False)(back_to_page)


def done(request: Request, address: str) -> Response:
    """After an act taken: the page, fetched anew (Post/Redirect/Get, or htmx's HX-Redirect)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": address})
    return RedirectResponse(address, status_code=303)


def again(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
    """The page again with what went wrong, answered with the refusal's status: through htmx
    its content block only, swapped in place (the address stays the page's)."""
    if is_htmx(request):
        return render_block(request, template, "content", context, status_code=status,
                            headers=SWAP)
    return templates.TemplateResponse(request, template, context, status_code=status)


Sent = tuple[str, dict[str, Any]]  # (the refused form's name, the values it sent)


def marked(names: tuple[str, ...], sent: Sent | None, fields: dict[str, str] | None = None
           ) -> dict[str, dict[str, str]]:
    """Each form's field messages, by form name: those of the refused form (`form_errors`'s
    fields, by field name), so that each sits beside its field and marks it (aria-invalid),
    which static/forms.js then brings into view; none for the others."""
    out: dict[str, dict[str, str]] = {name: {} for name in names}
    if sent is not None and fields:
        out[sent[0]] = dict(fields)
    return out


def filled(names: tuple[str, ...], sent: Sent | None) -> dict[str, dict[str, str]]:
    """Each form's values, by form name: today's date, or, for the form that was refused, what
    the user sent to it, so a mistake costs the user the mistyped field, not the whole form."""
    out = {name: {"date": vn.print_date(vn.today())} for name in names}
    if sent is not None:
        out[sent[0]] = {k: v for k, v in sent[1].items() if isinstance(v, str)}
    return out
