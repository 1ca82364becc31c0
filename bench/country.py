"""The country-scale benchmark (issue 20, part 7): about 20 million contributions over ten
years (2016–2025) on the whole country's tree, then the report, the dashboard and a list page
timed against the plain SQL an engineer would write, in one process.

    python -m bench.country generate --url URL [--seed 1] [--scale 1.0]
    python -m bench.country measure --url URL [--runs 3]

`generate` writes into a migrated database with no records yet. The tree is whatever it
holds (`dvk units load-official`'s real one); an empty one gets the synthetic country of
bench/country_tree.py (14 147 units, 2025's mergers and splits). The records are
bench/generate.py's, in the same proportions, 8 times the province's data set at scale 1.0
(20 M contributions, 480 000 works, 200 000 models, 1.2 M petitions, 960 000 land
donations), placed on every commune, old or new, and each moved to the unit in force at its
own date (bench/country_tree.py's `Remap`, the rule of app/services/in_force.py). Written as
bench/generate.py does (COPY on PostgreSQL, executemany on SQLite; the rollups rebuilt after),
with the contributions' secondary indexes built once after the load on PostgreSQL.

`measure` is bench/country_cases.py."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, text

from bench.country_tree import CountryTree, Remap, load_tree, write_synthetic
from bench.generate import COLUMNS, D1, Generator, Writer, _rebuild_rollups, day

PROVINCE_TO_COUNTRY = 8  # 2.5 M contributions of bench/generate.py's province → 20 M
RECORDS = ("model", "work", "contribution", "land_donation", "petition", "target",
           "recognition", "commendation")
# Each table's unit column and the date that decides which unit is in force for a row.
PLACED: dict[str, tuple[int, Callable[[tuple], date]]] = {
    "model": (2, lambda r: r[7]),
    "work": (2, lambda r: r[10] or r[9] or day(D1)),  # completed, started, or still planned
    "contribution": (1, lambda r: r[9]),
    "land_donation": (1, lambda r: r[7]),
    "petition": (2, lambda r: r[1]),
    "target": (1, lambda r: r[4]),  # the period's end
    "recognition": (1, lambda r: r[3]),
    "commendation": (1, lambda r: r[7]),
}


def _check_empty(conn: object) -> None:
    for t in RECORDS:
        if conn.execute(text(f"SELECT 1 FROM {t} LIMIT 1")).first():  # type: ignore[attr-defined]
            raise RuntimeError(f"the database already has {t} records: generate into one "
                               "with units only, or none")


def _secondary_indexes(conn: object, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of a PostgreSQL table's indexes other than its primary key."""
    rows = conn.execute(text(  # type: ignore[attr-defined]
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.tablename = :t AND NOT x.indisprimary"), {"t": table}).all()
    return [(r[0], r[1]) for r in rows]


def generate(url: str, *, seed: int = 1, scale: float = 1.0,
             log: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fill the database at `url` (migrated to head here; no records yet) with the country
    data set; returns the rows written per table."""
    from app.cli import migrate_to_head
    from app.db import metadata
    from app.db.engine import make_engine

    say = log or (lambda msg: print(msg, flush=True))
    if scale <= 0:
        raise ValueError("scale must be positive")
    t0 = time.perf_counter()
    migrate_to_head(url)
    engine: Engine = make_engine(url)
    tables = metadata.tables
    try:
        with engine.connect() as conn:
            pg = conn.dialect.name == "postgresql"
            with conn.begin():
                _check_empty(conn)
                has_units = conn.execute(text("SELECT 1 FROM unit LIMIT 1")).first()
                if not pg:
                    conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB while indexing
            say(f"Country data set, seed={seed} scale={scale}, into "
                f"{engine.url.render_as_string()}")
            if not has_units:
                write_synthetic(conn, tables, seed, say)
            with conn.begin():
                tree: CountryTree = load_tree(conn, seed)
            remap = Remap(tree)
            say(f"  tree: {len(tree.units):,} units, {len(tree.communes):,} communes "
                f"(old and new) where records are placed")
            gen = Generator(seed, scale * PROVINCE_TO_COUNTRY)
            gen.tree = tree
            w = Writer(conn, say)
            for name in RECORDS:
                rows = getattr(gen, "land_rows" if name == "land_donation" else f"{name}_rows")()
                unit_at, day_of = PLACED[name]
                deferred = []
                if pg and name == "contribution":  # one index build beats 20 M index inserts
                    with conn.begin():
                        deferred = _secondary_indexes(conn, name)
                        for index, _ in deferred:
                            conn.exec_driver_sql(f'DROP INDEX "{index}"')
                w.write(tables[name], COLUMNS[name], remap.rows(rows, unit_at, day_of))
                if deferred:
                    t1 = time.perf_counter()
                    with conn.begin():
                        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
                        for _, create in deferred:
                            conn.exec_driver_sql(create)
                    say(f"  {len(deferred)} indexes of {name} built in "
                        f"{time.perf_counter() - t1:.1f} s")
            say(f"  {remap.moved:,} records moved to the unit in force at their date")
            t1 = time.perf_counter()
            if _rebuild_rollups(engine):
                say(f"  pre-aggregated sums rebuilt in {time.perf_counter() - t1:.1f} s")
                t1 = time.perf_counter()
            if pg:  # what autovacuum would soon do; the plans are blind without it
                conn.commit()
                raw = conn.connection.driver_connection
                raw.autocommit = True
                raw.execute("VACUUM ANALYZE")
                raw.autocommit = False
                say(f"  VACUUM ANALYZE in {time.perf_counter() - t1:.1f} s")
            counts = w.counts
    finally:
        engine.dispose()
    say(f"Done in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.country",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write the data set")
    g.add_argument("--url", required=True)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--scale", type=float, default=1.0,
                   help="multiplies every record count: 0.05 for 1 M contributions")
    m = sub.add_parser("measure", help="time the report, the dashboard and a list page")
    m.add_argument("--url", required=True)
    m.add_argument("--runs", type=int, default=3, help="timed runs per case (after a warm-up)")
    m.add_argument("--only", help="run only the cases whose name contains this")
    args = parser.parse_args(argv)
    if args.command == "generate":
        try:
            generate(args.url, seed=args.seed, scale=args.scale)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    from bench.country_cases import measure_all

    return measure_all(args.url, runs=args.runs, only=args.only)


if __name__ == "__main__":
    sys.exit(main())
