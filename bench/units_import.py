"""Benchmark of the units import (app.services.imports.units) at the country's size.

    python -m bench.units_import [--url URL] [--scale 1.0] [--keep FILE.csv]

Writes a country-shaped CSV of about 14 000 units the way Vietnam's tree looks around the 2025
reform: 63 provinces, 696 districts and 10 035 communes until 30/06/2025, 34 provinces and
3 321 communes from 01/07/2025 that mostly carry a predecessor's code, every old commune merged
into a new one (471 divided between two or three, the default first), the old provinces into
the new. The old units come first and name their successors further down, as a file sorted by
code would. Then, into a fresh database (an SQLite file under /tmp unless --url names one,
which is wiped): times the dry run, the real run, and the same file again (every row
unchanged), through the page's and the API's path (`imports.run` on the file), and prints
rows per second.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path
from typing import Any

HEAD = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Loại", "Đơn vị cấp trên (mã)", "Hiệu lực từ",
        "Hết hiệu lực", "Các đơn vị kế thừa (mã)"]
ENDED, BEGAN = "30/06/2025", "01/07/2025"


def country(scale: float = 1.0, seed: int = 2025) -> list[list[Any]]:
    """The rows: old provinces, districts and communes first, then the new tree."""
    rnd = random.Random(seed)
    n_old_p, n_new_p = 63, 34
    n_dist, n_old_c, n_new_c, n_split = (round(x * scale) for x in (696, 10_035, 3_321, 471))
    old_p = [f"{i + 1:02d}" for i in range(n_old_p)]
    new_p = old_p[:n_new_p]  # a new province carries an old one's code
    districts = [(f"{i + 1:03d}", old_p[i * n_old_p // n_dist]) for i in range(n_dist)]
    old_c = [(f"{i + 1:05d}", districts[i * n_dist // n_old_c][0]) for i in range(n_old_c)]
    # Each new commune takes the code of one of its predecessors (about three each).
    per = n_old_c / n_new_c
    new_c = [(old_c[int(i * per)][0], new_p[i * n_new_p // n_new_c]) for i in range(n_new_c)]
    successor = {code: new_c[min(int(i / per), n_new_c - 1)][0] for i, (code, _) in enumerate(old_c)}
    split = set(rnd.sample([c for c, _ in old_c], n_split))
    rows: list[list[Any]] = [HEAD]
    for i, code in enumerate(old_p):
        rows.append([code, f"Tỉnh cũ {code}", "Tỉnh", "Tỉnh", None, None, ENDED,
                     new_p[i * n_new_p // n_old_p]])
    for code, parent in districts:
        rows.append([code, f"Huyện {code}", "Huyện", "Huyện", parent, None, ENDED, None])
    for code, parent in old_c:
        succ = [successor[code]]
        if code in split:  # divided: the default first, then one or two more
            succ += rnd.sample([c for c, _ in new_c if c != succ[0]], rnd.choice((1, 2)))
        rows.append([code, f"Xã cũ {code}", "Xã", "Xã", parent, None, ENDED, ";".join(succ)])
    for code in new_p:
        rows.append([code, f"Tỉnh {code}", "Tỉnh", "Tỉnh", None, BEGAN, None, None])
    for code, parent in new_c:
        rows.append([code, f"Xã {code}", "Xã", "Xã", parent, BEGAN, None, None])
    return rows


def write_csv(path: Path, rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([["" if c is None else c for c in r] for r in rows])


def fresh(url: str | None, tmp: Path) -> str:
    from app.cli import migrate_to_head
    from app.db.engine import make_engine
    from tests.factories import wipe

    url = url or f"sqlite:///{tmp / 'units.sqlite3'}"
    migrate_to_head(url)
    engine = make_engine(url)
    wipe(engine)
    engine.dispose()
    return url


def timed(url: str, path: Path, *, dry_run: bool) -> tuple[float, Any]:
    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.services import imports
    from app.services.actor import SYSTEM

    engine = make_engine(url)
    t = time.perf_counter()
    report = None
    for session in session_scope(engine, write=True):
        with path.open("rb") as stream:
            report = imports.run(session, actor=SYSTEM, resource="units", stream=stream,
                                 filename=path.name, dry_run=dry_run)
    elapsed = time.perf_counter() - t
    engine.dispose()
    assert report is not None and report.ok, (report.summary(), report.errors[:5]) if report else None
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a database to wipe and use (default: an SQLite file in /tmp)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the country")
    parser.add_argument("--keep", help="also write the CSV here")
    args = parser.parse_args()
    rows = country(args.scale)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        path = tmp / "don-vi.csv"
        write_csv(path, rows)
        if args.keep:
            write_csv(Path(args.keep), rows)
        url = fresh(args.url, tmp)
        n = len(rows) - 1
        print(f"{n} units, {sum(1 for r in rows if r[7])} with successors, "
              f"{sum(1 for r in rows if r[7] and ';' in r[7])} divided; {url.split('@')[-1]}")
        for label, dry in (("dry run", True), ("import", False), ("again (unchanged)", False)):
            seconds, report = timed(url, path, dry_run=dry)
            print(f"{label:18} {seconds:7.1f} s  {n / seconds:8.0f} rows/s  created "
                  f"{report.created}, updated {report.updated}, unchanged {report.unchanged}")


if __name__ == "__main__":
    main()
