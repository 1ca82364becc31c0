"""The unit picker of every form and filter (macros.unit_choice). A small tree (a district's
few dozen units) is a plain <select> of every unit, indented; a large one (a province, the
country: fourteen thousand units) is a search: a text field, a "Tìm" button, and the units
found as radio buttons, each with its province and district. With script, htmx asks
/units/pick as one types; without it, "Tìm" sends the form, which comes back with what was
typed and the units found (`_pick` in a posted entry form saves nothing)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app import vn
from app.deps import PageActor, Route, SessionDep
from app.services import scope, unit_search
from app.services import units as units_service
from app.services.actor import Actor
from app.services.unit_search import Hit
from app.ui import render_block

# More units than this in the actor's scope and a picker searches instead of listing them all:
# a <select> of 200 units is some 10 KB of a page; of the country's 14 149, close to a megabyte.
THRESHOLD = 200
SHOWN = 20          # units found that a picker shows at once
TYPED = "_q"        # the picker's text field is `<field>_q`
PICK = "_pick"      # the "Tìm" button's name: a submit that searches, never saves

router = APIRouter(route_class=Route)


@dataclass
class FieldState:
    """What one picker shows: the unit chosen, what was typed and the units it found."""

    chosen: Hit | None = None
    typed: str = ""
    found: list[Hit] = field(default_factory=list)  # the chosen one left out: it shows first
    more: bool = False
    matched: int = 0  # how many units the words matched, the chosen one included


@dataclass
class Picker:
    """The pickers of one page. Iterating gives the small tree's (unit, depth) rows; a large
    tree gives none and `state` answers each picker instead."""

    session: Any
    actor: Actor
    large: bool
    rows: list[tuple[Any, int]] = field(default_factory=list)
    date_field: str | None = None  # the form's date: units in force on it come first

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def on(self, values: Any) -> date | None:
        return day_of(values.get(self.date_field) if self.date_field else None)

    def state(self, name: str, values: Any) -> FieldState:
        """The picker `name` of a form holding `values` (its unit id; `<name>_q`, typed)."""
        on = self.on(values)
        chosen = chosen_hit(self.session, self.actor, values.get(name), on)
        typed = str(values.get(name + TYPED) or "").strip()[:100]
        if not typed:
            return FieldState(chosen)
        found, more = unit_search.search(self.session, actor=self.actor, q=typed, on=on,
                                         limit=SHOWN)
        return FieldState(chosen, typed, [h for h in found if not chosen or h.id != chosen.id],
                          more, len(found))


    def many(self, name: str, values: Any, default_field: str) -> "ManyState":
        """The picker of several units `name` (its ids, or its boxes `<name>:<id>` ticked;
        the default one in `default_field`), what was typed and the units it found."""
        from app.ui.forms import ticked

        on = self.on(values)
        default = values.get(default_field)
        default = int(default) if str(default or "").isdigit() and len(str(default)) < 11 else None
        ids = [i for i in ticked(values, name) if isinstance(i, int) and 0 < i <= 2**31 - 1]
        ids = [i for i in dict.fromkeys([*([default] if default else []), *ids])
               if scope.can_see_unit(self.session, self.actor, i)]
        chosen = unit_search.hits(self.session, ids, on=on)
        typed = str(values.get(name + TYPED) or "").strip()[:100]
        if not typed:
            return ManyState(chosen, default)
        found, more = unit_search.search(self.session, actor=self.actor, q=typed, on=on,
                                         limit=SHOWN)
        return ManyState(chosen, default, typed, [h for h in found if h.id not in ids], more)


@dataclass
class ManyState:
    """What a picker of several units shows: those chosen (the default first), the default's
    id, what was typed and the units it found."""

    chosen: list[Hit]
    default: int | None
    typed: str = ""
    found: list[Hit] = field(default_factory=list)
    more: bool = False


def day_of(text: Any) -> date | None:
    if isinstance(text, date):
        return text
    try:
        return vn.read_date(str(text)) if text else None
    except ValueError:
        return None


def chosen_hit(session: Any, actor: Actor, value: Any, on: date | None) -> Hit | None:
    """The unit a form holds, with its path, if it is one the actor may see."""
    text = str(value or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        return None
    if not scope.can_see_unit(session, actor, int(text)):
        return None
    found = unit_search.hits(session, [int(text)], on=on)
    return found[0] if found else None


def build(session: Any, actor: Actor, *, date_field: str | None = None) -> Picker:
    """The page's pickers: every unit for a small tree, a search for a large one."""
    if unit_search.visible_count(session, actor=actor) > THRESHOLD:
        return Picker(session, actor, True, date_field=date_field)
    rows = units_service.nested(units_service.tree(session, actor=actor))
    return Picker(session, actor, False, rows, date_field)


def searching(form: dict[str, Any]) -> str | None:
    """The picker whose "Tìm" sent this form (its field's name), if one did."""
    pick = form.get(PICK)
    return str(pick) if pick else None


def without_typing(form: dict[str, Any]) -> dict[str, Any]:
    """A posted form less the pickers' own fields (`_pick`, `<field>_q`): what the schema reads."""
    return {k: v for k, v in form.items() if k != PICK and not k.endswith(TYPED)}


@router.get("/units/pick")
def pick(request: Request, session: SessionDep, actor: PageActor,
         field: str = Query(max_length=40, pattern=r"^[a-z_]+$"),
         prefix: str = Query("f-", max_length=4, pattern=r"^[a-z]-$"),
         blank: str = Query("", max_length=60),
         date_field: str = Query("", max_length=40),
         many: str = Query("", max_length=40, pattern=r"^[a-z_]*$")) -> Response:
    """The units matching what was typed in a picker, best first, with their provinces
    (`many`: a picker of several units, and the field of the default one)."""
    values = dict(request.query_params)
    picker = Picker(session, actor, True, date_field=date_field or None)
    if many:
        return render_block(request, "units/picker.html", "many", {
            "name": field, "prefix": prefix, "default_field": many,
            "s": picker.many(field, values, many)})
    return render_block(request, "units/picker.html", "matches", {
        "name": field, "prefix": prefix, "s": picker.state(field, values), "blank": blank,
        "required": not blank})
