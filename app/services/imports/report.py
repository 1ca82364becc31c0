"""What an import tells: every bad row, column and reason in Vietnamese, the counts, and one
sentence for the page, the CLI and the API's detail."""

from dataclasses import dataclass, field
from typing import Any

from app.db.units import Unit
from app.services.errors import DomainError
from app.services.in_force import validity
from app.services.imports.workbook import FileProblem
from app.vn import print_number

MAX_ROWS = 200_000  # larger files are split: one import holds the write lock while it runs
MAX_ERRORS = 1_000  # listed one by one; beyond this only counted
MAX_UNITS = 2_000  # units named by code, listed in the report; beyond this only counted
SHARED_SHOWN = 5  # codes carried by several units, told in the summary sentence


@dataclass
class NamedUnit:
    """A unit a code in the file was read as (on the rows' dates), and on how many rows."""

    code: str  # as the file writes it
    unit_id: int
    name: str
    validity: str  # 'từ 01/07/2025', ...
    shared: bool  # the code was carried by another unit in another time
    rows: int = 0
    first_row: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "unit_id": self.unit_id, "name": self.name,
                "validity": self.validity, "shared": self.shared, "rows": self.rows,
                "first_row": self.first_row}


@dataclass
class RowError:
    row: int | None
    column: str | None  # the header as written in the file
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class Report:
    resource: str
    dry_run: bool
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False
    forbidden_count: int = 0  # errors the importer's rights caused (a unit outside the subtree)
    # Rows of stored denunciations whose denouncer cells were not read (below a manager).
    kept_secret: int = 0
    # Which unit each code was read as, by (code without case, unit id): a dry run shows it
    # before anything is stored (a 2025 commune mostly carries its predecessor's code).
    units: dict[tuple[str, int], NamedUnit] = field(default_factory=dict)

    @property
    def only_forbidden(self) -> bool:
        """Every bad row lies outside the importer's subtree, or writes what the importer may
        not (a denouncer's identity): a 403, like any such write."""
        return 0 < self.error_count == self.forbidden_count

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, row: int | None, column: str | None, value: Any, message: str,
              forbidden: bool = False) -> None:
        self.error_count += 1
        self.forbidden_count += forbidden
        if len(self.errors) < MAX_ERRORS:
            shown = None if value is None else str(value)[:200]
            self.errors.append(RowError(row, column, shown, message))

    def named(self, row: int, code: str, unit: Unit, shared: bool) -> None:
        """Row `row` names `unit` by `code` (read at the row's date)."""
        key = (code.lower(), unit.id)  # type: ignore[arg-type]
        found = self.units.get(key)
        if found is None:
            if len(self.units) >= MAX_UNITS:
                return
            found = self.units[key] = NamedUnit(code, unit.id, unit.name, validity(unit),  # type: ignore[arg-type]
                                                shared, first_row=row)
        found.rows += 1

    def shared_codes(self) -> str:
        """A sentence on the codes that name a different unit by date: which unit each was
        read as, on how many rows ('' when no code of the file is carried by several)."""
        told: dict[str, list[NamedUnit]] = {}
        for u in self.units.values():
            if u.shared:
                told.setdefault(u.code.lower(), []).append(u)
        if not told:
            return ""
        parts = []
        for units in list(told.values())[:SHARED_SHOWN]:
            each = ", ".join(f"{print_number(u.rows)} dòng là '{u.name}' (số {u.unit_id}"
                             + (f", hiệu lực {u.validity})" if u.validity else ")")
                             for u in sorted(units, key=lambda u: u.first_row))
            parts.append(f"mã {units[0].code}: {each}")
        more = f"; và {print_number(len(told) - SHARED_SHOWN)} mã khác" if len(told) > SHARED_SHOWN else ""
        return (" Mã đơn vị được đọc theo ngày của từng dòng (mã dùng chung cho đơn vị cũ và "
                f"mới): {'; '.join(parts)}{more}.")

    def in_order(self, headers: dict[int, str]) -> None:
        """The errors by row, then by column as the file has them (a file-wide one first).
        They are found pass by pass (a row's cells, then its chunk's references and rules,
        then merged cells), each pass in row order, so they come out of order otherwise."""
        where = {h: i for i, h in sorted(headers.items(), reverse=True)}
        self.errors.sort(key=lambda e: (e.row or 0, where.get(e.column or "", len(where))))

    def summary(self) -> str:
        """One sentence for the page, the CLI and the API's detail."""
        n = print_number
        if not self.ok:
            return (f"Không nhập: {n(self.error_count)} lỗi trong {n(self.rows)} dòng; chưa lưu "
                    "dòng nào. Sửa các lỗi dưới đây rồi nhập lại cả tệp.")
        verb = "Sẽ" if self.dry_run else "Đã"
        done = (f"{verb} thêm {n(self.created)}, sửa {n(self.updated)}, giữ nguyên "
                f"{n(self.unchanged)} (đã có, không đổi) trong {n(self.rows)} dòng")
        secret = (f" Ở {n(self.kept_secret)} dòng của đơn tố cáo đã lưu, cột người gửi đơn không "
                  "được đọc: chỉ lãnh đạo được sửa, giữ như đã lưu." if self.kept_secret else "")
        return (done + (" (nhập thử: chưa lưu gì)." if self.dry_run else ".") + secret
                + self.shared_codes())

    def as_dict(self) -> dict[str, Any]:
        return {"resource": self.resource, "dry_run": self.dry_run, "source": self.source,
                "applied": self.applied, "ok": self.ok, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "error_count": self.error_count, "errors": [e.as_dict() for e in self.errors],
                "ignored_columns": self.ignored_columns, "kept_secret": self.kept_secret,
                "units": [u.as_dict() for u in self.units.values()], "summary": self.summary()}


def settle(report: Report, savepoint: Any, dry_run: bool) -> Report:
    """All or nothing: a clean real run keeps what it wrote; a dry run or a run with any
    error takes it all back."""
    if report.ok and not dry_run:
        savepoint.commit()
        report.applied = True
    else:
        savepoint.rollback()
    return report


class ImportRefused(DomainError):
    """The file as a whole was refused (its type, encoding, headers, size)."""

    status = 422
    title = "Không nhập được tệp"


def too_long(size: int | None) -> str:
    counted = f" (khoảng {print_number(size)} dòng)" if size else ""
    return (f"Tệp{counted} có hơn {print_number(MAX_ROWS)} dòng dữ liệu: một lần nhập tối đa "
            f"{print_number(MAX_ROWS)} dòng. Hãy chia thành nhiều tệp nhỏ hơn (ví dụ theo năm hoặc "
            "theo đơn vị) rồi nhập lần lượt.")


def refused(problem: FileProblem) -> ImportRefused:
    refusal = ImportRefused(problem.message)
    refusal.status = problem.status  # 415 for a file that is no spreadsheet
    return refusal
