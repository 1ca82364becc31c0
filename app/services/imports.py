"""Import of records from a clerk's .xlsx or .csv file, or a provincial system's: the page, the
API (`POST /api/v1/imports/{resource}`) and `dvk import` all run `run`.

What it promises:
- **All or nothing.** Every row is checked by the same rules as a form or an API call (the
  resource's schema and `Records` rules); one bad row and nothing is saved, and the report
  names every bad row, column and reason in Vietnamese. A dry run does everything and then
  takes it all back, so it reports exactly what the real run would do.
- **Upsert.** A row is matched to a stored record by its `id` (an exported file read back), or
  by `external_id` within the import's source (another system's key): a match is updated, or
  left alone when nothing differs; no match is created. The same file imported twice creates
  nothing new.
- **References by code or id.** Units by their official code (`unit_code`) or id, works by
  their code (`work_code`) or id.
- **Vietnamese input.** Headers in Vietnamese (the template's) or the API's field names;
  numbers as 1.500.000 or 2,5; dates as 05/02/2021 (or Excel dates); enumerations by code
  or by their Vietnamese label.
- **Fast, flat memory.** Rows are read as a stream and handled in chunks: units, approvals
  and referenced works are looked up once per import or chunk, new records are inserted with
  one statement per chunk, their audit entries (chained by `audit.chain`) likewise, and their
  pre-aggregated sums are added up in memory and written once per key at the end.
Updates, which are rare in an import, go one by one through the resource's own update.
"""

import gc
import hashlib
import operator
import re
import unicodedata
from types import SimpleNamespace
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from types import NoneType, UnionType
from typing import IO, Any, Union, get_args, get_origin

from pydantic import ValidationError
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from app.db.audit import AuditEntry
from app.db.base import utcnow
from app.db.commendations import CommendationCreate, CommendationUpdate
from app.db.contributions import ContributionCreate, ContributionUpdate
from app.db.land_donations import LandDonationCreate, LandDonationUpdate
from app.db.models import ModelCreate, ModelUpdate
from app.db.petitions import CONFIDENTIAL, PetitionCreate, PetitionUpdate
from app.db.recognitions import RecognitionCreate, RecognitionUpdate
from app.db.targets import TargetCreate, TargetUpdate
from app.db.units import Unit
from app.db.works import Work, WorkCreate, WorkUpdate
from app.enums import Role
from app.services import (approvals, audit, commendations, contributions, land_donations,
                          models, recognitions, rollups, scope, targets, works)
from app.services.petitions import records as petitions
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden, Invalid
from app.services.records import Lookup, Records
from app.services.sheets import FileProblem, Formula, column_letter, legacy_encoding, open_file
from app.services.validation import vi_message
from app.vn import (fold, match_key, print_number, printable, read_bool, read_choice, read_date,
                    read_decimal, read_int, read_money, read_plain_number, read_text)

MAX_ROWS = 200_000  # larger files are split: one import holds the write lock while it runs
CHUNK = 2_000
MAX_ERRORS = 1_000  # listed one by one; beyond this only counted
HEADER_SCAN = 15  # a title or blank rows may come before the header row
LEGACY_SCAN = 500  # rows checked for text typed in a legacy Vietnamese encoding
DEFAULT_SOURCE = "excel"


# -- what each record type's file holds -----------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str  # in files and the API: "amount_vnd", "unit_code"
    header: str  # the template's Vietnamese header
    kind: str  # text, integer, money, decimal, date, bool, enum, unit_code, unit_id, work_code, work_id, id, external_id
    target: str  # the schema field it fills ("unit_id" for unit_code)
    required: bool = False
    enum: type[Enum] | None = None
    hint: str = ""


@dataclass(frozen=True)
class Spec:
    resource: str
    title: str  # "Đóng góp"
    records: Records[Any]
    create: type[SQLModel]
    update_schema: type[SQLModel]
    update: Callable[..., Any]
    columns: tuple[Column, ...]
    # A rule a create must pass beyond the records' own (models: decisions are managers').
    before_create: Callable[[Actor, dict[str, Any]], None] | None = None
    # Fields a reader below manager gets empty in an export (a denouncer's identity): an
    # empty cell there leaves the stored value alone.
    hidden: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


LABELS = {
    "name": "Tên", "unit_id": "Số hiệu đơn vị (id)", "work_id": "Số hiệu công trình (id)",
    "model_id": "Số mô hình (cột #)", "field": "Lĩnh vực", "kind": "Loại",
    "org_type": "Tổ chức chủ trì", "org_name": "Tên tổ chức, cá nhân",
    "start_date": "Ngày bắt đầu", "end_date": "Ngày kết thúc", "members": "Số thành viên",
    "description": "Mô tả", "results": "Kết quả", "status": "Trạng thái",
    "recognition_level": "Cấp công nhận", "score": "Điểm đánh giá",
    "recognition_decision_no": "Số quyết định công nhận", "recognition_date": "Ngày công nhận",
    "replicated_from_id": "Nhân rộng từ mô hình số (cột #)", "code": "Mã công trình",
    "category": "Loại công trình", "quantity": "Khối lượng", "measure": "Đơn vị tính",
    "total_cost_vnd": "Tổng kinh phí (đồng)", "completed_date": "Ngày hoàn thành",
    "source": "Nguồn", "amount_vnd": "Số tiền (đồng)", "labor_days": "Ngày công",
    "contributor_name": "Người, đơn vị đóng góp", "date": "Ngày", "note": "Ghi chú",
    "donor_name": "Hộ hiến đất", "households": "Số hộ", "area_m2": "Diện tích (m2)",
    "value_vnd": "Trị giá (đồng)", "received_date": "Ngày nhận đơn", "type": "Loại đơn",
    "channel": "Kênh tiếp nhận", "subject": "Nội dung", "domain": "Lĩnh vực đơn",
    **CONFIDENTIAL,
    "signers": "Số người ký", "handler": "Người xử lý", "complex": "Vụ việc phức tạp",
    "accepted_date": "Ngày thụ lý", "closed_date": "Ngày kết thúc hồ sơ",
    "resolution_method": "Hình thức giải quyết", "outcome": "Kết quả giải quyết",
    "recipient_type": "Đối tượng", "recipient_name": "Tập thể, cá nhân", "level": "Cấp khen",
    "decision_no": "Số quyết định", "decision_date": "Ngày quyết định",
    "period_start": "Từ ngày", "period_end": "Đến ngày", "target_value": "Giá trị chỉ tiêu",
    "actual_value": "Đạt được", "achieved": "Đã đạt", "title": "Danh hiệu",
    # columns of the file itself
    "id": "Số hiệu bản ghi (id)", "external_id": "Mã tham chiếu",
    "unit_code": "Mã đơn vị", "work_code": "Mã công trình liên quan",
}
# Per resource, where one label would mislead.
LABEL_OVERRIDES = {
    ("models", "name"): "Tên mô hình, điển hình", ("works", "name"): "Tên công trình, phần việc",
    ("works", "org_type"): "Đơn vị thực hiện", ("targets", "name"): "Chỉ tiêu",
    ("contributions", "kind"): "Hình thức", ("land-donations", "status"): "Tình trạng hồ sơ",
    ("works", "status"): "Tình trạng",
}
# Columns an export has that the importer sets itself: read past, silently.
READ_ONLY = frozenset({"created_at", "updated_at", "version", "due_date", "external_source",
                       "search_text", "stt", "tt", "so tt", "so thu tu"})


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not NoneType]
        return _unwrap(args[0])[0], True
    if hasattr(annotation, "__metadata__"):  # Annotated[date, ...]
        return _unwrap(get_args(annotation)[0])
    return annotation, False


def _columns(resource: str, create: type[SQLModel]) -> tuple[Column, ...]:
    cols = [Column("id", LABELS["id"], "id", "id",
                   hint="để trống khi thêm mới; có số thì sửa đúng bản ghi đó (tệp xuất ra)"),
            Column("external_id", LABELS["external_id"], "external_id", "external_id",
                   hint="không bắt buộc; nhập lại dòng cùng mã thì sửa bản ghi đã nhập, không "
                        "thêm mới")]
    for name, info in create.model_fields.items():
        base, _ = _unwrap(info.annotation)
        label = LABEL_OVERRIDES.get((resource, name), LABELS.get(name, name))
        required = info.is_required()
        if name == "unit_id":
            cols.append(Column("unit_code", LABELS["unit_code"], "unit_code", "unit_id", True))
            cols.append(Column("unit_id", label, "unit_id", "unit_id"))
            continue
        if name == "work_id":
            cols.append(Column("work_code", LABELS["work_code"], "work_code", "work_id"))
            cols.append(Column("work_id", label, "work_id", "work_id"))
            continue
        if isinstance(base, type) and issubclass(base, Enum):
            kind, enum = "enum", base
        elif base is bool:
            kind, enum = "bool", None
        elif base is date:
            kind, enum = "date", None
        elif base is int:
            kind, enum = ("money" if name.endswith("_vnd") else
                          "id_ref" if name.endswith("_id") else "integer"), None
        elif base is float:
            kind, enum = "decimal", None
        else:
            kind, enum = "text", None
        cols.append(Column(name, label, kind, name, required, enum))
    return tuple(cols)


def _spec(resource: str, title: str, module: Any, create: type[SQLModel],
          update: type[SQLModel], **kw: Any) -> Spec:
    return Spec(resource, title, module.records, create, update,
                getattr(module, "update", module.records.update), _columns(resource, create), **kw)


SPECS: dict[str, Spec] = {s.resource: s for s in (
    _spec("models", "Mô hình, điển hình", models, ModelCreate, ModelUpdate,
          before_create=lambda actor, values: models._decides(actor, values, None)),
    _spec("works", "Công trình, phần việc", works, WorkCreate, WorkUpdate),
    _spec("contributions", "Đóng góp", contributions, ContributionCreate, ContributionUpdate),
    _spec("land-donations", "Hiến đất", land_donations, LandDonationCreate, LandDonationUpdate),
    _spec("petitions", "Đơn thư", petitions, PetitionCreate, PetitionUpdate,
          hidden=tuple(CONFIDENTIAL)),
    _spec("commendations", "Khen thưởng", commendations, CommendationCreate, CommendationUpdate),
    _spec("targets", "Chỉ tiêu", targets, TargetCreate, TargetUpdate),
    _spec("recognitions", "Công nhận danh hiệu", recognitions, RecognitionCreate, RecognitionUpdate),
)}


def spec_for(resource: str) -> Spec:
    spec = SPECS.get(resource)
    if spec is None:
        raise Invalid(f"Không nhập được loại dữ liệu '{resource}'; chọn một trong: "
                      + ", ".join(SPECS) + ".")
    return spec


# -- the report -----------------------------------------------------------------------------
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

    def summary(self) -> str:
        """One sentence for the page, the CLI and the API's detail."""
        n = print_number
        if not self.ok:
            return (f"Không nhập: {n(self.error_count)} lỗi trong {n(self.rows)} dòng; chưa lưu "
                    "dòng nào. Sửa các lỗi dưới đây rồi nhập lại cả tệp.")
        verb = "Sẽ" if self.dry_run else "Đã"
        done = (f"{verb} thêm {n(self.created)}, sửa {n(self.updated)}, giữ nguyên "
                f"{n(self.unchanged)} (đã có, không đổi) trong {n(self.rows)} dòng")
        return done + (" (nhập thử: chưa lưu gì)." if self.dry_run else ".")

    def as_dict(self) -> dict[str, Any]:
        return {"resource": self.resource, "dry_run": self.dry_run, "source": self.source,
                "applied": self.applied, "ok": self.ok, "rows": self.rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "error_count": self.error_count, "errors": [e.as_dict() for e in self.errors],
                "ignored_columns": self.ignored_columns, "summary": self.summary()}


class ImportRefused(DomainError):
    """The file as a whole was refused (its type, encoding, headers, size)."""

    status = 422
    title = "Không nhập được tệp"


def _too_long(size: int | None) -> str:
    counted = f" (khoảng {print_number(size)} dòng)" if size else ""
    return (f"Tệp{counted} có hơn {print_number(MAX_ROWS)} dòng dữ liệu: một lần nhập tối đa "
            f"{print_number(MAX_ROWS)} dòng. Hãy chia thành nhiều tệp nhỏ hơn (ví dụ theo năm hoặc "
            "theo đơn vị) rồi nhập lần lượt.")


def _refused(problem: FileProblem) -> ImportRefused:
    refused = ImportRefused(problem.message)
    refused.status = problem.status  # 415 for a file that is no spreadsheet
    return refused


# -- reading values the Vietnamese way (app.vn: the forms read the same way) ------------------
READERS: dict[str, Callable[[Any], Any]] = {
    "integer": read_int, "money": read_money, "id": read_int, "id_ref": read_int,
    "unit_id": read_int, "work_id": read_int, "decimal": read_decimal,
    "date": read_date, "bool": read_bool, "text": read_text, "unit_code": read_text,
    "work_code": read_text, "external_id": read_text,
}


# A sheet repeats its values (the same source, unit, date, amount on many rows): what was read
# once per column is remembered, up to a bound.
MEMO_KINDS = frozenset({"enum", "bool", "date", "money", "integer", "decimal", "unit_code"})
MEMO_SIZE = 20_000
_UNREAD = object()


# -- headers --------------------------------------------------------------------------------
def header_keys(spec: Spec) -> dict[str, Column]:
    keys: dict[str, Column] = {}
    for c in spec.columns:
        for text in (c.header, c.name, c.name.replace("_", " "), LABELS.get(c.name, "")):
            if text:
                keys.setdefault(match_key(text), c)
    return keys


READ_ONLY_KEYS = frozenset(match_key(name) for name in READ_ONLY)


@dataclass
class Layout:
    header_row: int
    by_index: dict[int, Column]
    headers: dict[int, str]  # as written
    # Headers are the API's field names (an exported file, another system's): its numbers
    # are written the international way (2.5), not the Vietnamese one (2,5; 1.200 = 1200).
    international: bool = False
    # An export's created_at column: a row matched by id must be that very record (SQLite
    # may give a deleted record's id to a newer one).
    created_index: int | None = None


def _layout(spec: Spec, rows: Iterator[tuple[int, list[Any]]], report: Report) -> Layout:
    keys = header_keys(spec)
    seen: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        seen.append((number, cells))
        texts = [c for c in cells if c not in (None, "")]
        if not texts:
            if len(seen) >= HEADER_SCAN:
                break
            continue
        known = sum(1 for c in texts if match_key(c) in keys or match_key(c) in READ_ONLY_KEYS)
        if known >= max(1, (len(texts) + 1) // 2):
            return _header(spec, keys, number, cells, report)
        if len(seen) >= HEADER_SCAN:
            break
    if not seen:
        raise ImportRefused("Tệp trống: không có dòng nào để nhập.")
    expected = ", ".join(c.header for c in spec.columns if c.required)
    raise ImportRefused(
        f"Không tìm thấy dòng tiêu đề cột trong {HEADER_SCAN} dòng đầu. Dòng tiêu đề phải có "
        f"các cột của mẫu nhập {spec.title.lower()}, ít nhất: {expected}. Hãy tải mẫu nhập trên "
        "trang này và dán dữ liệu vào đó.")


def _header(spec: Spec, keys: dict[str, Column], number: int, cells: list[Any],
            report: Report) -> Layout:
    import difflib

    by_index: dict[int, Column] = {}
    headers: dict[int, str] = {}
    problems: list[str] = []
    created_index: int | None = None
    for index, cell in enumerate(cells):
        if cell in (None, ""):
            continue
        text = unicodedata.normalize("NFC", str(cell)).strip()
        if isinstance(cell, Formula) or legacy_encoding(text):
            problems.append(f"Tiêu đề cột {column_letter(index)} ('{text}') "
                            + ("là công thức." if isinstance(cell, Formula) else
                               f"đang ở bảng mã cũ {legacy_encoding(text)}."))
            continue
        key = match_key(text)
        if key == "created at":
            created_index = index
        if key in READ_ONLY_KEYS:
            report.ignored_columns.append(text)
            continue
        column = keys.get(key)
        if column is None:
            guess = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
            hint = f" Có phải là '{keys[guess[0]].header}'?" if guess else ""
            problems.append(f"Cột {column_letter(index)} có tiêu đề '{text}' không có trong mẫu "
                            f"nhập.{hint}")
            continue
        if column in by_index.values():
            problems.append(f"Cột '{column.header}' xuất hiện hai lần (cột {column_letter(index)}).")
            continue
        by_index[index] = column
        headers[index] = text
    present = {c.name for c in by_index.values()}
    for c in spec.columns:
        if not c.required or c.name in present:
            continue
        if c.kind == "unit_code" and "unit_id" in present:
            continue
        problems.append(f"Thiếu cột bắt buộc '{c.header}'.")
    if problems:
        raise ImportRefused(f"Dòng tiêu đề (dòng {number}) chưa đúng mẫu: " + " ".join(problems)
                            + " Hãy sửa tiêu đề cho đúng mẫu nhập rồi nhập lại.")
    named = sum(1 for i, c in by_index.items() if headers[i] == c.name)
    return Layout(number, by_index, headers, international=named * 2 > len(by_index),
                  created_index=created_index)


# -- the tree, approvals and references, loaded once -----------------------------------------
class OutsideSubtree(Forbidden):
    """A row's unit lies outside the importer's subtree."""


class Loaded(Lookup):
    """The answers `Records` needs, from what the import loaded once: every unit (a province
    has some thousands), the actor's subtree, the standing approvals; works and models a
    chunk refers to are loaded per chunk."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.units = {u.id: u for u in session.exec(select(Unit)).scalars()}
        self.by_code = {u.code: u.id for u in self.units.values()}
        self.by_code_folded = {u.code.upper(): u.id for u in self.units.values()}
        visible = scope.visible_unit_ids(actor)
        self.visible: set[int] | None = None if visible is None else \
            set(scope.subtree_id_list(session, actor.unit_id).ids)  # type: ignore[arg-type]
        self.above: dict[int, set[int]] = {}
        self.approvals = approvals.standing(session)

    def ancestors(self, session: Session, unit_id: int) -> set[int]:
        found = self.above.get(unit_id)
        if found is None:
            found = self.above[unit_id] = set(scope.ancestor_ids(session, unit_id))
        return found

    def check_unit(self, session: Session, actor: Actor, column: str, unit_id: int,
                   role: Role) -> None:
        if unit_id not in self.units:
            raise Invalid.field(column, f"Đơn vị số {unit_id} không tồn tại.")
        if not self.can_see(session, actor, unit_id):
            raise OutsideSubtree("Đơn vị này nằm ngoài phạm vi đơn vị bạn phụ trách.")

    def can_see(self, session: Session, actor: Actor, unit_id: int) -> bool:
        return unit_id in self.units and (self.visible is None or unit_id in self.visible)

    def unit(self, session: Session, unit_id: int) -> Unit | None:
        return self.units.get(unit_id)

    def merged_into(self, session: Session, unit_id: int) -> list[Unit]:
        return [u for u in self.units.values() if u.merged_into_id == unit_id]

    def on_line(self, session: Session, a: int, b: int) -> bool:
        return a == b or b in self.ancestors(session, a) or a in self.ancestors(session, b)

    def ensure_open(self, session: Session, unit_id: int | None, day: Any) -> None:
        if unit_id is None or day is None or not self.approvals:
            return
        covering = self.ancestors(session, unit_id) | {unit_id}
        for approval, name in self.approvals:
            if approval.unit_id in covering and approval.period_start <= day <= approval.period_end:
                raise approvals.locked(approval, name)


# -- running an import ----------------------------------------------------------------------
@dataclass
class Pending:
    number: int
    values: dict[str, Any]  # schema field → value
    external_id: str | None
    record_id: int | None
    cells: dict[str, Any]  # column name → cell as written (for messages)
    bad: bool = False  # a cell could not be read: only checked for a repeated key
    created: Any = None  # the created_at of an exported row
    auto: bool = False  # external_id is the row's fingerprint, not a key from the file


def run(session: Session, *, actor: Actor, resource: str, stream: IO[bytes], filename: str,
        dry_run: bool = False, source: str | None = None,
        progress: Callable[[int], None] | None = None) -> Report:
    """Import one file inside a savepoint of the caller's transaction: kept when every row is
    good and this is not a dry run, taken back otherwise. File-level problems raise
    ImportRefused before anything is written."""
    spec = spec_for(resource)
    refusal = actor.write_refusal(spec.records.write_role)
    if refusal is not None:
        raise Forbidden(refusal)
    source = (source or DEFAULT_SOURCE).strip()[:40] or DEFAULT_SOURCE
    report = Report(resource=resource, dry_run=dry_run, source=source)
    try:
        sheet = open_file(stream, filename)
        if sheet.size is not None and sheet.size > MAX_ROWS + HEADER_SCAN:
            raise ImportRefused(_too_long(sheet.size))
        rows = iter(sheet.rows)
        layout = _layout(spec, rows, report)
    except FileProblem as exc:
        raise _refused(exc) from None
    if session.get_bind().dialect.name == "sqlite":
        # A bigger page cache for this connection while it imports: the new rows' index pages
        # stay in memory instead of being spilled to the journal and read back (bounded: 64 MB).
        session.execute(text("PRAGMA cache_size = -65536"))
    savepoint = session.begin_nested()
    # What lives already (the app, the loaded tree) is set aside from garbage collection while
    # the rows go through: each collection then looks at the import's own young objects only
    # (a quarter of the time, otherwise). unfreeze() hands them back afterwards.
    gc.freeze()
    rollups.remember(session)  # the tree and the works stay as they are while rows go in
    try:
        job = _Job(session, actor, spec, report, layout, source)
        batch: list[tuple[int, list[Any]]] = []
        for number, cells in rows:
            if not any(c not in (None, "") for c in cells):
                continue  # blank rows between records are no mistake
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise ImportRefused(_too_long(None))
            batch.append((number, cells))
            if len(batch) >= CHUNK:
                job.chunk(batch)
                batch = []
                if progress:
                    progress(report.rows)
        if batch:
            job.chunk(batch)
        for ref in sheet.merged:
            rows_of = [int(n) for n in re.findall(r"\d+", ref)] or [0]
            if max(rows_of) <= layout.header_row:
                continue  # a title merged across the columns, above the header: no data
            report.error(min(rows_of), ref, None, f"Vùng {ref} là ô gộp (Merge): hãy bỏ gộp ô và "
                                                  "ghi đủ giá trị vào từng dòng rồi nhập lại.")
        if report.rows == 0:
            raise ImportRefused("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
        if report.ok:
            job.finish()
        if progress:
            progress(report.rows)
    except FileProblem as exc:
        savepoint.rollback()
        raise _refused(exc) from None
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        rollups.forget(session)
        gc.unfreeze()
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA cache_size = -2000"))  # SQLite's default again
    if report.ok and not dry_run:
        savepoint.commit()
        report.applied = True
    else:
        savepoint.rollback()
    return report


class _Job:
    """One import's state between chunks: the loaded tree, the audit chain's last link, the
    sums to add, and the highest id before it began (a key found above it was created by
    this very file: a duplicate row)."""

    def __init__(self, session: Session, actor: Actor, spec: Spec, report: Report,
                 layout: Layout, source: str) -> None:
        self.session, self.actor, self.spec, self.report = session, actor, spec, report
        self.layout, self.source = layout, source
        self.table = spec.records.table
        self.lookup = Loaded(session, actor)
        self.floor = session.exec(select(func.coalesce(func.max(self.table.id), 0))).scalar_one()
        self.prev_hash: str | None = None
        self.sums: dict[tuple[Any, ...], dict[str, float]] = {}
        self.touched: set[int] = set()  # stored records this file updated or matched
        self.marks: dict[int, tuple[int, datetime]] = {}
        self.writing = True
        self.legacy_checked = 0
        self.memo: dict[int, dict[str, Any]] = {i: {} for i in layout.by_index}
        self.folded: dict[str, str] = {}
        self.validator = spec.create.__pydantic_validator__
        columns = list(spec.records.table.__table__.columns.keys())
        self.insert_columns = [c for c in columns if c != "id"]
        # What the audit log records of a new record (as Records.create does).
        self.audited = sorted(c for c in columns
                              if c not in ("id", "created_at", "updated_at", "version", "search_text"))
        # A new record is a plain namespace of its columns until it is inserted: the rules
        # read and set attributes, and an ORM instance costs ten times more to fill.
        self.blank = dict.fromkeys(columns)

    # -- per chunk --------------------------------------------------------------------------
    def chunk(self, batch: list[tuple[int, list[Any]]]) -> None:
        parsed = [self._parse(number, cells) for number, cells in batch]
        for p in parsed:
            if p.bad and p.external_id and p.record_id is None:
                if p.external_id in self._keys(parsed, p):
                    self._fail(p, "external_id", "Mã tham chiếu trùng với dòng "
                               f"{self._keys(parsed, p)[p.external_id]}.")
        works = self._resolve_works(parsed)
        if works is not None:  # every row's work code is checked, a bad row's too
            parsed = [p for p in parsed if self._apply_work_code(p, works)]
        parsed = [p for p in parsed if not p.bad]
        for p in parsed:
            if p.record_id is None and not p.external_id:
                # No key given: the row's own values are its key, so the same sheet imported
                # again finds its records instead of adding them twice.
                p.external_id, p.auto = _fingerprint(self._key_values(p.values)), True
        existing = self._existing(parsed)
        new: list[tuple[Pending, Any]] = []
        in_chunk: dict[str, int] = {}
        codes: dict[str, int] = {}
        for p in parsed:
            if p.external_id and p.record_id is None:
                if p.external_id in in_chunk:
                    self._fail(p, None if p.auto else "external_id",
                               _repeated(p, f"dòng {in_chunk[p.external_id]}"))
                    continue
                in_chunk[p.external_id] = p.number
            stored = existing.get(("id", p.record_id)) if p.record_id is not None else \
                existing.get(("ext", p.external_id)) if p.external_id else None
            if p.record_id is not None and stored is None:
                self._fail(p, "id", f"Không có {self.spec.records.label} số {p.record_id} "
                                    "(hoặc nằm ngoài phạm vi của bạn).")
                continue
            if stored is not None and p.record_id is not None and not _same_stamp(p.created, stored):
                self._fail(p, "id", f"Số hiệu {p.record_id} nay là một {self.spec.records.label} "
                                    "khác: bản ghi trong tệp đã bị xóa. Để thêm lại, xóa số hiệu "
                                    "(id) ở dòng này.")
                continue
            if stored is not None:
                if stored.id > self.floor:
                    self._fail(p, None if p.auto else "external_id",
                               _repeated(p, "một dòng trước trong tệp"))
                    continue
                if stored.id in self.touched:
                    self._fail(p, "id" if p.record_id else "external_id",
                               f"Dòng này và một dòng trước cùng sửa {self.spec.records.label} số {stored.id}.")
                    continue
                self.touched.add(stored.id)
                self._update(p, stored)
                continue
            code = p.values.get("code") if self.spec.resource == "works" else None
            if code:
                if code in codes:
                    self._fail(p, "code", f"Mã công trình trùng với dòng {codes[code]}.")
                    continue
                codes[code] = p.number
            obj = self._new(p)
            if obj is not None:
                new.append((p, obj))
        if self.spec.resource == "works" and codes:
            taken = set(self.session.exec(select(Work.code).where(Work.code.in_(list(codes)))).scalars())
            kept = []
            for p, obj in new:
                if obj.code in taken:
                    self._fail(p, "code", f"Mã công trình '{obj.code}' đã có.")
                else:
                    kept.append((p, obj))
            new = kept
        if new and self.writing:
            self._insert(new)

    def _key_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values that make a keyless row's key: a denouncer's identity is no part of
        it, or whether the row finds its stored denunciation (unchanged) or not (created)
        would confirm a guessed name."""
        records = self.spec.records
        if records.is_confidential is None or not records.is_confidential(SimpleNamespace(**values)):
            return values
        return {k: v for k, v in values.items() if k not in records.confidential}

    @staticmethod
    def _keys(parsed: list[Pending], before: Pending) -> dict[str, int]:
        """External keys of the rows above `before` in its chunk, with their row numbers."""
        keys: dict[str, int] = {}
        for p in parsed:
            if p is before:
                return keys
            if p.external_id and p.record_id is None:
                keys.setdefault(p.external_id, p.number)
        return keys

    def _fail(self, p: Pending, name: str | None, message: str, forbidden: bool = False) -> None:
        header, value = self._where(name, p)
        self.report.error(p.number, header, value, message, forbidden)

    def _where(self, name: str | None, p: Pending) -> tuple[str | None, Any]:
        """The file's header and cell for a field or column name."""
        if name is None:
            return None, None
        for index, column in self.layout.by_index.items():
            if column.name == name or (column.target == name and column.name in p.cells):
                return self.layout.headers[index], p.cells.get(column.name)
        column = next((c for c in self.spec.columns if c.name == name or c.target == name), None)
        return (column.header if column else name), None

    def _parse(self, number: int, cells: list[Any]) -> Pending | None:
        values: dict[str, Any] = {}
        written: dict[str, Any] = {}
        bad = False
        check_legacy = self.legacy_checked < LEGACY_SCAN
        self.legacy_checked += 1
        for index, column in self.layout.by_index.items():
            raw = cells[index] if index < len(cells) else None
            if isinstance(raw, str) and not raw.strip():
                raw = None
            written[column.name] = raw
            header = self.layout.headers[index]
            if raw is None:
                if column.target not in values:
                    values[column.target] = None
                continue
            if isinstance(raw, Formula):
                self.report.error(number, header, raw.text, "Ô có công thức: hãy sao chép rồi dán "
                                  "giá trị (Paste Values) thay cho công thức, rồi nhập lại.")
                bad = True
                continue
            if check_legacy and isinstance(raw, str) and (enc := legacy_encoding(raw)):
                raise FileProblem(f"Dòng {number}, cột '{header}': chữ '{raw[:40]}' đang ở bảng mã cũ "
                                  f"{enc}, không phải Unicode. " + _convert_hint())
            memo = self.memo[index]
            value = memo.get(raw, _UNREAD) if isinstance(raw, str) else _UNREAD
            if value is _UNREAD:
                try:
                    if column.kind == "enum" and column.enum:
                        value = read_choice(raw, column.enum)
                    elif self.layout.international and isinstance(raw, str) \
                            and column.kind in ("decimal", "integer", "money"):
                        value = read_plain_number(raw, column.kind)
                    else:
                        value = READERS[column.kind](raw)
                except ValueError as exc:
                    self.report.error(number, header, raw, str(exc))
                    bad = True
                    continue
                if isinstance(raw, str) and column.kind in MEMO_KINDS:
                    if len(memo) > MEMO_SIZE:
                        memo.clear()  # bounded: memory stays flat however long the file
                    memo[raw] = value
            if column.kind == "unit_code":
                unit = self.lookup.by_code.get(value) or self.lookup.by_code_folded.get(value.upper())
                if unit is None:
                    self.report.error(number, header, raw, f"Không có đơn vị mã '{value}'.")
                    bad = True
                    continue
                if values.get("unit_id") not in (None, unit):
                    self.report.error(number, header, raw, "Mã đơn vị và số hiệu đơn vị chỉ hai đơn vị khác nhau.")
                    bad = True
                    continue
                value = unit
            elif column.kind == "unit_id" and values.get("unit_id") not in (None, value):
                self.report.error(number, header, raw, "Mã đơn vị và số hiệu đơn vị chỉ hai đơn vị khác nhau.")
                bad = True
                continue
            if column.kind == "work_code":
                values.setdefault("work_id", None)
                values["_work_code"] = value
                continue
            if column.kind == "unit_id" and values.get("unit_id") is not None:
                continue
            values[column.target] = value
        record_id = values.pop("id", None)
        external_id = values.pop("external_id", None)
        created = None
        at = self.layout.created_index
        if at is not None and at < len(cells) and cells[at] not in (None, ""):
            created = cells[at]
        return Pending(number, values, external_id, record_id, written, bad, created)

    def _resolve_works(self, parsed: list[Pending]) -> dict[str, Work] | None:
        codes = {p.values["_work_code"] for p in parsed if p.values.get("_work_code")}
        if not any("_work_code" in p.values for p in parsed):
            return None
        if not codes:
            return {}
        found = self.session.exec(select(Work).where(Work.code.in_(list(codes)))).scalars()
        return {w.code: w for w in found}  # type: ignore[misc]

    def _apply_work_code(self, p: Pending, works: dict[str, Work]) -> bool:
        code = p.values.pop("_work_code", None)
        if code is None:
            return True
        work = works.get(code)
        if work is None or not self.lookup.can_see(self.session, self.actor, work.unit_id):
            self._fail(p, "work_code", f"Không có công trình mã '{code}'.")
            return False
        if p.values.get("work_id") not in (None, work.id):
            self._fail(p, "work_code", "Mã công trình và số hiệu công trình chỉ hai công trình khác nhau.")
            return False
        p.values["work_id"] = work.id
        return True

    def _existing(self, parsed: list[Pending]) -> dict[tuple[str, Any], Any]:
        """The stored records the chunk's rows name, by id and by external key."""
        t = self.table
        out: dict[tuple[str, Any], Any] = {}
        ids = [p.record_id for p in parsed if p.record_id is not None]
        if ids:
            stmt = self.spec.records.base_query(self.actor).where(t.id.in_(ids))
            for obj in self.session.exec(stmt).scalars():
                out[("id", obj.id)] = obj
        keys = [p.external_id for p in parsed if p.external_id and p.record_id is None]
        if keys:
            stmt = select(t).where(t.external_source == self.source, t.external_id.in_(keys))
            for obj in self.session.exec(stmt).scalars():
                out[("ext", obj.external_id)] = obj
        return out

    def _schema_errors(self, p: Pending, exc: ValidationError) -> None:
        for e in exc.errors():
            loc = [x for x in e.get("loc", ()) if isinstance(x, str)]
            self._fail(p, loc[0] if loc else None, vi_message(e))

    def _new(self, p: Pending) -> Any | None:
        values = {k: v for k, v in p.values.items() if v is not None}
        try:
            # The schema's own validator (model_validate's wrapper costs as much again).
            data = self.validator.validate_python(values)
        except ValidationError as exc:
            self._schema_errors(p, exc)
            return None
        try:
            if self.spec.before_create:
                self.spec.before_create(self.actor, data.model_dump(exclude_unset=True))
            obj = SimpleNamespace(**self.blank)
            obj.__dict__.update(data.__dict__)  # the fields' values, as model_dump() gives them
            obj.external_source = self.source if p.external_id else None
            obj.external_id = p.external_id
            with self.session.no_autoflush:
                self.spec.records.validate_new(self.session, self.actor, obj, self.lookup)
        except DomainError as exc:
            self._domain_error(p, exc)
            return None
        return obj

    def _domain_error(self, p: Pending, exc: DomainError) -> None:
        named = [e for e in exc.errors if e.get("loc")]
        if not named:
            outside = isinstance(exc, OutsideSubtree)
            unit = self.spec.records.write_column or self.spec.records.unit_column
            self._fail(p, unit if outside else None, exc.detail, outside)
        for e in named:
            self._fail(p, str(e["loc"][-1]), e["msg"], isinstance(exc, Forbidden))

    def _update(self, p: Pending, stored: Any) -> None:
        values = dict(p.values)
        if not self.actor.at_least(Role.manager):
            for name in self.spec.hidden:  # an export's empty cell, not a wish to erase
                if values.get(name) is None:
                    values.pop(name, None)
        try:  # before anything is compared: a guessed identity is never confirmed
            self.spec.records.refuse_confidential(self.actor, values, stored)
        except Forbidden as exc:
            self._domain_error(p, exc)
            return
        changed = {k: v for k, v in values.items() if getattr(stored, k, None) != v}
        if not changed:
            self.report.unchanged += 1
            return
        try:
            data = self.spec.update_schema.model_validate(changed)
        except ValidationError as exc:
            self._schema_errors(p, exc)
            return
        nested = self.session.begin_nested()
        try:
            _, done = self.spec.update(self.session, actor=self.actor, id=stored.id, data=data)
            nested.commit()
        except DomainError as exc:
            nested.rollback()
            self._domain_error(p, exc)
            return
        if done:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    # -- storing ----------------------------------------------------------------------------
    def _fold(self, text: str) -> str:
        """`fold`, remembered per text (names and notes repeat down a sheet), bounded."""
        found = self.folded.get(text)
        if found is None:
            if len(self.folded) > MEMO_SIZE:
                self.folded.clear()
            found = self.folded[text] = fold(text)
        return found

    def _insert(self, new: list[tuple[Pending, Any]]) -> None:
        t = self.table.__table__
        now = utcnow()
        searched = getattr(self.table, "__search__", ())
        rows = []
        for _, obj in new:
            obj.created_at = obj.updated_at = now
            obj.version = 1
            if searched:  # as Searchable fills it on an ORM insert
                obj.search_text = self._fold(" ".join(str(p) for c in searched
                                                       if (p := getattr(obj, c))))
            rows.append({c: getattr(obj, c) for c in self.insert_columns})
        ids = _reserve_ids(self.session, t, len(rows))
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        nested = self.session.begin_nested()
        try:
            _bulk_insert(self.session, t, rows)
            nested.commit()
        except IntegrityError as exc:
            nested.rollback()
            self.writing = False  # later chunks are still checked, no longer stored
            first, last = new[0][0].number, new[-1][0].number
            self.report.error(first, None, None, f"Các dòng {first}–{last} không lưu được "
                              f"({_integrity(exc)}); có thể một lần nhập khác đang chạy.")
            return
        for (_, obj), new_id in zip(new, ids, strict=True):
            obj.id = new_id
        self.report.created += len(new)
        self._audit(new, now)
        rollup = self.spec.records.rollup
        if rollup is not None:
            with self.session.no_autoflush:
                for _, obj in new:
                    for e in rollup(self.session, obj):
                        # Kept per month: a month's sums make its year's and phase's.
                        month = date(e.day.year, e.day.month, 1)
                        key = (e.stat, e.unit_id, month, tuple(sorted(e.dims.items())))
                        sums = self.sums.setdefault(key, {})
                        for name, v in e.sums.items():
                            sums[name] = sums.get(name, 0) + v

    def _audit(self, new: list[tuple[Pending, Any]], at: datetime) -> None:
        """One audit entry per new record, chained by `audit.chain`, in one statement."""
        if self.prev_hash is None:
            self.prev_hash = audit.last_hash(self.session)  # takes the chain's lock
        confidential = self.spec.records.is_confidential
        unit_column = self.spec.records.unit_column
        entries = audit.chain(
            self.prev_hash, at=at, user_id=self.actor.user_id, username=self.actor.username,
            action="create", resource=self.spec.resource,
            records=((obj.id, getattr(obj, unit_column),
                      {k: [None, v] for k in self.audited if (v := getattr(obj, k)) is not None},
                      bool(confidential and confidential(obj))) for _, obj in new))
        self.prev_hash = entries[-1]["hash"]
        t = AuditEntry.__table__
        ids = _reserve_ids(self.session, t, len(entries))
        for e, entry_id in zip(entries, ids, strict=True):
            e["id"] = entry_id
        _bulk_insert(self.session, t, entries)
        for e, entry_id in zip(entries, ids, strict=True):
            if e["unit_id"] is not None:
                self.marks[e["unit_id"]] = (entry_id, at)

    def finish(self) -> None:
        """The sums, once per key; the dashboards' change marks, once per unit."""
        rollups.apply_summed(self.session, (
            rollups.Effect(stat, unit, month, dict(dims), sums)
            for (stat, unit, month, dims), sums in self.sums.items()))
        for unit_id, (entry_id, at) in self.marks.items():
            audit.mark_change(self.session, unit_id, entry_id, at)




def _bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Rows with their ids given, through the driver's own executemany: no RETURNING and no
    per-row statement compilation, the fastest insert there is. Each value goes through its
    column type's own bind processing, so it is stored exactly as the ORM would store it."""
    conn = session.connection()
    dialect = conn.dialect
    names = list(rows[0])
    columns = [table.c[n] for n in names]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    # A chunk's rows share their timestamps and dates: each distinct value is processed once,
    # and only the columns whose type processes values at all are touched.
    take = operator.itemgetter(*names)
    processed = [(i, proc, {}) for i, proc in enumerate(processors) if proc is not None]
    params = []
    for row in rows:
        values = list(take(row))
        for i, proc, memo in processed:
            value = values[i]
            if value is not None:
                done = memo.get(value, _UNREAD)
                if done is _UNREAD:
                    done = memo[value] = proc(value)
                values[i] = done
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


def _reserve_ids(session: Session, table: Any, n: int) -> list[int]:
    """Ids for `n` new rows, in order. PostgreSQL hands them out of the table's sequence. On
    SQLite the import holds the database's write lock from its first statement to its end, so
    nobody else inserts meanwhile and the next ids are simply those after the largest."""
    if session.get_bind().dialect.name == "postgresql":
        sql = text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                   "FROM generate_series(1, :n)")
        return sorted(session.execute(sql, {"n": n}).scalars())
    top = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + n))


def _fingerprint(values: dict[str, Any]) -> str:
    """A row's key made of its values (in the form they are stored, so "1.500.000" in a CSV
    and 1500000 in a workbook agree)."""
    text = "\x1f".join(f"{k}={'' if v is None else getattr(v, 'value', v)}"
                        for k, v in sorted(values.items()))
    return "auto:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _repeated(p: Pending, where: str) -> str:
    if p.auto:
        return (f"Dòng này giống hệt {where} (mọi ô như nhau). Nếu đúng là hai bản ghi khác nhau, "
                "ghi Mã tham chiếu (hoặc Ghi chú) khác nhau cho mỗi dòng.")
    return f"Mã tham chiếu trùng với {where}."


def _same_stamp(written: Any, stored: Any) -> bool:
    """Whether an exported row's created_at (if it has one) is the stored record's."""
    if written is None:
        return True
    try:
        if isinstance(written, datetime):
            when = written
        else:
            when = datetime.fromisoformat(str(written).strip().replace("Z", "+00:00"))
    except ValueError:
        return True  # not a time: the id alone decides, as without the column
    mine = stored.created_at
    if when.tzinfo is None or mine.tzinfo is None:  # .xlsx holds times without a zone (UTC)
        when, mine = when.replace(tzinfo=None), mine.replace(tzinfo=None)
    return abs((when - mine).total_seconds()) < 0.001  # .xlsx keeps times to about a µs


def _integrity(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "external" in text:
        return "mã tham chiếu đã có"
    if "code" in text:
        return "mã công trình đã có"
    return "vi phạm ràng buộc dữ liệu"


def _convert_hint() -> str:
    from app.services.sheets import CONVERT_HINT

    return CONVERT_HINT


# -- templates ------------------------------------------------------------------------------
KIND_HINTS = {
    "text": "chữ", "integer": "số nguyên, ví dụ 12", "money": "số đồng, ví dụ 1.500.000",
    "decimal": "số, ví dụ 2,5", "date": "ngày/tháng/năm, ví dụ 05/02/2021", "bool": "có / không",
    "enum": "chọn trong danh sách", "unit_code": "mã đơn vị, xem trang 'Danh mục đơn vị'",
    "work_code": "mã công trình (cột Mã công trình của danh sách công trình)",
    "external_id": "mã riêng của dòng trong sổ sách của bạn",
    "id_ref": "số ở cột # của danh sách tương ứng",
}


def template_columns(spec: Spec) -> list[Column]:
    """The template's columns: codes rather than ids, the external key last."""
    cols = [c for c in spec.columns if c.kind not in ("id", "unit_id", "work_id", "external_id")]
    return cols + [spec.column("external_id")]


def template_xlsx(session: Session, actor: Actor, spec: Spec) -> bytes:
    """An empty workbook to fill: the data sheet with its headers and drop-down lists, the
    instructions, and the codes of the units the user may import for."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    cols = template_columns(spec)
    book = Workbook()
    data = book.active
    data.title = "Dữ liệu"
    lists = book.create_sheet("Danh mục")
    guide = book.create_sheet("Hướng dẫn")
    units = book.create_sheet("Danh mục đơn vị")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    data.append([c.header for c in cols])
    for i, c in enumerate(cols):
        cell = data.cell(row=1, column=i + 1)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if c.required:
            cell.fill = fill
        data.column_dimensions[column_letter(i)].width = max(14, min(40, len(c.header) + 4))
        if c.kind == "date":
            for row in data.iter_rows(min_row=2, max_row=2, min_col=i + 1, max_col=i + 1):
                row[0].number_format = "dd/mm/yyyy"
    data.freeze_panes = "A2"
    list_col = 0
    for i, c in enumerate(cols):
        if c.kind not in ("enum", "bool"):
            continue
        labels = [getattr(m, "vi", m.value) for m in c.enum] if c.enum else ["có", "không"]
        letter = column_letter(list_col)
        lists.cell(row=1, column=list_col + 1, value=c.header).font = bold
        for r, label in enumerate(labels, 2):
            lists.cell(row=r, column=list_col + 1, value=label)
        rule = DataValidation(type="list", allow_blank=not c.required, showErrorMessage=True,
                              errorTitle="Giá trị không có trong danh sách",
                              error="Hãy chọn một giá trị trong danh sách.",
                              formula1=f"='Danh mục'!${letter}$2:${letter}${len(labels) + 1}")
        data.add_data_validation(rule)
        rule.add(f"{column_letter(i)}2:{column_letter(i)}{MAX_ROWS}")
        list_col += 1
    guide.append(["Cột", "Bắt buộc", "Cách ghi", "Ghi chú"])
    for c in cols:
        guide.append([c.header, "có" if c.required else "", KIND_HINTS.get(c.kind, ""), c.hint])
    guide.append([])
    guide.append(["Một dòng là một bản ghi. Không gộp ô, không dùng công thức; dòng trống được "
                  "bỏ qua. Có thể dùng tên cột tiếng Anh của API (" + ", ".join(c.name for c in cols[:3])
                  + ", ...)."])
    guide.append(["Nhập thử trước để xem kết quả; khi mọi dòng đúng mới nhập thật. Một dòng sai "
                  "thì không dòng nào được lưu."])
    for row in guide.iter_rows(min_row=1, max_row=1):
        for cell in row:
            cell.font = bold
    for letter, width in zip("ABCD", (30, 10, 40, 60), strict=True):
        guide.column_dimensions[letter].width = width
    units.append(["Mã đơn vị", "Tên đơn vị", "Cấp"])
    stmt = scope.restrict(select(Unit), Unit.id, actor).order_by(Unit.code).limit(20_000)
    for u in session.exec(stmt).scalars():
        units.append([printable(u.code), printable(u.name), u.level])
    units.column_dimensions["A"].width, units.column_dimensions["B"].width = 18, 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(spec: Spec) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerow([c.header for c in template_columns(spec)])
    return buffer.getvalue().encode("utf-8")
