"""What each record type's file holds: its columns, read off the registry (app.services.registry)
and the schemas' own labels (app.db.labels), so a form, a list, an export and an import name a
field alike. The only labels written here are those of the columns that exist only in a file
(a record's id, another system's key, a unit's or a work's code) and the headers of older
templates that people still fill."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from sqlmodel import SQLModel

from app.db import labels
from app.enums import ENUMS
from app.services import models, registry
from app.services.actor import Actor
from app.services.errors import Invalid
from app.services.records import Records
from app.vn import match_key

# Columns of a file that are no field of the schema.
FILE_LABELS = {
    "id": "Số hiệu bản ghi (id)", "external_id": "Mã tham chiếu",
    "unit_code": "Mã đơn vị", "work_code": "Mã công trình liên quan",
}
# Headers of the templates before the labels moved onto the schemas: files made from them
# are still filled and sent.
FORMER_HEADERS = {
    "Số hiệu đơn vị (id)": "unit_id", "Số hiệu công trình (id)": "work_id",
    "Số mô hình (cột #)": "model_id", "Nhân rộng từ mô hình số (cột #)": "replicated_from_id",
    "Lĩnh vực đơn": "domain", "Ngày bắt đầu": "start_date", "Tên": "name",
}
# How a schema's kind (app.db.labels.kind) is read from a cell.
KINDS = {"unit": "unit_id", "ref:works": "work_id", "ref:models": "id_ref",
         "quantity": "decimal", "textarea": "text", "datetime": "text"}
# What a reference's name column is headed, by the table it names (an export shows the name
# beside the code or id; the import reads past it).
NAMED = {"unit_id": "Tên đơn vị", "work_id": "Tên công trình, phần việc",
         "model_id": "Tên mô hình, điển hình"}
TIME_ZONE_NOTE = " (UTC)"  # a time column's measure: the zone its times are written in
MEASURE = "measure"  # the field that says what a quantity counts (km, m, lamps)


@dataclass(frozen=True)
class Column:
    name: str  # in files and the API: "amount_vnd", "unit_code"
    header: str  # the template's Vietnamese header
    # text, integer, money, decimal, date, bool, enum, unit_code, unit_id, work_code, work_id,
    # id_ref, id, external_id; code, codes, ids: a unit file's references (a code, several
    # codes, several ids)
    kind: str
    target: str  # the schema field it fills ("unit_id" for unit_code)
    required: bool = False
    enum: type[Enum] | None = None
    hint: str = ""
    # A column that also sets another field: a quantity in one measure's column
    # ("Khối lượng (km)") sets the measure.
    fixed: tuple[str, Any] | None = None


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
    # Headers an export writes that the import reads past (times, version, names).
    read_only: frozenset[str] = frozenset()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def id_header(schema: type, name: str) -> str:
    """A reference's id column: 'Cho công trình (số hiệu)'."""
    return f"{labels.label(schema, name)} (số hiệu)"


def code_header(schema: type, name: str) -> str:
    """A unit's or a work's code column: 'Mã đơn vị'; 'Đơn vị cấp trên (mã)'."""
    own = {"unit_id": "unit_code", "work_id": "work_code"}.get(name)
    return FILE_LABELS[own] if own else f"{labels.label(schema, name)} (mã)"


def name_header(schema: type, name: str) -> str:
    """A reference's name column: 'Tên đơn vị'; 'Nhân rộng từ mô hình (tên)'."""
    return NAMED.get(name) or f"{labels.label(schema, name)} (tên)"


def measure_header(schema: type, name: str, measure: Any) -> str:
    """A quantity's column for one measure: 'Khối lượng (km)'."""
    return f"{labels.label(schema, name)} ({measure.vi})"


def measures(schema: type) -> Any:
    """The code list of the schema's measure field."""
    return ENUMS[labels.kind(schema, MEASURE).split(":", 1)[1]]


def _per_measure(schema: type[SQLModel], name: str) -> list[Column]:
    """A quantity in one column per measure, as an export for people writes it: one measure
    per column, so a column of km is never summed with one of m."""
    return [Column(f"{name}:{m.value}", measure_header(schema, name, m), "decimal", name,
                   fixed=(MEASURE, m)) for m in measures(schema)]


def _column(schema: type[SQLModel], name: str) -> list[Column]:
    shown = labels.kind(schema, name)
    kind = "enum" if shown.startswith("enum:") else KINDS.get(shown, shown)
    # The code list by its name: a field may hold its codes as text (a recognition's title).
    enum = ENUMS[shown.split(":", 1)[1]] if kind == "enum" else None
    required = schema.model_fields[name].is_required()
    if kind == "unit_id":
        return [Column("unit_code", FILE_LABELS["unit_code"], "unit_code", name, True),
                Column(name, id_header(schema, name), kind, name)]
    if kind == "work_id":
        return [Column("work_code", FILE_LABELS["work_code"], "work_code", name),
                Column(name, id_header(schema, name), kind, name)]
    header = id_header(schema, name) if kind == "id_ref" else labels.label(schema, name)
    column = Column(name, header, kind, name, required, enum)
    return [column, *_per_measure(schema, name)] if shown == "quantity" else [column]


def columns(create: type[SQLModel]) -> tuple[Column, ...]:
    cols = [Column("id", FILE_LABELS["id"], "id", "id",
                   hint="để trống khi thêm mới; có số thì sửa đúng bản ghi đó (tệp xuất ra)"),
            Column("external_id", FILE_LABELS["external_id"], "external_id", "external_id",
                   hint="không bắt buộc; nhập lại dòng cùng mã thì sửa bản ghi đã nhập, không "
                        "thêm mới")]
    for name in create.model_fields:
        cols += _column(create, name)
    return tuple(cols)


# A unit's references are named by code (read at the row's dates: services/imports/units.py)
# or by id; its successors by several codes, the default first.
UNIT_REFERENCES = {"parent_id": "parent_code", "merged_into_id": "merged_into_code",
                   "successor_ids": "successor_codes"}


def unit_columns(create: type[SQLModel]) -> tuple[Column, ...]:
    """A units file: the official code (the key, with the validity), the fields, and the
    references by code ('Đơn vị cấp trên (mã)') or id. Only the code is required: a file of
    codes and one column changes that column alone (a province's remote communes)."""
    cols = [Column("id", FILE_LABELS["id"], "id", "id",
                   hint="để trống; có số thì sửa đúng đơn vị đó (tệp xuất ra)")]
    for name in create.model_fields:
        code = UNIT_REFERENCES.get(name)
        if code is None:
            cols += [replace(c, required=name == "code") for c in _column(create, name)]
            continue
        several = name == "successor_ids"
        cols.append(Column(code, code_header(create, name), "codes" if several else "code", code,
                           hint="mã của đơn vị kế thừa mặc định ghi trước"
                           if several else ""))
        # The ids too, as an export of the units list writes them (its successors: one cell).
        cols.append(Column(name, labels.label(create, name), "ids", name) if several
                    else Column(name, id_header(create, name), "unit_id", name))
    return tuple(cols)


def read_only(resource: registry.Resource) -> frozenset[str]:
    """The headers of an export's columns that are no column of the import, as match keys."""
    read, create = resource.read, resource.create
    found = set()
    for name in read.model_fields:
        if name in create.model_fields and labels.kind(read, name) in ("unit", "ref:works", "ref:models"):
            found.add(name_header(read, name))
        elif name not in create.model_fields and name not in ("id", "external_id"):
            found |= {name, labels.label(read, name), labels.label(read, name) + TIME_ZONE_NOTE}
    return frozenset(match_key(h) for h in found)


def _spec(resource: registry.Resource, **kw: Any) -> Spec:
    made = unit_columns if resource.name == "units" else columns
    return Spec(resource.name, resource.title, resource.records, resource.create,
                resource.update, resource.updater, made(resource.create),
                hidden=resource.confidential, read_only=read_only(resource), **kw)


# A rule a create must pass beyond the records' own, by resource.
BEFORE_CREATE: dict[str, Callable[[Actor, dict[str, Any]], None]] = {
    "models": lambda actor, values: models._decides(actor, values, None),
}
SPECS: dict[str, Spec] = {
    r.name: _spec(r, before_create=BEFORE_CREATE.get(r.name))
    for r in registry.RESOURCES if r.importable
}


def spec_for(resource: str) -> Spec:
    spec = SPECS.get(resource)
    if spec is None:
        raise Invalid(f"Không nhập được loại dữ liệu '{resource}'; chọn một trong: "
                      + ", ".join(SPECS) + ".")
    return spec
