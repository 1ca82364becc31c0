"""Benchmark of imports (app.services.imports.run) against a raw-SQL baseline.

    python -m bench.imports [--url URL] [--rows 100000] [--formats csv,xlsx,ods]
    python -m bench.imports --full /work/bench/bench.sqlite3 [--copy /work/bench/imports.sqlite3]
    python -m bench.imports --full postgresql://postgres@127.0.0.1:5432/bench [--copy bench_imports]

For each format it writes a file of `--rows` contributions the way a clerk's sheet looks
(Vietnamese headers, 1.500.000, 05/02/2021, unit and work codes, an external key per row),
then, in one process, into a fresh database (an SQLite file under /tmp unless --url is given)
or, with --full, into a copy of the benchmark's full database (bench.generate: 2.5 million
contributions, their sums and indexes already there; the copy is made anew per format, and 50
of its works are given codes for the file to name):
1. times the import and the same file imported again (every row unchanged); then, on a second
   fresh database, a dry run and the import right after it (not with --full);
2. times a baseline: the same records as a CSV file read with the standard library's csv and
   stored with one plain DB-API `executemany` INSERT (no checks, no audit, no sums): the floor
   any import stands on, timed in the same process against the same database;
3. checks the import's work: row count, the audit chain, the pre-aggregated sums;
4. measures memory in a fresh child process per size (the file's rows, and twice as many):
   resident memory before and the peak (VmHWM) while importing;
and prints rows per second and the ratio baseline / import (1.0 = as fast as the baseline), by
wall time and by this process's CPU time (steadier on a shared machine: others' work does not
count, waiting for the disk does not either).
An .ods file is written by hand (a zip of XML: nothing here writes .ods); .xls cannot be
written on this machine (no LibreOffice, and calamine only reads).
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
    from app.db.engine import make_engine
    from app.db.session import session_scope
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


def rows(n: int, world: dict[str, Any], seed: int = 7, key: str = "BENCH") -> list[list[Any]]:
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
                    f"{key}-{i:07d}"])
    return out


def full_copy(source: str, copy: str | None) -> str:
    """A fresh copy of the full benchmark database: an SQLite file copied (with its -wal), or a
    PostgreSQL database made from the benchmark's as a template (nobody may be connected to
    it). Its URL."""
    import shutil

    from sqlalchemy import create_engine, make_url, text

    if not source.startswith("postgresql"):
        target = Path(copy or "/work/bench/imports.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
            if Path(source + suffix).exists():
                shutil.copyfile(source + suffix, str(target) + suffix)
        return f"sqlite:///{target}"
    url = make_url(source.replace("postgresql://", "postgresql+psycopg://"))
    name = copy or f"{url.database}_imports"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def full_world(url: str) -> dict[str, Any]:
    """The full database's communes and villages, and 50 of its works given codes (the
    generator writes none) for the file to name, with their units."""
    from sqlalchemy import text

    from app.db.engine import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        codes = list(conn.execute(text(
            "SELECT code FROM unit WHERE level IN ('commune', 'village') ORDER BY id")).scalars())
        works = conn.execute(text(
            "SELECT w.id, u.code FROM work w JOIN unit u ON u.id = w.unit_id "
            "WHERE u.level = 'commune' ORDER BY w.id LIMIT 50")).all()
        for i, (work_id, _) in enumerate(works):
            conn.execute(text("UPDATE work SET code = :c WHERE id = :id"),
                         {"c": f"B-W{i}", "id": work_id})
    engine.dispose()
    return {"units": codes, "works": [(f"B-W{i}", unit) for i, (_, unit) in enumerate(works)]}


def write_file(path: Path, data: list[list[Any]], kind: str) -> None:
    if kind == "ods":
        from tests.workbooks import ods

        path.write_bytes(ods([HEAD, *data]))
        return
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


def import_once(url: str, path: Path, *, dry_run: bool) -> tuple[tuple[float, float], Any]:
    """The import's (wall, CPU) seconds, and its report."""
    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.services import imports
    from app.services.actor import SYSTEM

    engine = make_engine(url)
    t, cpu = time.perf_counter(), time.process_time()
    report = None
    for session in session_scope(engine, write=True):
        with path.open("rb") as stream:
            report = imports.run(session, actor=SYSTEM, resource="contributions", stream=stream,
                                 filename=path.name, dry_run=dry_run)
    elapsed = (time.perf_counter() - t, time.process_time() - cpu)
    engine.dispose()
    assert report is not None and report.ok, (report.summary(), report.errors[:3]) if report else None
    return elapsed, report


SOURCE_CODES = {"Nhân dân": "people", "Doanh nghiệp": "business", "Tổ chức": "organization",
                "Ngân sách nhà nước": "state_budget"}


def baseline(url: str, csv_path: Path) -> tuple[float, float]:
    """The same records read from the CSV file with the standard library's csv, converted by
    hand (codes by a dict, 1.500.000, 12,5, 05/02/2021) and stored with one DB-API executemany
    in one transaction, then taken away again: the floor any import stands on."""
    from sqlalchemy import text

    from app.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM unit")).all())
        works = dict(conn.execute(text("SELECT code, id FROM work WHERE code IS NOT NULL")).all())
    raw = engine.raw_connection()
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    now = "2026-11-26 00:00:00"
    t, cpu = time.perf_counter(), time.process_time()
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        params = []
        for r in reader:
            d, m, y = r[7].split("/")
            params.append((ids[r[0]], works.get(r[5]) if r[5] else None, SOURCE_CODES[r[1]],
                           "labor" if r[2] == "Ngày công" else "cash",
                           int(r[3].replace(".", "")) if r[3] else None,
                           float(r[4].replace(",", ".")) if r[4] else None, r[6], f"{y}-{m}-{d}",
                           r[8] or None, "base-" + r[9], now, now))
    cur = raw.cursor()
    cur.executemany(
        "INSERT INTO contribution (unit_id, work_id, source, kind, amount_vnd, labor_days, "
        "contributor_name, date, note, external_source, external_id, created_at, updated_at, "
        f"version) VALUES ({', '.join([mark] * 9)}, 'base', {mark}, {mark}, {mark}, 1)",
        params)
    raw.commit()
    elapsed = (time.perf_counter() - t, time.process_time() - cpu)
    cur.execute("DELETE FROM contribution WHERE external_source = 'base'")
    raw.commit()
    raw.close()
    engine.dispose()
    return elapsed


def count(url: str) -> int:
    from sqlalchemy import text

    from app.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM contribution")).scalar_one()
    engine.dispose()
    return int(n)


def check(url: str, expected: int) -> str:
    from sqlalchemy import func, select

    from app.db.contributions import Contribution
    from app.db.engine import make_engine
    from app.db.session import session_scope
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


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def child_peak(url: str, path: str) -> None:
    """In a fresh process: import the file, print the resident memory before it and the peak
    while it ran, in MiB. The peak is /proc's VmHWM, this program's own: getrusage's
    ru_maxrss would carry the forking parent's size across the exec."""
    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.services import imports
    from app.services.actor import SYSTEM

    engine = make_engine(url)
    before = _rss_mib()
    for session in session_scope(engine, write=True):
        with open(path, "rb") as stream:
            report = imports.run(session, actor=SYSTEM, resource="contributions", stream=stream,
                                 filename=Path(path).name)
            assert report.ok, report.errors[:3]
    print(f"{before:.0f} {_status_mib('VmHWM'):.0f}")


def memory(url: str, world: dict[str, Any], kind: str, sizes: list[int], tmp: Path) -> str:
    """Peak resident memory of a fresh process importing each size (new keys each time, so
    every row is created), into the same database."""
    out = []
    for m in sizes:
        path = tmp / f"rows-{m}.{kind}"
        write_file(path, rows(m, world, seed=m, key=f"MEM{m}"), kind)
        got = subprocess.run([sys.executable, "-m", "bench.imports", "--child", url, str(path)],
                             capture_output=True, text=True)
        if got.returncode:
            out.append(f"{vn(m)} rows: FAILED {got.stderr.strip().splitlines()[-1:]}")
            continue
        before, peak = got.stdout.split()[-2:]
        out.append(f"{vn(m)} rows ({path.stat().st_size / 1e6:.1f} MB): {before} → {peak}")
    return "; ".join(out)


def reading(path: Path) -> str:
    """Seconds to read the file's rows alone, in this process: the import's reader (calamine
    behind the checks of workbook.py and scan.py), calamine by itself, and for an .xlsx
    openpyxl's read-only mode."""
    from app.services.imports.sheets import open_file

    def ours() -> int:
        with path.open("rb") as f:
            return sum(1 for _ in open_file(f, path.name).rows)

    def calamine() -> int:
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return sum(1 for _ in book.get_sheet_by_index(0).iter_rows())

    def openpyxl() -> int:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        n = sum(1 for _ in book.active.iter_rows(values_only=True))
        book.close()
        return n

    readers = [("the import's reader", ours)]
    if path.suffix != ".csv":
        readers.append(("calamine alone", calamine))
    if path.suffix == ".xlsx":
        readers.append(("openpyxl read-only", openpyxl))
    out = []
    for name, read in readers:
        t = time.perf_counter()
        read()
        out.append(f"{name} {time.perf_counter() - t:.2f} s")
    return "; ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an empty database (default: a new SQLite file under /tmp)")
    parser.add_argument("--full", help="the full benchmark database to copy (an SQLite path or a "
                                       "PostgreSQL URL)")
    parser.add_argument("--copy", help="where the copy goes (SQLite path, PostgreSQL db name)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx,ods")
    parser.add_argument("--no-memory", action="store_true", help="skip the child processes")
    parser.add_argument("--no-check", action="store_true", help="skip checking the sums")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DVK_SECRET_KEY", "bench")
    if args.child:
        child_peak(args.child[0], args.child[1])
        return
    n = args.rows
    for kind in args.formats.split(","):
        tmp = Path(tempfile.mkdtemp(prefix="dvk-bench-import-"))
        if args.full:
            url = full_copy(args.full, args.copy)
            world = full_world(url)
        else:
            url = args.url or f"sqlite:///{tmp / 'db.sqlite3'}"
            world = setup(url)
        before = count(url)
        path, csv_path = tmp / f"dong-gop.{kind}", tmp / "baseline.csv"
        data = rows(n, world)
        write_file(path, data, kind)
        write_file(csv_path, data, "csv")
        # The rows are not kept while imports are timed: 100 000 lists alive would slow every
        # garbage collection in this process, as they would not in a server's.
        del data
        size = path.stat().st_size / 1e6
        read = reading(path)
        base = baseline(url, csv_path)
        real, report = import_once(url, path, dry_run=False)
        again, report2 = import_once(url, path, dry_run=False)
        base2 = baseline(url, csv_path)
        cases = [("import", real), ("same file again (all unchanged)", again)]
        if not args.url and not args.full:  # a clerk's way: check first, then import
            other = f"sqlite:///{tmp / 'db2.sqlite3'}"
            setup(other)
            cases += [("dry run (checked, taken back)", import_once(other, path, dry_run=True)[0]),
                      ("import right after that dry run", import_once(other, path, dry_run=False)[0])]
        base = min(base, base2)  # the faster of two, one before the imports, one after
        where = "full database, " + vn(before) + " contributions before" if args.full else "fresh database"
        print(f"\n{kind}: {vn(n)} rows, {size:.1f} MB, {url.split(':')[0]}, {where}")
        print(f"  {'':<36}{'--------- wall ---------':>32}{'--- CPU of this process ---':>32}")
        print(f"  {'case':<36}" + f"{'seconds':>10}{'rows/s':>10}{'baseline ÷':>12}" * 2)
        for name, (secs, cpu) in cases + [("baseline: stdlib csv + executemany", base)]:
            print(f"  {name:<36}{secs:>10.2f}{vn(int(n / secs)):>10}{base[0] / secs:>12.2f}"
                  f"{cpu:>10.2f}{vn(int(n / cpu)):>10}{base[1] / cpu:>12.2f}")
        print(f"  reading the rows alone: {read}")
        print(f"  created {vn(report.created)}; again: created {vn(report2.created)}, "
              f"unchanged {vn(report2.unchanged)}")
        if not args.no_check:
            print("  check: " + check(url, before + n))
        if not args.no_memory:
            sizes = [n, 2 * n] if args.full else [n // 10, n, 2 * n]
            print("  memory (resident MiB of a fresh process, before → peak while importing): "
                  + memory(url, world, kind, sizes, tmp), flush=True)


if __name__ == "__main__":
    main()
