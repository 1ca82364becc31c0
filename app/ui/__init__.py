"""The HTML pages (htmx): Vietnamese, thin controllers over app.services."""

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from app.enums import ENUMS
from app.services import registry
from app.vn import (TIMEZONE, print_area, print_clock, print_date, print_long_date, print_moment,
                    print_money, print_money_short, print_number, print_percent, read_isodate)

UI_DIR = Path(__file__).parent
STATIC_DIR = UI_DIR / "static"

templates = Jinja2Templates(directory=UI_DIR / "templates")


def label(code: Any, enum_name: str) -> str:
    """The Vietnamese label of a code ('economy' → 'Kinh tế')."""
    if code is None or code == "":
        return ""
    enum = ENUMS[enum_name]
    try:
        return enum(code).vi  # type: ignore[attr-defined]
    except ValueError:
        return str(code)


FIGURE_LABELS = {"received": "tiếp nhận trong kỳ", "carried_over": "kỳ trước chuyển sang",
                 "in_competence": "thuộc thẩm quyền", "resolved": "đã giải quyết",
                 "overdue": "quá hạn"}


def figure_label(name: str) -> str:
    return FIGURE_LABELS.get(name, name)


def typed_date(text: Any) -> str:
    """A date from a link (ISO, as the report's links carry it) as the pages show dates
    (05/02/2021); what the user typed, date or not, is given back as typed."""
    try:
        return print_date(read_isodate(text)) if text else ""
    except ValueError:
        return str(text)


templates.env.filters.update(figure_label=figure_label, typed_date=typed_date)
templates.env.filters.update(number=print_number, percent=print_percent, vndate=print_date,
                             label=label, money=print_money, area=print_area,
                             long_date=print_long_date, money_short=print_money_short,
                             isodate=read_isodate, clock=print_clock, moment=print_moment)
# TIMEZONE: the zone every time is shown in, the live pages' "updated at" clock included.
templates.env.globals.update(ENUMS=ENUMS, HTMX="vendor/htmx-2.0.11.min.js", TIMEZONE=TIMEZONE)
# The navigation's links to the record pages: the registry's, in its order (base.html).
templates.env.globals["MENU"] = [(r.name, r.menu) for r in registry.RESOURCES if r.menu]
# The form and list macros, global so that a block rendered alone (an htmx fragment) has them.
templates.env.globals["ui"] = templates.env.get_template("macros.html").module


def render_block(request: Any, name: str, block: str, context: dict[str, Any],
                 *, status_code: int = 200, headers: dict[str, str] | None = None) -> Any:
    """Render one named block of a page template (an htmx fragment) instead of the page."""
    from fastapi.responses import HTMLResponse

    html = block_html(name, block, {"request": request, **context})
    return HTMLResponse(html, status_code=status_code, headers=headers)


def block_html(name: str, block: str, context: dict[str, Any]) -> str:
    """One named block of a page template, as text."""
    template = templates.env.get_template(name)
    return "".join(template.blocks[block](template.new_context(context)))


def field_label(schema: Any, name: str) -> str | None:
    """The Vietnamese label of `schema`'s field `name`, or None if it has none to give."""
    from app.db import labels

    try:
        return labels.label(schema, name) if schema is not None else None
    except (KeyError, LookupError):
        return None


def labelled(name: str, msg: str, *schemas: Any) -> str:
    """`msg` about field `name`, led by the field's label unless it names it already ('Ngày
    hoàn thành không được sau hôm nay'); by the message alone when no schema labels it."""
    shown = next((t for t in (field_label(s, name) for s in schemas) if t), None)
    return f"{shown}: {msg}" if shown and not msg.startswith(shown) else msg


def _named(detail: str, errors: list[dict[str, Any]], schema: Any) -> str:
    """A rule's message naming its field by the field's label, never by its API name: the
    service's 'amount_vnd: Cần số tiền' (Invalid.field) becomes 'Số tiền (đồng): Cần số tiền',
    or just 'Cần số tiền' when the label is unknown."""
    for e in errors:
        name = str(e["loc"][-1]) if e.get("loc") else ""
        if name and detail.startswith(f"{name}: "):
            return labelled(name, detail[len(name) + 2:], schema)
    return detail


def form_errors(exc: Exception, schema: Any = None) -> tuple[dict[str, str], str | None]:
    """Field messages (by field name, to sit beside each field) and a general message from a
    validation or domain error. The general message names a field by its label in `schema`."""
    from pydantic import ValidationError

    from app.services.errors import DomainError
    from app.services.validation import field_errors
    from app.ui.forms import TOLD

    if isinstance(exc, ValidationError):
        fields = {str(e["loc"][-1]) if e["loc"] else "": e["msg"] for e in field_errors(exc)}
        return fields, TOLD
    if isinstance(exc, DomainError):
        fields = {str(e["loc"][-1]): e["msg"] for e in exc.errors if e.get("loc")}
        return fields, _named(exc.detail, exc.errors, schema)
    raise exc


def errors_line(exc: Exception, schema: Any = None) -> str:
    """What went wrong in one line, each field named by its label (a page whose forms show no
    message beside their fields: 'Số ngày gia hạn: Không được lớn hơn 365.')."""
    from app.services.errors import DomainError
    from app.ui.forms import TOLD

    fields, message = form_errors(exc, schema)
    if isinstance(exc, DomainError) and (message != TOLD or not fields):
        return message or ""
    return " ".join(labelled(name, msg, schema) for name, msg in fields.items())


def refusal_status(exc: Exception) -> int:
    """The status a page answers a refused form with: the rule's own (403, 409, 412, 422),
    or 422 for a mistyped field."""
    from app.services.errors import DomainError

    return exc.status if isinstance(exc, DomainError) else 422


def _csrf_token(request: Any) -> str:
    from app.ui.csrf import token_for

    return token_for(request)


def _csrf_input(request: Any) -> Any:
    from app.ui.csrf import hidden_input

    return hidden_input(request)


templates.env.globals.update(csrf_token=_csrf_token, csrf_input=_csrf_input)
