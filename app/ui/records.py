"""The list page and the entry form of every record resource. Each page is the registered
resource (app.services.registry: its fields, list, form, order and names) as the pages show
it; here is only what the registry cannot say (a template of its own, more context). The
engine behind them is private: app/ui/_listing.py (context), app/ui/_entry.py (routes)."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.deps import Route
from app.services import registry
from app.ui import _entry, deletes, unit_form, unit_tree
from app.ui._listing import Listing, deletable, list_page
from app.ui.history import field_labels, shown_history

__all__ = ["BY_PATH", "LISTINGS", "Listing", "deletable", "field_labels", "list_page",
           "router", "shown_history"]


# Every registered resource has its page; the unit tree shows itself as a tree.
OWN = {"units": Listing(registry.get("units"), template="units/tree.html", extra=unit_tree.context,
                       read_form=unit_form.read)}
LISTINGS = [OWN.get(r.name) or Listing(r) for r in registry.RESOURCES]
BY_PATH = {listing.path: listing for listing in LISTINGS}


def _add_routes(router: APIRouter, listing: Listing) -> None:
    base = f"/{listing.path}"
    html = {"response_class": HTMLResponse}
    router.add_api_route(base, _entry.page(listing), methods=["GET"], name=f"page.{listing.path}",
                         **html)
    for kind in ("csv", "xlsx"):
        router.add_api_route(f"{base}.{kind}", _entry.download(listing, kind), methods=["GET"])
    if not listing.fields:
        return
    routes = _entry.entry(listing)
    router.add_api_route(base, routes["create"], methods=["POST"], **html)
    router.add_api_route(base + "/new", routes["new"], methods=["GET"], **html)
    router.add_api_route(base + "/choices", routes["choices"], methods=["GET"], **html)
    router.add_api_route(base + "/{id}/edit", routes["edit"], methods=["GET"], **html)
    router.add_api_route(base + "/{id}", routes["update"], methods=["POST"], **html)
    for method, handler in (("GET", deletes.ask), ("POST", deletes.delete)):
        router.add_api_route(base + "/{id}/delete", handler(listing), methods=[method], **html)


router = APIRouter(route_class=Route)
for _listing in LISTINGS:
    _add_routes(router, _listing)
