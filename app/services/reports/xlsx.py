"""The summary report (reports/summary.py) as an Excel workbook: the figures on a first sheet,
then one sheet per type of record behind them.

A pure function of the summary dict and the rows given: no database, no web framework.
Numbers are stored as numbers and only their display format is set, so that Excel shows them
with the reader's own separators."""

import re
import tempfile
from datetime import date, datetime, timedelta, timezone
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app import vn
from app.enums import Labelled, Measure, ModelKind, RecognitionTitle, Source, WorkCategory
from app.services.export_columns import BATCH, Spool
from app.services.reports.text import (MOVEMENT, gratitude_house_cost, mass_org_works,
                                       period_phrase, place_name, report_dates, shown_measure)
from app.services.works import MEASURES
from app.vn import printable

INT, DEC, PCT, DAY = "#,##0", "#,##0.00", "0.00%", "dd/mm/yyyy"
VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving, so a fixed offset will do
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
Sheet = tuple[str, list[str], Iterable[list[Any]]]  # (what it lists, header, rows)
HEADER = 2  # the header's row, under the title row
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
# Columns that hold codes or years, not amounts: no thousands separator (2.020 is not a year).
PLAIN = re.compile(r"\b(mã|năm|id|stt|tt|số hiệu|điện thoại)\b", re.IGNORECASE)


def headline_rows(report: dict[str, Any]) -> list[tuple[str, Any, str, str | None, str]]:
    """(label, value, unit, number format, note) of the first sheet; a row with no value and
    no format is a group heading."""
    r, cat = report, report["works"]["by_category"]
    date_from, date_to = report_dates(report)
    p, roads, land, c = r["petitions"], r["roads"], r["land_donations"], r["contributions"]
    mass_count, mass_cost = mass_org_works(r)
    new_rural = r["recognitions"]["by_title"].get(RecognitionTitle.new_rural_commune.value, [])
    return [
        ("Đơn vị báo cáo", r["unit"]["name"], "", None, ""),
        ("Từ ngày", date_from, "", DAY, ""),
        ("Đến ngày", date_to, "", DAY, ""),
        ("Chỉ tiêu, mô hình", None, "", None, ""),
        ("Chỉ tiêu chủ yếu đề ra", r["targets"]["total"], "chỉ tiêu", INT, ""),
        ("Chỉ tiêu đạt và vượt", r["targets"]["achieved"], "chỉ tiêu", INT, ""),
        ("Mô hình, điển hình", r["models"]["total"], "mô hình", INT, ""),
        *((f"  {ModelKind(k).vi}", n, "mô hình", INT, "")
          for k, n in r["models"]["by_kind"].items()),
        ("Mô hình, điển hình được công nhận", r["models"]["recognized"], "mô hình", INT, ""),
        ("Giao thông, thủy lợi", None, "", None, ""),
        ("Đường giao thông nông thôn", roads["km"], "km", DEC, ""),
        ("Kinh phí đường giao thông nông thôn", roads["total_cost_vnd"], "đồng", INT, ""),
        ("  Trong đó Nhân dân và các thành phần kinh tế", roads["non_state_vnd"], "đồng", INT,
         "kể cả giá trị đất hiến"),
        ("Đường bê tông xi măng", roads["concrete_km"], "km", DEC, ""),
        ("Kinh phí đường bê tông xi măng", roads["concrete_cost_vnd"], "đồng", INT, ""),
        ("  Trong đó Nhân dân góp", roads["concrete_non_state_vnd"], "đồng", INT, ""),
        ("Kênh thủy lợi nội đồng nạo vét", cat["canal"]["quantity"], "km", DEC, ""),
        ("Đất hiến", land["area_m2"], "m²", INT, f"{vn.print_number(land['households'])} hộ"),
        ("Giá trị đất hiến", land["value_vnd"], "đồng", INT, ""),
        ("Ngày công lao động", c["labor_days"], "ngày công", INT, ""),
        ("Xã đạt chuẩn nông thôn mới", len(new_rural), "xã", INT, ", ".join(new_rural)),
        ("Mặt trận, đoàn thể và an sinh", None, "", None, ""),
        ("Công trình, phần việc của Mặt trận và các đoàn thể", mass_count, "công trình", INT, ""),
        ("Trị giá công trình, phần việc của Mặt trận và các đoàn thể", mass_cost, "đồng", INT, ""),
        ("Nhà tình nghĩa xây mới", cat["gratitude_house_new"]["quantity"], "căn", INT, ""),
        ("Nhà tình nghĩa sửa chữa", cat["gratitude_house_repair"]["quantity"], "căn", INT, ""),
        ("Kinh phí nhà tình nghĩa", gratitude_house_cost(r), "đồng", INT, ""),
        ("Thẻ bảo hiểm y tế", cat["health_insurance"]["quantity"], "thẻ", INT, ""),
        ("Quỹ Vì người nghèo", cat["poor_fund"]["total_cost_vnd"], "đồng", INT, ""),
        ("Nhà tình thương xây mới", cat["charity_house"]["quantity"], "căn", INT, ""),
        ("Kinh phí nhà tình thương", cat["charity_house"]["total_cost_vnd"], "đồng", INT, ""),
        ("An sinh xã hội: kinh phí vận động", cat["social_support"]["total_cost_vnd"], "đồng",
         INT, ""),
        ("An sinh xã hội: người được giúp", cat["social_support"]["quantity"], "lượt người",
         INT, ""),
        ("Đơn thư", None, "", None, ""),
        ("Đơn tiếp nhận trong kỳ", p["received"], "đơn", INT, ""),
        ("Đơn kỳ trước chuyển sang", p["carried_over"], "đơn", INT, ""),
        ("Đơn thuộc thẩm quyền", p["in_competence"], "đơn", INT, ""),
        ("Đơn đã giải quyết", p["resolved"], "đơn", INT, ""),
        ("Đơn quá hạn", p["overdue"], "đơn", INT, ""),
        ("Tỷ lệ giải quyết", p["resolution_rate"], "", PCT,
         "" if p["resolution_rate"] is not None else "không có đơn thuộc thẩm quyền"),
        ("Nguồn lực huy động", None, "", None, ""),
        ("Tổng đóng góp", c["total_vnd"], "đồng", INT, ""),
        *((f"  {s.vi}", c["by_source"].get(s.value, 0), "đồng", INT, "") for s in Source),
        ("Khen thưởng", r["commendations"]["total"], "lượt", INT, ""),
    ]


def build_xlsx(report: dict[str, Any],
               sheets: Mapping[str, Sheet] | Iterable[tuple[str, Sheet]]) -> bytes:
    """The figures on a first sheet "Tổng hợp", then one sheet per entry of `sheets`
    (tab title → (what it lists, header, rows)), a dict or its pairs one after the other
    (reports/sheets.py reads each sheet's records when it comes to it): on each a title row naming the unit and the
    period (a sheet is often printed or sent alone), then a frozen bold header; numbers as
    numbers, dates as dates.

    Written in openpyxl's write-only mode, row after row: memory stays flat however many rows
    (a province's 100 000 contributions). A sheet's rows are read twice, once to fit its
    columns (set before its first row) and once to write them: they are set aside in between
    (app.services.export_columns.Spool), so `rows` may be read once."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tổng hợp")
    _summary_sheet(ws, report)
    used: set[str] = {ws.title}
    for title, (what, header, rows) in (sheets.items() if isinstance(sheets, Mapping)
                                        else sheets):
        sheet = wb.create_sheet(_sheet_title(title, used))
        aside, count, widths = Spool(), 0, _fitted([header])
        for batch in _batches(rows):
            batch = [[_xl(v) for v in row] for row in batch]
            widths = _fitted(batch, widths)
            aside.add(batch)
            count += len(batch)
        _widths(sheet, widths)
        sheet.freeze_panes = f"A{HEADER + 1}"
        _title_row(sheet, what, report)
        _header_row(sheet, header)
        plain = [bool(PLAIN.search(str(h))) for h in header]
        for row in aside:
            sheet.append([_record_cell(sheet, v, i < len(plain) and plain[i])
                          for i, v in enumerate(row)])
        if count:
            sheet.auto_filter.ref = f"A{HEADER}:{get_column_letter(len(header))}{HEADER + count}"
    wb.properties.title = _xl(f"Tổng hợp {MOVEMENT} — {report['unit']['name']}")
    # Zipped into a file, then read once: into a BytesIO, the file (5.6 MB for a province) was
    # held up to three times at the end, by the buffer as it grew, its copy and getvalue()'s.
    with tempfile.TemporaryFile() as out:
        wb.save(out)
        out.seek(0)
        return out.read()


def _summary_sheet(ws: Any, report: dict[str, Any]) -> None:
    """The headline figures, then the works by category (_works_block)."""
    measures = list(dict.fromkeys(MEASURES[c][0] for c in WorkCategory if c != WorkCategory.other))
    cost = 3 + len(measures)  # the column of the money, after the quantities
    _widths(ws, {cost: 20, cost + 1: 20, 1: 58, 2: 20, 3: 14, 4: 40})
    ws.freeze_panes = f"A{HEADER + 1}"
    _title_row(ws, f"Tổng hợp {MOVEMENT}", report)
    _header_row(ws, ["Chỉ tiêu", "Giá trị", "Đơn vị tính", "Ghi chú"])
    for label, value, unit, number_format, note in headline_rows(report):
        heading = number_format is None and value is None
        ws.append([_cell(ws, _xl(label), bold=heading), _cell(ws, _xl(value), number_format),
                   _cell(ws, unit), _cell(ws, _xl(note))])
    _works_block(ws, report, measures)


def _works_block(ws: Any, report: dict[str, Any], measures: list[Measure]) -> None:
    """Works by category under the headline figures, in đồng (not triệu: the cells compute);
    a column per measure (km, căn, thẻ...), so that no column adds up different things."""
    ws.append([])
    _header_row(ws, ["Công trình, phần việc theo loại", "Số công trình",
                     *(f"Khối lượng ({m.vi})" for m in measures),
                     "Kinh phí (đồng)", "Trong đó ngoài ngân sách (đồng)"])
    for category in WorkCategory:
        c = report["works"]["by_category"][category.value]
        measure = shown_measure(category, c)
        ws.append([_cell(ws, category.vi), _cell(ws, c["count"], INT),
                   *(_cell(ws, _xl(c["quantity"]), DEC if m == Measure.km else INT)
                     if m == measure else _cell(ws, None) for m in measures),
                   _cell(ws, c["total_cost_vnd"], INT), _cell(ws, c["non_state_vnd"], INT)])


def _title_row(ws: Any, what: str, report: dict[str, Any]) -> None:
    """'Công trình, phần việc — huyện Hàm Thuận Bắc, giai đoạn 2016 – 2020'; left in one cell
    (not merged) so that sorting and filtering the table below still work."""
    period = period_phrase(*report_dates(report))
    ws.append([_cell(ws, _xl(f"{what} — {place_name(report['unit'])}, {period}"),
                     font=Font(bold=True, size=13))])


def _header_row(ws: Any, header: list[str]) -> None:
    """A bold header on a fill (the freezing under the first one is set before any row)."""
    ws.append([_cell(ws, h, font=Font(bold=True), fill=HEADER_FILL,
                     alignment=Alignment(wrap_text=True, vertical="center")) for h in header])


def _cell(ws: Any, value: Any, number_format: str | None = None, *, bold: bool = False,
          **style: Any) -> WriteOnlyCell:
    """A cell of a write-only sheet. Text that starts with '=' stays text: the report computes
    nothing in Excel, and a name typed as =HYPERLINK(...) must not become a live formula in a
    district's workbook."""
    cell = WriteOnlyCell(ws, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    for name, given in style.items():
        setattr(cell, name, given)
    return cell


def _xl(value: Any) -> Any:
    """A value as an Excel cell takes it: labels for codes, whole floats as ints, naive times."""
    if isinstance(value, Labelled):
        return value.vi
    if isinstance(value, str):
        return printable(value)  # a row stored before the input rules still exports
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(VIETNAM).replace(tzinfo=None)  # Excel has no time zones
    return value


def _record_cell(ws: Any, value: Any, plain: bool) -> Any:
    """A record's value as it is when it needs neither a format nor a guard (openpyxl writes
    a bare value faster than a cell of its own), else as a cell (_cell)."""
    number_format = _format(value, plain)
    if number_format is None and not (isinstance(value, str) and value.startswith("=")):
        return value
    return _cell(ws, value, number_format)


def _format(value: Any, plain: bool) -> str | None:
    """A record's cell's number format: dates as dates, amounts with thousands separators,
    codes and years (`plain` columns) without."""
    if isinstance(value, datetime):
        return "dd/mm/yyyy hh:mm"
    if isinstance(value, date):
        return DAY
    if isinstance(value, int) and not plain:
        return INT
    if isinstance(value, float):
        return DEC
    return None


def _batches(rows: Iterable[list[Any]], size: int = BATCH) -> Iterator[list[list[Any]]]:
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _fitted(rows: list[list[Any]], widths: dict[int, float] | None = None) -> dict[int, float]:
    """Each column's width for the longest of its values (at least 8, at most 60 characters),
    from the header down (the title row runs over the columns beside)."""
    widths = dict(widths or {})
    for row in rows:
        for column, value in enumerate(row, 1):
            if value is None:
                continue
            if isinstance(value, (date, datetime)):
                length = 16 if isinstance(value, datetime) else 11
            elif isinstance(value, (int, float)):
                length = len(f"{value:,.2f}")
            else:
                length = max(len(line) for line in str(value).splitlines() or [""])
            widths[column] = max(widths.get(column, 8), min(length + 2, 60))
    return widths


def _widths(ws: Any, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ , unique ignoring case."""
    base = BAD_TITLE.sub("-", title).strip("'") or "Sheet"
    base, candidate, n = base[:31], base[:31], 2
    while candidate.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate
