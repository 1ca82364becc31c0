"""Benchmark of imports (app.services.imports.run) against a raw-SQL baseline.

    python -m bench.imports [--url URL] [--rows 100000] [--formats csv,xlsx]

For each format it writes a file of `--rows` contributions the way a clerk's sheet looks
(Vietnamese headers, 1.500.000, 05/02/2021, unit and work codes, an external key per row),
then, in one process on a fresh database (an SQLite file under /tmp unless --url is given):
1. times the import into a fresh database and the same file imported again (every row
   unchanged); then, on a second fresh database, a dry run and the import right after it;
2. times a baseline that inserts the same records with one plain `executemany` INSERT (values
   already parsed, no checks, no audit, no sums): the floor any import stands on;
3. checks the import's work: row count, the audit chain, the pre-aggregated sums;
4. measures memory in a fresh child process per size (a tenth of the rows, all of them, twice
   as many): resident memory before and the most seen while importing. It grows until
   SQLite's page cache for the import (64 MB) is full, then stays flat however long the file;
and prints rows per second and the ratio import / baseline.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HEAD = ["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Ngày công", "Mã công trình liên quan",
        "Người, đơn vị đóng góp", "Ngày", "Ghi chú", "Mã tham chiếu"]
SOURCES = ["Nhân dân", "Doanh nghiệp", "Tổ chức", "Ngân sách nhà nước"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Công ty TNHH Hòa Phát"]


def vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def setup(url: str) -> dict[str, Any]:
    """Migrate and make a small province: 10 communes with 4 villages each, 50 coded works."""
    from app.cli import migrate_to_head
    from app.db.session import make_engine, session_scope
    from app.db.units import UnitCreate
    from app.db.works import WorkCreate
    from app.services import units, works
    from app.services.actor import SYSTEM

    migrate_to_head(url)
    engine = make_engine(url)
    codes, work_codes = [], []
    for session in session_scope(engine, write=True):
        def unit(code: str, name: str, level: str, parent: int | None) -> int:
            data = UnitCreate(code=code, name=name, level=level, parent_id=parent)
            return units.records.create(session, actor=SYSTEM, data=data).id

        province = unit("B-P", "Tỉnh thử", "province", None)
        district = unit("B-D", "Huyện thử", "district", province)
        for c in range(10):
            commune = unit(f"B-X{c}", f"Xã {c}", "commune", district)
            codes.append(f"B-X{c}")
            for v in range(4):
                unit(f"B-X{c}-T{v}", f"Thôn {v}", "village", commune)
                codes.append(f"B-X{c}-T{v}")
            for w in range(5):
                code = f"B-W{c}-{w}"
                works.records.create(session, actor=SYSTEM, data=WorkCreate(
                    name=f"Đường thôn {w}", code=code, unit_id=commune, category="road_concrete",
                    quantity=1.0, measure="km", completed_date=date(2020, 6, 1)))
                work_codes.append((code, f"B-X{c}"))
    engine.dispose()
    return {"units": codes, "works": work_codes}


def rows(n: int, world: dict[str, Any], seed: int = 7) -> list[list[Any]]:
    rnd = random.Random(seed)
    out = []
    start = date(2021, 1, 1)
    for i in range(n):
        work = rnd.random() < 0.2
        code, commune = rnd.choice(world["works"]) if work else (None, None)
        unit = commune if work else rnd.choice(world["units"])
        labour = rnd.random() < 0.15
        day = start + timedelta(days=rnd.randrange(0, 1400))
        out.append([unit, rnd.choice(SOURCES), "Ngày công" if labour else "Tiền mặt",
                    None if labour else vn(rnd.randrange(1, 500) * 10_000),
                    f"{rnd.randrange(1, 40)},5" if labour else None, code, rnd.choice(NAMES),
                    day.strftime("%d/%m/%Y"), "đợt vận động" if rnd.random() < 0.3 else None,
                    f"BENCH-{i:07d}"])
    return out


def write_file(path: Path, data: list[list[Any]], kind: str) -> None:
    if kind == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(HEAD)
            w.writerows([["" if c is None else c for c in r] for r in data])
        return
    from openpyxl import Workbook

    # Not write-only: that mode writes every text inline, where Excel (and openpyxl's normal
    # mode) keeps each distinct text once in the shared strings, as a clerk's file has them.
    book = Workbook()
    sheet = book.active
    sheet.title = "Dữ liệu"
    sheet.append(HEAD)
    for r in data:
        sheet.append(r)
    book.save(path)


def import_once(url: str, path: Path, *, dry_run: bool) -> tuple[float, Any]:
    from app.db.session import make_engine, session_scope
    from app.services import imports
    from app.services.actor import SYSTEM

    engine = make_engine(url)
    t = time.perf_counter()
    report = None
    for session in session_scope(engine, write=True):
        with path.open("rb") as stream:
            report = imports.run(session, actor=SYSTEM, resource="contributions", stream=stream,
                                 filename=path.name, dry_run=dry_run)
    elapsed = time.perf_counter() - t
    engine.dispose()
    assert report is not None and report.ok, (report.summary(), report.errors[:3]) if report else None
    return elapsed, report


def baseline(url: str, data: list[list[Any]]) -> float:
    """The same records, parsed already, in one executemany INSERT: the floor."""
    from sqlalchemy import text

    from app.db.session import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM unit")).all())
        works = dict(conn.execute(text("SELECT code, id FROM work WHERE code IS NOT NULL")).all())
    now = "2026-11-26 00:00:00"
    params = []
    for r in data:
        d, m, y = r[7].split("/")
        params.append({
            "unit_id": ids[r[0]], "work_id": works.get(r[5]), "source": "people", "kind": "cash",
            "amount": int(r[3].replace(".", "")) if r[3] else None,
            "labor": float(r[4].replace(",", ".")) if r[4] else None, "name": r[6],
            "date": f"{y}-{m}-{d}", "note": r[8], "ext": "base-" + r[9]})
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO contribution (unit_id, work_id, source, kind, amount_vnd, labor_days, "
            "contributor_name, date, note, external_source, external_id, created_at, updated_at, "
            "version) VALUES (:unit_id, :work_id, :source, :kind, :amount, :labor, :name, :date, "
            f":note, 'base', :ext, '{now}', '{now}', 1)"), params)
    elapsed = time.perf_counter() - t
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM contribution WHERE external_source = 'base'"))
    engine.dispose()
    return elapsed


def check(url: str, expected: int) -> str:
    from sqlalchemy import func, select

    from app.db.contributions import Contribution
    from app.db.session import make_engine, session_scope
    from app.services import audit, rollups

    engine = make_engine(url)
    for session in session_scope(engine):
        n = session.exec(select(func.count()).select_from(Contribution)).scalar_one()
        broken = audit.verify(session)[1]
        diff = rollups.differences(session)
    engine.dispose()
    ok = n == expected and broken is None and not diff
    return f"{vn(n)} rows, audit chain {'intact' if broken is None else f'broken at {broken}'}, " \
           f"sums {'match' if not diff else 'DIFFER: ' + '; '.join(diff[:3])}" + ("" if ok else "  <-- FAILED")


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def child_peak(url: str, path: str) -> None:
    """In a fresh process: import the file, print the resident memory before it and the
    most seen while it ran (sampled at every chunk), in MiB."""
    from app.db.session import make_engine, session_scope
    from app.services import imports
    from app.services.actor import SYSTEM

    engine = make_engine(url)
    before = _rss_mib()
    most = [before]
    for session in session_scope(engine, write=True):
        with open(path, "rb") as stream:
            imports.run(session, actor=SYSTEM, resource="contributions", stream=stream,
                        filename=Path(path).name, progress=lambda _: most.append(_rss_mib()))
    print(f"{before:.0f} {max(most):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an empty database (default: a new SQLite file under /tmp)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--no-memory", action="store_true", help="skip the child processes")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DVK_SECRET_KEY", "bench")
    if args.child:
        child_peak(args.child[0], args.child[1])
        return
    for kind in args.formats.split(","):
        tmp = Path(tempfile.mkdtemp(prefix="dvk-bench-import-"))
        url = args.url or f"sqlite:///{tmp / 'db.sqlite3'}"
        world = setup(url)
        path = tmp / f"dong-gop.{kind}"
        write_file(path, rows(args.rows, world), kind)
        # The rows are not kept while imports are timed: 100 000 lists alive would slow every
        # garbage collection in this process, as they would not in a server's.
        size = path.stat().st_size / 1e6
        real, report = import_once(url, path, dry_run=False)
        again, report2 = import_once(url, path, dry_run=False)
        base = baseline(url, rows(args.rows, world))
        n = args.rows
        cases = [("import", real), ("same file again (all unchanged)", again)]
        if not args.url:  # a clerk's way: check first, then import, on a second database
            other = f"sqlite:///{tmp / 'db2.sqlite3'}"
            setup(other)
            cases += [("dry run (checked, taken back)", import_once(other, path, dry_run=True)[0]),
                      ("import right after that dry run", import_once(other, path, dry_run=False)[0])]
        print(f"\n{kind}: {vn(n)} rows, {size:.1f} MB, {url.split(':')[0]}")
        print(f"  {'case':<36}{'seconds':>9}{'rows/s':>10}{'× baseline':>12}")
        for name, secs in cases + [("baseline: one executemany INSERT", base)]:
            print(f"  {name:<36}{secs:>9.2f}{vn(int(n / secs)):>10}{secs / base:>12.1f}")
        print(f"  created {vn(report.created)}; again: created {vn(report2.created)}, "
              f"unchanged {vn(report2.unchanged)}")
        print("  check: " + check(url, n))
        if not args.no_memory and not args.url:
            peaks = []
            for m in (n // 10, n, 2 * n):
                fresh = Path(tempfile.mkdtemp(prefix="dvk-bench-import-"))
                fresh_url = f"sqlite:///{fresh / 'db.sqlite3'}"
                write_file(fresh / f"rows.{kind}", rows(m, setup(fresh_url)), kind)
                out = subprocess.run([sys.executable, "-m", "bench.imports", "--child", fresh_url,
                                      str(fresh / f"rows.{kind}")],
                                     capture_output=True, text=True, check=True).stdout.split()
                peaks.append((m, int(out[0]), int(out[1])))
            print("  memory (resident MiB of a fresh process, before → most while importing): "
                  + "; ".join(f"{vn(m)} rows: {a} → {b}" for m, a, b in peaks))


if __name__ == "__main__":
    main()
