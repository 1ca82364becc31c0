"""What both files of the summary report (docx, xlsx) read from the summary dict
in the same way: the period and place in words, and the figures they each derive."""

from datetime import date
from typing import Any

from app import vn
from app.enums import Measure, UnitKind, UnitLevel, WorkCategory
from app.services.reports.figures import mass_org_totals
from app.services.works import MEASURES

MOVEMENT = "phong trào thi đua “Dân vận khéo”"


def report_dates(report: dict[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(report["date_from"]), date.fromisoformat(report["date_to"])


def _whole_years(date_from: date, date_to: date) -> bool:
    return (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31)


def period_phrase(date_from: date, date_to: date) -> str:
    """'năm 2020', 'giai đoạn 2016 – 2020' for whole years; otherwise the two dates."""
    if _whole_years(date_from, date_to):
        if date_from.year == date_to.year:
            return f"năm {date_from.year}"
        return f"giai đoạn {date_from.year} – {date_to.year}"
    return f"từ ngày {vn.print_date(date_from)} đến ngày {vn.print_date(date_to)}"


def report_subject(date_from: date, date_to: date) -> str:
    """A report over whole years sums up (tổng kết); over part of a year it gives results."""
    return "Tổng kết" if _whole_years(date_from, date_to) else "Kết quả thực hiện"


def place_name(unit: dict[str, Any]) -> str:
    """'toàn quốc' for the country; 'huyện Hàm Thuận Bắc' when the unit's kind is known (a
    level alone cannot tell a huyện from a thị xã, nor a xã from a thị trấn), else the bare
    name."""
    if unit.get("level") == UnitLevel.country.value:
        return UnitLevel.country.vi.lower()  # "trên địa bàn toàn quốc"
    kind = unit.get("kind")
    if kind in UnitKind.__members__:
        return f"{UnitKind(kind).vi.lower()} {unit['name']}"
    return unit["name"]


def mass_org_works(report: dict[str, Any]) -> tuple[int, int]:
    """Count and cost of the works of the Front and the mass organisations (figure D12)."""
    # Reports issued before the summary carried these totals are added up from their parts.
    totals = report["works"].get("mass_organizations") or mass_org_totals(report["works"]["by_org_type"])
    return totals["count"], totals["total_cost_vnd"]


def gratitude_house_cost(report: dict[str, Any]) -> int:
    """Houses of gratitude built and repaired cost together (figure D13)."""
    cat = report["works"]["by_category"]
    return (cat["gratitude_house_new"]["total_cost_vnd"]
            + cat["gratitude_house_repair"]["total_cost_vnd"])


def shown_measure(category: WorkCategory, entry: dict[str, Any]) -> Measure | None:
    """The measure a category's quantity is printed in: none when there is no quantity, nor
    for 'other' (it mixes measures, so its sum means nothing)."""
    if not entry["quantity"] or category == WorkCategory.other:
        return None
    return MEASURES[category][0]
