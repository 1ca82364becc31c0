"""The printable blank forms villages fill in (issue 21, part 5): one per record type whose
registration has a `Paper` (app.services.registry), A4, with the entry form's own fields in its
own order — `Listing.fields`, the very declaration the screen's form is drawn from, so the two
cannot drift — the unit and period the clerk chose, a place for the village head's signature,
and the version mark the entry screen shows beside its title (`Listing.mark`)."""

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import vn
from app.deps import PageActor, Route, SessionDep
from app.enums import UnitLevel
from app.responses import DOCX
from app.services.actor import Actor
from app.ui import forms, templates, unit_picker
from app.ui.records import LISTINGS, Listing
from app.ui.unit_picker import chosen_hit

router = APIRouter(route_class=Route)

PERIOD_KEYS = ("month", "year", "date_from", "date_to")
FIRST_YEAR, LAST_YEAR = 1990, 2100
# A denouncer's identity on a sheet that passes through a village's hands could reach the very
# people denounced (Luật Tố cáo 2018, art. 9: the receiver keeps it secret). The sheet keeps the
# fields, in the screen's order, for the petitions whose sender is no secret (a complaint, a
# request); for a denunciation it asks that they stay blank and the letter travel sealed.
SECRET_NOTE = ("Đơn tố cáo: để trống họ tên, địa chỉ người tố cáo. Danh tính người tố cáo phải "
               "được giữ bí mật; chuyển nguyên đơn cho cán bộ tiếp nhận trong phong bì dán kín.")


@dataclass(frozen=True)
class SheetField:
    """One field of the entry form as the paper prints it."""

    name: str
    label: str
    kind: str  # app.db.labels.kind: the box is drawn to suit it
    required: bool
    hint: str
    options: tuple[str, ...]  # an enumerated field's choices, as tick boxes
    given: str = ""  # printed in the box already (the unit, when it is a village)
    secret: bool = False  # a denouncer's identity (SECRET_NOTE)

    @property
    def lines(self) -> int:
        """How many ruled lines its box has on a one-record sheet."""
        return 3 if self.kind == "textarea" else 1


def sheet_fields(listing: Listing, unit: Any) -> list[SheetField]:
    """The entry form's fields, in its order, as boxes. A village's sheet has its unit printed;
    a commune's leaves the unit to be written (which of its villages)."""
    given = unit.name if unit is not None and unit.level == UnitLevel.village.value else ""
    return [SheetField(f.name, f.label, f.kind, f.required, f.hint,
                       tuple(vi for _, vi in forms.options(f.kind)),
                       given if f.kind == "unit" else "", f.name in listing.confidential)
            for f in listing.fields]


def _read(values: dict[str, str], key: str, reader: Callable[[str], Any],
          errors: dict[str, str]) -> Any:
    text = values.get(key, "").strip()
    if not text:
        return None
    try:
        return reader(text)
    except ValueError as exc:
        errors[key] = str(exc)
        return None


def _month(text: str) -> int:
    month = vn.read_int(text)
    if not 1 <= month <= 12:
        raise ValueError("Tháng phải từ 1 đến 12.")
    return month


def _year(text: str) -> int:
    year = vn.read_int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}.")
    return year


def period(values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The period printed on the sheet ('Tháng 11 năm 2026', 'Năm 2026', 'Từ ngày … đến ngày …')
    and what could not be read, by field; dates typed win over a month. Nothing readable: ''
    (the sheet leaves the period to be written by hand)."""
    errors: dict[str, str] = {}
    start = _read(values, "date_from", vn.read_date, errors)
    end = _read(values, "date_to", vn.read_date, errors)
    if start and end and start > end:
        errors["date_to"] = "Ngày kết thúc phải từ ngày bắt đầu trở đi."
    if start or end or errors:
        if errors:
            return "", errors
        text = " ".join(([f"từ ngày {vn.print_date(start)}"] if start else [])
                        + ([f"đến ngày {vn.print_date(end)}"] if end else []))
        return text[:1].upper() + text[1:], errors
    month = _read(values, "month", _month, errors)
    year = _read(values, "year", _year, errors)
    if month and not year and "year" not in errors:
        errors["year"] = "Cần năm của tháng đã chọn."
    if errors or not year:
        return "", errors
    return (f"Tháng {month:02d} năm {year}" if month else f"Năm {year}"), errors


def _unit(session: Any, actor: Actor, values: dict[str, str],
          errors: dict[str, str]) -> Any:
    """The unit the sheet is for: the one chosen if the clerk may see it, else their own."""
    chosen = values.get("unit_id", "")
    hit = chosen_hit(session, actor, chosen, None) if chosen else None
    if chosen and hit is None:
        errors["unit_id"] = "Không có đơn vị này trong phạm vi của bạn; đã in đơn vị của bạn."
    if hit is None and actor.unit_id:
        hit = chosen_hit(session, actor, actor.unit_id, None)
        values["unit_id"] = str(actor.unit_id)
    return hit


def sheet(listing: Listing, request: Request, session: Any, actor: Actor) -> dict[str, Any]:
    """What the sheet prints (page and .docx alike) for the unit and period asked."""
    values = {k: v[:100] for k, v in request.query_params.items()}
    if not any(values.get(k) for k in PERIOD_KEYS):  # first opened: this month
        today = vn.today()
        values.update(month=str(today.month), year=str(today.year))
    text, errors = period(values)
    unit = _unit(session, actor, values, errors)
    kept = {k: values[k] for k in ("unit_id", *PERIOD_KEYS) if values.get(k) and k not in errors}
    return {"listing": listing, "mark": listing.mark, "values": values, "errors": errors,
            "period": text, "unit": unit, "fields": sheet_fields(listing, unit),
            "rows": listing.resource.paper.rows, "secret_note": SECRET_NOTE,
            "query": urlencode(kept)}


def page(listing: Listing) -> Callable[..., Response]:
    def paper(request: Request, session: SessionDep, actor: PageActor) -> Response:
        return templates.TemplateResponse(request, "records/paper.html", {
            **sheet(listing, request, session, actor), "actor": actor,
            "units": unit_picker.build(session, actor), "months": range(1, 13)})

    paper.__doc__ = f"{listing.title}: the blank paper form (A4) for the unit and period chosen."
    return paper


def download(listing: Listing) -> Callable[..., Response]:
    def paper_docx(request: Request, session: SessionDep, actor: PageActor) -> Response:
        from app.services import paper as word  # python-docx, loaded when first asked for

        s = sheet(listing, request, session, actor)
        unit = s["unit"]
        content = word.paper_docx(
            title=listing.title, one=listing.one, mark=s["mark"], unit=unit.name if unit else "",
            where=unit.where if unit else "", period=s["period"], fields=s["fields"],
            rows=s["rows"], secret_note=SECRET_NOTE)
        name = f"mau-giay-{listing.path}-{s['mark'].split('-')[-1]}.docx"
        return Response(content, media_type=DOCX,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    paper_docx.__doc__ = f"{listing.title}: the same blank paper form as a Word document."
    return paper_docx


for _listing in LISTINGS:
    if _listing.resource.paper is not None:
        router.add_api_route(f"/{_listing.path}/paper", page(_listing), methods=["GET"],
                             name=f"paper.{_listing.path}", response_class=HTMLResponse)
        router.add_api_route(f"/{_listing.path}/paper.docx", download(_listing), methods=["GET"])
