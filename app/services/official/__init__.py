"""`dvk units load-official`: Vietnam's administrative tree, before and after 01/07/2025 with
the mapping between them, from two maintained PyPI data sets (sources.py), built as rows of
the units import (tree.py) and written through it: upserted by official code and validity, so
a second run over the same database changes nothing, and the `remote` flag (in no data set)
is never touched.

The rows go to the import in six parts, each level and period after those it names (the
country, the 2025 provinces and communes, then the old provinces, districts and communes,
whose successors are 2025 units): each part's report gives its own counts. They all write in
the caller's one transaction, which the caller keeps only if every part is good and this is
no dry run: all or nothing, and a dry run does everything the real one would."""

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.enums import TOAN_QUOC, Level, UnitLevel
from app.services.actor import Actor
from app.services.errors import Invalid
from app.services.imports.report import Report
from app.services.official import sources, tree
from app.vn import print_date, print_number

ERRORS_SHOWN = 50


@dataclass
class Part:
    label: str
    rows: list[dict[str, Any]]
    report: Report


@dataclass
class Result:
    dry_run: bool
    versions: dict[str, str]
    disagreements: list[tree.Disagreement]
    provinces: frozenset[str] = frozenset()  # the 2025 provinces loaded; empty: all of them
    parts: list[Part] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(p.report.ok for p in self.parts)

    def lines(self, every_disagreement: bool = False) -> list[str]:
        """What the command prints: the sources, the counts per level and period, the
        disagreements (those about the provinces loaded, and how many others, unless
        `every_disagreement`), the errors (if any) and the time taken."""
        n = print_number
        out = ["Nguồn: " + ", ".join(f"{k} {v}" for k, v in self.versions.items()) + "."]
        verb = "Sẽ" if self.dry_run else "Đã"
        for p in self.parts:
            r = p.report
            out.append(f"{p.label}: {n(len(p.rows))} đơn vị; {verb.lower()} thêm {n(r.created)}, "
                       f"sửa {n(r.updated)}, giữ nguyên {n(r.unchanged)}.")
        errors = [(p, e) for p in self.parts for e in p.report.errors]
        if not self.ok:
            count = sum(p.report.error_count for p in self.parts)
            out.append(f"Không nạp: {n(count)} lỗi; chưa lưu đơn vị nào.")
            for p, e in errors[:ERRORS_SHOWN]:
                code = p.rows[e.row - 1]["code"] if e.row else ""
                where = f"{p.label}, mã {code}" + (f", cột {e.column}" if e.column else "")
                out.append(f"  {where}: {e.message}")
        else:
            c, u, k = (sum(getattr(p.report, a) for p in self.parts)
                       for a in ("created", "updated", "unchanged"))
            out.append(f"Tổng: {verb.lower()} thêm {n(c)}, sửa {n(u)}, giữ nguyên {n(k)}"
                       + (" (nhập thử: chưa lưu gì)." if self.dry_run else "."))
        out += self._disagreements(every_disagreement)
        out.append(f"Thời gian: {n(round(self.seconds, 1))} giây.")
        return out


    def _disagreements(self, every: bool) -> list[str]:
        n = print_number
        if every or not self.provinces:
            told, others = self.disagreements, 0
        else:
            told = [d for d in self.disagreements if d.provinces & self.provinces]
            others = len(self.disagreements) - len(told)
        out = []
        if told:
            about = "" if every or not self.provinces else " về tỉnh đã nạp"
            out.append(f"Hai nguồn khác nhau ở {n(len(told))} điểm{about}:")
            out += [f"  {d}" for d in told]
        elif self.provinces and others:
            out.append("Hai nguồn không khác nhau ở điểm nào về tỉnh đã nạp.")
        if others:
            out.append(f"Hai nguồn còn khác nhau ở {n(others)} điểm về các tỉnh khác "
                       "(không in; thêm --all-disagreements để in hết).")
        return out


def _parts(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The rows by level and period, in their order (which names every reference first)."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        level = UnitLevel(row["level"])
        label = TOAN_QUOC if level == UnitLevel.country else Level(level.value).vi
        if row["active_from"]:
            label += f" (từ {print_date(row['active_from'])})"
        elif row["active_to"]:
            label += f" (đến {print_date(row['active_to'])})"
        parts.setdefault(label, []).append(_as_import(row))
    return list(parts.items())


def _as_import(row: dict[str, Any]) -> dict[str, Any]:
    # The import reads successors as codes joined by ';' (a cell's text); an empty cell
    # leaves a stored unit's value alone, so a unit without any goes as None. A unit merged
    # whole names its one successor too: the import stores that as the merger alone
    # (services/units.py `canonical_successors`), and so takes away a link an earlier import
    # kept for it.
    codes = row["successor_codes"] or [c for c in (row["merged_into_code"],) if c]
    return {**row, "successor_codes": ";".join(codes) or None}


def load(session: Session, actor: Actor, *, dry_run: bool, provinces: Collection[str] = (),
         progress: Callable[[str], None] = lambda _: None) -> Result:
    """Build the rows (the whole country, or only the 2025 `provinces` and what was merged
    into them) and write them in `session`'s transaction; the caller commits it only when the
    result is ok and this is no dry run."""
    from app.services.imports.units import import_unit_rows

    started = time.perf_counter()
    found = sources.read()
    built = tree.build(found)
    wanted = {f"{int(p):02d}" if p.isdigit() else p for p in provinces}
    result = Result(dry_run, found.versions, built.disagreements, frozenset(wanted))
    if unknown := wanted - {r["code"] for r in built.rows if r["level"] == "province"
                            and r["active_from"]}:
        raise Invalid("Không có tỉnh mã " + ", ".join(sorted(unknown))
                      + f" trong {sources.NEW_SET} (các tỉnh từ 01/07/2025).")
    for label, rows in _parts(tree.only(built.rows, wanted) if wanted else built.rows):
        progress(f"  {label}: {print_number(len(rows))} dòng")
        # dry_run=False: later parts name this part's units, so it stays in the transaction,
        # which the caller then takes back for a dry run.
        report = import_unit_rows(session, actor, rows, dry_run=False)
        report.dry_run = dry_run
        result.parts.append(Part(label, rows, report))
        if not report.ok:
            break
    result.seconds = time.perf_counter() - started
    return result
