"""A units file read whole before anything is written: each row matched to the stored unit it
names (by id, or by its official code and validity), and its parent and successors, named by
code, resolved at the row's dates among the stored units and the file's own, above or below
it. The writes then go through services/units.py (units.py of this package)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from app.db.units import Unit
from app.services import in_force
from app.services.imports.layout import Layout
from app.services.imports.lookup import Loaded
from app.services.imports.parse import Pending
from app.services.imports.report import Report
from app.services.imports.specs import UNIT_REFERENCES, Spec
from app.vn import print_date, today

CODES = {code: name for name, code in UNIT_REFERENCES.items()}  # "parent_code" → "parent_id"
SEPARATORS = str.maketrans({",": ";"})


@dataclass(eq=False)
class Row:
    p: Pending
    values: dict[str, Any]  # the schema's fields the row gives (empty cells left out)
    codes: dict[str, Any]  # "parent_code": "BT", "successor_codes": ["A", "B"]
    stored: Unit | None = None
    node: Any = None  # the unit as the file leaves it, in the carriers of its code
    links: dict[str, Any] = field(default_factory=dict)  # field → node, or [nodes]
    failed: bool = False

    @property
    def number(self) -> int:
        return self.p.number


class Plan:
    """The file's rows, matched and resolved; errors go to the report, row by row."""

    def __init__(self, lookup: Loaded, report: Report, layout: Layout, spec: Spec) -> None:
        self.lookup, self.report, self.layout, self.spec = lookup, report, layout, spec
        self.rows: list[Row] = []
        self.by_stored: dict[int, Row] = {}
        self.new_by_code: dict[str, list[Row]] = {}
        # Every unit that carries a code once the file is in, without case: the stored ones
        # (as the file changes them) and the file's new ones.
        self.carriers: dict[str, list[Any]] = {k: [*v] for k, v in lookup.by_code.items()}

    # -- matching -------------------------------------------------------------------------
    def add(self, p: Pending) -> None:
        values = {k: v for k, v in p.values.items() if v is not None}
        codes = {name: values.pop(name) for name in CODES if name in values}
        if "successor_codes" in codes:
            codes["successor_codes"] = _several(codes["successor_codes"])
        row = Row(p, values, codes)
        if isinstance(values.get("successor_ids"), str):
            try:
                values["successor_ids"] = [int(i) for i in _several(values["successor_ids"])]
            except ValueError:
                return self.fail(row, "successor_ids", "Ghi số hiệu các đơn vị kế thừa, cách "
                                                       "nhau bằng dấu ; hoặc dấu , (ví dụ 12; 15).")
        if p.record_id is None and not values.get("code"):
            return self.fail(row, "code", "Bắt buộc nhập mã đơn vị.")
        row.stored = self._stored(row)
        if row.failed:
            return None
        if row.stored is not None:
            self._keep_stored(row)
        else:
            self._keep_new(row)
        if not row.failed:
            self.rows.append(row)
        return None

    def _stored(self, row: Row) -> Unit | None:
        """The stored unit the row names: by id, or the one carrying its code whose validity
        overlaps the row's (none: a new unit; several: which one is not said)."""
        p, look = row.p, self.lookup
        if p.record_id is not None:
            unit = look.units.get(p.record_id)
            if unit is None or not look.can_see(None, None, p.record_id):  # type: ignore[arg-type]
                self.fail(row, "id", f"Không có đơn vị số {p.record_id} (hoặc nằm ngoài phạm vi "
                                     "của bạn).")
            return unit
        code, start, end = row.values["code"], row.values.get("active_from"), row.values.get("active_to")
        carriers = look.by_code.get(code.lower(), [])
        if start is None and end is None:
            # No dates: the code as read today (as `?code=` reads it), else its one carrier.
            found = [u for u in carriers if in_force.in_force(u, today())] or carriers
        else:
            found = [u for u in carriers if in_force.overlaps(u, start, end)]
        if len(found) > 1:
            named = "; ".join(f"'{u.name}' (số {u.id}, hiệu lực {in_force.validity(u) or 'không thời hạn'})"
                              for u in found[:5])
            self.fail(row, "code", f"Mã '{code}' là mã của {len(found)} đơn vị trong thời gian của "
                                   f"dòng này: {named}. Hãy ghi Hiệu lực từ / Hết hiệu lực (hoặc "
                                   "số hiệu) để chỉ đúng một đơn vị.")
            return None
        if found and not look.can_see(None, None, found[0].id):  # type: ignore[arg-type]
            self.fail(row, "code", "Đơn vị này nằm ngoài phạm vi đơn vị bạn phụ trách.",
                      forbidden=True)
            return None
        return found[0] if found else None

    def _keep_stored(self, row: Row) -> None:
        stored = row.stored
        assert stored is not None
        earlier = self.by_stored.get(stored.id)  # type: ignore[arg-type]
        if earlier is not None:
            return self.fail(row, "code", f"Dòng này và dòng {earlier.number} cùng sửa đơn vị "
                                          f"'{stored.name}' (số {stored.id}).")
        self.by_stored[stored.id] = row  # type: ignore[index]
        node = SimpleNamespace(**{k: getattr(stored, k) for k in
                                  ("id", "code", "name", "active_from", "active_to")}, row=row)
        node.__dict__.update({k: v for k, v in row.values.items() if k in node.__dict__})
        old = self.carriers.get(stored.code.lower(), [])
        old[:] = [u for u in old if u.id != stored.id]
        self.carriers.setdefault(node.code.lower(), []).append(node)
        row.node = node
        return None

    def _keep_new(self, row: Row) -> None:
        v = row.values
        key = v["code"].lower()
        for other in self.new_by_code.get(key, []):
            if in_force.overlaps(other.node, v.get("active_from"), v.get("active_to")):
                return self.fail(row, "code", f"Dòng này và dòng {other.number} cùng là đơn vị "
                                              f"mã '{v['code']}' trong cùng thời gian hiệu lực.")
        row.node = SimpleNamespace(id=None, code=v["code"], name=v.get("name", v["code"]),
                                   active_from=v.get("active_from"), active_to=v.get("active_to"),
                                   row=row)
        self.new_by_code.setdefault(key, []).append(row)
        self.carriers.setdefault(key, []).append(row.node)
        return None

    # -- references by code -----------------------------------------------------------------
    def resolve(self) -> None:
        """Each row's codes, read at its dates among every unit the file leaves: the parent
        on the day the row begins (without a start: today, or its last day if it has ended),
        the successors on the day after it ends (the day it begins without an end)."""
        for row in self.rows:
            stored, v = row.stored, row.values
            ends = v.get("active_to", getattr(stored, "active_to", None))
            # Without a start, a unit that has ended is read on its last day.
            begins = v.get("active_from", getattr(stored, "active_from", None)) or \
                min(ends or today(), today())
            after = ends + timedelta(days=1) if ends else begins
            for name, codes in row.codes.items():
                day = begins if name == "parent_code" else after
                many = isinstance(codes, list)
                found = [self._at(row, name, c, day) for c in (codes if many else [codes])]
                if any(f is None for f in found):
                    continue
                target = CODES[name]
                if not many and v.get(target) is not None and found[0].id != v[target]:
                    self.fail(row, name, f"Mã '{codes}' và số hiệu {v[target]} chỉ hai đơn vị "
                                         "khác nhau: hãy ghi một trong hai.")
                    continue
                v.pop(target, None)
                row.links[target] = found if many else found[0]
        self.rows = [r for r in self.rows if not r.failed]

    def _at(self, row: Row, name: str, code: str, day: date) -> Any:
        found = in_force.among(self.carriers.get(code.lower(), ()), day)
        if found is None:
            carried = self.carriers.get(code.lower(), [])
            known = "; ".join(f"'{u.name}' hiệu lực {in_force.validity(u) or 'không thời hạn'}"
                              for u in carried[:3])
            self.fail(row, name, f"Không có đơn vị mã '{code}' có hiệu lực ngày "
                                 f"{print_date(day)}" + (f" (mã này là của {known})." if known else "."))
        return found

    # -- order ------------------------------------------------------------------------------
    def new_in_order(self) -> list[Row]:
        """The new units, each after the new units it names (its parent, its successors):
        a file may name a unit further down. Rows that name each other round are refused."""
        new = [r for r in self.rows if r.stored is None]
        waits = {r: {n.row for n in nodes(r) if n.id is None and n.row is not r} for r in new}
        done: list[Row] = []
        ready = [r for r in new if not waits[r]]
        needed: dict[Row, list[Row]] = {}
        for r, deps in waits.items():
            for d in deps:
                needed.setdefault(d, []).append(r)
        while ready:
            r = ready.pop()
            done.append(r)
            for later in needed.get(r, ()):
                waits[later].discard(r)
                if not waits[later]:
                    ready.append(later)
        for r in new:
            if waits[r] or any(getattr(n, "row", None) is r for n in nodes(r)):
                self.fail(r, None, "Dòng này nằm trong một vòng tham chiếu (đơn vị cấp trên hoặc "
                                   "kế thừa của nhau, hoặc của chính nó).")
        return [r for r in done if not r.failed]

    # -- errors -----------------------------------------------------------------------------
    def fail(self, row: Row, name: str | None, message: str, forbidden: bool = False) -> None:
        row.failed = True
        header, value = self.where(row.p, name)
        self.report.error(row.number, header, value, message, forbidden)

    def where(self, p: Pending, name: str | None) -> tuple[str | None, Any]:
        """The file's header and cell for a field: a reference's code column when the row
        wrote it, else its id column."""
        if name is None:
            return None, None
        names = [n for n in (UNIT_REFERENCES.get(name), name, CODES.get(name)) if n]
        present = {c.name: i for i, c in self.layout.by_index.items()}
        for n in sorted(names, key=lambda n: p.cells.get(n) is None):
            if n in present:
                return self.layout.headers[present[n]], p.cells.get(n)
        column = next((c for c in self.spec.columns if c.name in names), None)
        return (column.header if column else name), None


def nodes(row: Row) -> list[Any]:
    found: list[Any] = []
    for link in row.links.values():
        found += link if isinstance(link, list) else [link]
    return found


def _several(text: str) -> list[str]:
    """'A; B, C' → ['A', 'B', 'C']: a cell of several codes or ids, in its order."""
    return [part.strip() for part in text.translate(SEPARATORS).split(";") if part.strip()]
