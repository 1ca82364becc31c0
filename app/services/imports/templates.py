"""Each record type's empty file to fill: the .xlsx with its headers, drop-down lists of the
code lists' labels, the instructions and the codes of the units the user may import for; the
.csv with its headers alone."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlmodel import Session

from app.db import labels as labels_of
from app.db.units import Unit, UnitRead
from app.enums import UnitLevel
from app.services import scope
from app.services.actor import Actor
from app.services.imports.report import MAX_ROWS
from app.services.imports.sheets import column_letter
from app.services.imports.specs import Column, Spec
from app.vn import printable

BOLD = Font(bold=True)

KIND_HINTS = {
    "text": "chữ", "integer": "số nguyên, ví dụ 12", "money": "số đồng, ví dụ 1.500.000",
    "decimal": "số, ví dụ 2,5", "date": "ngày/tháng/năm, ví dụ 05/02/2021", "bool": "có / không",
    "enum": "chọn trong danh sách", "unit_code": "mã đơn vị, xem trang 'Danh mục đơn vị'",
    "work_code": "mã công trình (cột Mã công trình của danh sách công trình)",
    "external_id": "mã riêng của dòng trong sổ sách của bạn",
    "id_ref": "số ở cột # của danh sách tương ứng",
    "code": "mã đơn vị, đọc theo ngày hiệu lực của dòng",
    "codes": "các mã đơn vị, cách nhau bằng dấu ; hoặc dấu ,",
}


def template_columns(spec: Spec) -> list[Column]:
    """The template's columns: codes rather than ids, the external key last."""
    cols = [c for c in spec.columns
            if c.kind not in ("id", "unit_id", "work_id", "external_id", "ids") and c.fixed is None]
    keyed = [c for c in spec.columns if c.kind == "external_id"]  # units are keyed by code
    return cols + keyed


def template_xlsx(session: Session, actor: Actor, spec: Spec) -> bytes:
    """An empty workbook to fill: the data sheet with its headers and drop-down lists, the
    instructions, and the codes of the units the user may import for."""
    cols = template_columns(spec)
    book = Workbook()
    data = book.active
    data.title = "Dữ liệu"
    _headers(data, cols)
    _lists(data, book.create_sheet("Danh mục"), cols)
    _guide(book.create_sheet("Hướng dẫn"), cols)
    _units(book.create_sheet("Danh mục đơn vị"), session, actor)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _headers(data: Any, cols: list[Column]) -> None:
    """The data sheet's header row: required columns shaded, dates formatted."""
    fill = PatternFill("solid", fgColor="FFF2CC")
    data.append([c.header for c in cols])
    for i, c in enumerate(cols):
        cell = data.cell(row=1, column=i + 1)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if c.required:
            cell.fill = fill
        data.column_dimensions[column_letter(i)].width = max(14, min(40, len(c.header) + 4))
        if c.kind == "date":
            for row in data.iter_rows(min_row=2, max_row=2, min_col=i + 1, max_col=i + 1):
                row[0].number_format = "dd/mm/yyyy"
    data.freeze_panes = "A2"


def _lists(data: Any, lists: Any, cols: list[Column]) -> None:
    """A drop-down list of labels for each code list and yes/no column."""
    list_col = 0
    for i, c in enumerate(cols):
        if c.kind not in ("enum", "bool"):
            continue
        labels = [getattr(m, "vi", m.value) for m in c.enum] if c.enum else ["có", "không"]
        letter = column_letter(list_col)
        lists.cell(row=1, column=list_col + 1, value=c.header).font = BOLD
        for r, label in enumerate(labels, 2):
            lists.cell(row=r, column=list_col + 1, value=label)
        rule = DataValidation(type="list", allow_blank=not c.required, showErrorMessage=True,
                              errorTitle="Giá trị không có trong danh sách",
                              error="Hãy chọn một giá trị trong danh sách.",
                              formula1=f"='Danh mục'!${letter}$2:${letter}${len(labels) + 1}")
        data.add_data_validation(rule)
        rule.add(f"{column_letter(i)}2:{column_letter(i)}{MAX_ROWS}")
        list_col += 1


def _guide(guide: Any, cols: list[Column]) -> None:
    guide.append(["Cột", "Bắt buộc", "Cách ghi", "Ghi chú"])
    for c in cols:
        guide.append([c.header, "có" if c.required else "", KIND_HINTS.get(c.kind, ""), c.hint])
    guide.append([])
    # Every sheet speaks the clerk's language: the API's field names, which the import reads
    # too, are for other systems and are not advertised here.
    guide.append(["Một dòng là một bản ghi. Không gộp ô, không dùng công thức; dòng trống được "
                  "bỏ qua. Tệp xuất từ danh sách (nút Tải về) cũng nhập lại được."])
    guide.append(["Nhập thử trước để xem kết quả; khi mọi dòng đúng mới nhập thật. Một dòng sai "
                  "thì không dòng nào được lưu."])
    for row in guide.iter_rows(min_row=1, max_row=1):
        for cell in row:
            cell.font = BOLD
    for letter, width in zip("ABCD", (30, 10, 40, 60), strict=True):
        guide.column_dimensions[letter].width = width


def _units(units: Any, session: Session, actor: Actor) -> None:
    """The units the user may import for: code, name and level, as the units' list names them."""
    units.append([labels_of.label(UnitRead, f) for f in ("code", "name", "level")])
    stmt = scope.restrict(select(Unit), Unit.id, actor).order_by(Unit.code).limit(20_000)
    for u in session.exec(stmt).scalars():
        units.append([printable(u.code), printable(u.name), getattr(UnitLevel._value2member_map_.get(u.level), "vi", u.level)])
    units.column_dimensions["A"].width, units.column_dimensions["B"].width = 18, 40


def template_csv(spec: Spec) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerow([c.header for c in template_columns(spec)])
    return buffer.getvalue().encode("utf-8")
