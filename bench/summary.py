"""Benchmark of the summary report (app.services.reports.summary) against plain SQL.

    python -m bench.summary --url sqlite:////tmp/bench.sqlite3 [--runs 5] [--odd-days] [--explain]

In one process, for two cases — the whole province over 2016–2025 and one commune over 2025 —
and with --odd-days a third (the province over 2019-03-15 … 2024-08-20), it times the report
(warm: one untimed run, then --runs timed runs; median and p95) and a baseline that computes
the same figures with one straightforward SQL query per section (no recursive CTE: the unit ids
of the subtree are read once and listed in `unit_id IN (...)`), in both plans: as the planner
chooses (the (unit_id, date) indexes) and with the filtered tables read whole (the faster for
a province: walking the index unit by unit for 755 units is slower than reading the tables).
It checks that all three give the same figures (exit status 1 if not) and prints a table of
timings and the report's ratio to the FASTER plan of the same run; on SQLite, a second table
of the same runs' CPU time (the database works in this process), which a loaded machine
disturbs far less than the wall clock.
With --explain it also prints, for one run of each, the time of every SQL statement and its
plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Engine, bindparam, event, text
from sqlalchemy.engine import Connection

from app.enums import Level, OrgType, PetitionType, Source, WorkCategory

KM_CATEGORIES = ("road_concrete", "road_other", "field_road", "canal")


@dataclass
class Case:
    name: str
    unit_id: int
    date_from: date
    date_to: date


# -- the report ------------------------------------------------------------------------------

def run_report(engine: Engine, case: Case) -> dict[str, Any]:
    from app.db.session import session_scope
    from app.services.actor import SYSTEM
    from app.services.reports import summary

    out: dict[str, Any] = {}
    for session in session_scope(engine):
        out = summary(session, actor=SYSTEM, unit_id=case.unit_id, date_from=case.date_from,
                      date_to=case.date_to)
    return out


# -- the baseline ----------------------------------------------------------------------------

def subtree(conn: Connection, root: int) -> list[int]:
    """The unit, everything below it and every unit merged into one of those, in Python."""
    below: dict[int, list[int]] = defaultdict(list)
    for uid, parent, merged in conn.execute(text("SELECT id, parent_id, merged_into_id FROM unit")):
        if parent is not None:
            below[parent].append(uid)
        if merged is not None:
            below[merged].append(uid)
    seen, todo = {root}, [root]
    while todo:
        for child in below[todo.pop()]:
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return sorted(seen)


def _sql(sql: str) -> Any:
    return text(sql).bindparams(bindparam("d0", type_=Date), bindparam("d1", type_=Date))


def _i(x: Any) -> int:
    return int(x or 0)


def _f(x: Any) -> float:
    return round(float(x or 0), 3)


def run_baseline(engine: Engine, case: Case, *, force_scan: bool = False) -> dict[str, Any]:
    """The report's figures, one plain query per section, read off the definitions in
    spec/api.md ("Reports") rather than off app/services/reports.py.

    The planner chooses how to read the tables; with `force_scan` the filtered tables are
    read in full (SQLite: NOT INDEXED; PostgreSQL: index scans disabled for the transaction)."""
    p = {"d0": case.date_from, "d1": case.date_to}
    sqlite = engine.dialect.name == "sqlite"
    not_indexed = " NOT INDEXED" if force_scan and sqlite else ""
    with engine.connect() as conn:
        if force_scan and not sqlite:
            for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
                conn.exec_driver_sql(f"SET LOCAL {setting} = off")
        units = ",".join(map(str, subtree(conn, case.unit_id)))

        def q(sql: str) -> Any:
            return conn.execute(_sql(sql.replace("{U}", units).replace("{NI}", not_indexed)), p)

        # models, in the period of their start_date
        total, members, collective, individual, recognized = q("""
            SELECT count(*), sum(members),
                   sum(CASE WHEN kind = 'collective' THEN 1 ELSE 0 END),
                   sum(CASE WHEN kind = 'individual' THEN 1 ELSE 0 END),
                   sum(CASE WHEN status = 'recognized' THEN 1 ELSE 0 END)
            FROM model {NI} WHERE unit_id IN ({U}) AND start_date BETWEEN :d0 AND :d1""").one()
        models = {"total": _i(total), "members": _i(members),
                  "by_kind": {"collective": _i(collective), "individual": _i(individual)},
                  "recognized": _i(recognized)}

        # works, in the period of their completed_date; quantity in km for the km categories
        by_cat = {c.value: {"count": 0, "quantity": 0.0, "total_cost_vnd": 0, "non_state_vnd": 0}
                  for c in WorkCategory}
        by_org = {o.value: {"count": 0, "total_cost_vnd": 0} for o in OrgType}
        for cat, org, n, qty, cost in q(f"""
            SELECT category, coalesce(org_type, 'other'), count(*),
                   sum(CASE WHEN measure = 'm' AND category IN
                            ({",".join(f"'{c}'" for c in KM_CATEGORIES)})
                            THEN quantity / 1000.0 ELSE quantity END),
                   sum(total_cost_vnd)
            FROM work {{NI}} WHERE unit_id IN ({{U}}) AND completed_date BETWEEN :d0 AND :d1
            GROUP BY category, coalesce(org_type, 'other')"""):
            by_cat[cat]["count"] += n
            by_cat[cat]["quantity"] += float(qty or 0)
            by_cat[cat]["total_cost_vnd"] += _i(cost)
            by_org[org]["count"] += n
            by_org[org]["total_cost_vnd"] += _i(cost)
        # non-state money behind those works: every linked gift not from the state budget and
        # every linked land donation's value, whatever their own date
        for cat, amount in q("""
            SELECT w.category, sum(c.amount_vnd) FROM work w {NI}
            JOIN contribution c ON c.work_id = w.id
            WHERE w.unit_id IN ({U}) AND w.completed_date BETWEEN :d0 AND :d1
              AND c.source <> 'state_budget'
            GROUP BY w.category
            UNION ALL
            SELECT w.category, sum(l.value_vnd) FROM work w {NI}
            JOIN land_donation l ON l.work_id = w.id
            WHERE w.unit_id IN ({U}) AND w.completed_date BETWEEN :d0 AND :d1
            GROUP BY w.category"""):
            by_cat[cat]["non_state_vnd"] += _i(amount)
        for entry in by_cat.values():
            entry["quantity"] = _f(entry["quantity"])
        works = {"total": sum(e["count"] for e in by_cat.values()),
                 "total_cost_vnd": sum(e["total_cost_vnd"] for e in by_cat.values()),
                 "by_category": by_cat, "by_org_type": by_org}
        rc, ro = by_cat["road_concrete"], by_cat["road_other"]
        roads = {"km": _f(rc["quantity"] + ro["quantity"]),
                 "total_cost_vnd": rc["total_cost_vnd"] + ro["total_cost_vnd"],
                 "non_state_vnd": rc["non_state_vnd"] + ro["non_state_vnd"],
                 "concrete_km": rc["quantity"], "concrete_cost_vnd": rc["total_cost_vnd"],
                 "concrete_non_state_vnd": rc["non_state_vnd"]}

        # contributions dated in the period
        by_source = {s.value: 0 for s in Source}
        labor = 0.0
        for source, amount, days in q("""
            SELECT source, sum(amount_vnd), sum(labor_days) FROM contribution {NI}
            WHERE unit_id IN ({U}) AND date BETWEEN :d0 AND :d1 GROUP BY source"""):
            by_source[source] = _i(amount)
            labor += float(days or 0)
        contributions = {"total_vnd": sum(by_source.values()), "by_source": by_source,
                         "labor_days": _f(labor)}

        # land donations dated in the period
        n, hh, area, value = q("""
            SELECT count(*), sum(households), sum(area_m2), sum(value_vnd) FROM land_donation {NI}
            WHERE unit_id IN ({U}) AND date BETWEEN :d0 AND :d1""").one()
        land = {"count": _i(n), "households": _i(hh), "area_m2": _f(area), "value_vnd": _i(value)}

        # petitions
        rec = "received_date BETWEEN :d0 AND :d1"
        carried = "(received_date < :d0 AND (closed_date IS NULL OR closed_date >= :d0))"
        comp = f"(({rec}) OR {carried}) AND status NOT IN ('transferred', 'rejected')"
        types = [t.value for t in PetitionType]
        row = q(f"""
            SELECT sum(CASE WHEN {rec} THEN 1 ELSE 0 END),
                   sum(CASE WHEN {carried} THEN 1 ELSE 0 END),
                   sum(CASE WHEN {comp} THEN 1 ELSE 0 END),
                   sum(CASE WHEN {comp} AND status IN ('resolved', 'withdrawn')
                            AND closed_date <= :d1 THEN 1 ELSE 0 END),
                   sum(CASE WHEN {comp} AND (closed_date IS NULL OR closed_date > :d1)
                            AND due_date < :d1 THEN 1 ELSE 0 END),
                   {", ".join(f"sum(CASE WHEN {rec} AND type = '{t}' THEN 1 ELSE 0 END)"
                              for t in types)}
            FROM petition {{NI}} WHERE unit_id IN ({{U}}) AND received_date <= :d1""").one()
        received, carried_n, competent, resolved, overdue = (_i(x) for x in row[:5])
        petitions = {"received": received, "carried_over": carried_n, "in_competence": competent,
                     "resolved": resolved, "overdue": overdue,
                     "resolution_rate": resolved / competent if competent else None,
                     "by_type": {t: _i(x) for t, x in zip(types, row[5:], strict=True)}}

        total, achieved = q("""
            SELECT count(*), sum(CASE WHEN achieved THEN 1 ELSE 0 END) FROM target
            WHERE unit_id IN ({U}) AND period_end BETWEEN :d0 AND :d1""").one()
        targets = {"total": _i(total), "achieved": _i(achieved)}
        n_rec = q("""SELECT count(*) FROM recognition
                     WHERE unit_id IN ({U}) AND date BETWEEN :d0 AND :d1""").scalar_one()
        by_level = {lv.value: 0 for lv in Level}
        n_comm = 0
        for level, n in q("""
            SELECT level, count(*) FROM commendation
            WHERE unit_id IN ({U}) AND decision_date BETWEEN :d0 AND :d1 GROUP BY level"""):
            n_comm += n
            if level:
                by_level[level] = n
    return {"models": models, "works": works, "roads": roads, "contributions": contributions,
            "land_donations": land, "petitions": petitions, "targets": targets,
            "recognitions": {"total": _i(n_rec)},
            "commendations": {"total": n_comm, "by_level": by_level}}


# -- comparing -------------------------------------------------------------------------------

def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def compare(report: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Every baseline figure that the report gives differently (floats to 1e-6 relative or
    the report's own rounding to 0.001)."""
    got, want = flatten(report), flatten(baseline)
    problems = []
    for key, b in want.items():
        if key not in got:
            problems.append(f"{key}: missing from the report (baseline {b!r})")
            continue
        r = got[key]
        if isinstance(b, float) or isinstance(r, float):
            if r is None or b is None:
                same = r is b
            else:
                same = abs(float(r) - float(b)) <= max(1e-6 * abs(float(b)), 0.0015)
        else:
            same = r == b
        if not same:
            problems.append(f"{key}: report {r!r} != baseline {b!r}")
    return problems


# -- timing ----------------------------------------------------------------------------------

def percentile(xs: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); with 5 runs p95 is
    close to the slowest run."""
    s = sorted(xs)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


CPU: dict[int, list[float]] = {}  # id(times) -> the same runs' CPU time of this process


def timed(fn: Callable[[], Any], runs: int) -> tuple[Any, list[float]]:
    """Wall-clock times of `runs` runs after a warm-up; their CPU times of this process go to
    `CPU` (on SQLite the database works in this process: on a loaded machine its CPU time
    says what the work costs, where the wall clock also counts the waits for a core)."""
    result = fn()  # warm-up: caches, plans, the OS page cache
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU[id(times)] = cpu
    return result, times


def measure(engine: Engine, case: Case, runs: int
            ) -> tuple[tuple[Case, list[float], list[float], list[float]], int]:
    """Time the report and both plans of the baseline for `case` (each warm, `runs` runs),
    print whether their figures agree; returns the times and the number of mismatches."""
    report, r_times = timed(lambda: run_report(engine, case), runs)
    base, b_times = timed(lambda: run_baseline(engine, case), runs)
    scan, s_times = timed(lambda: run_baseline(engine, case, force_scan=True), runs)
    problems = compare(report, base) + [f"(full-scan baseline) {p}"
                                        for p in compare(report, scan)]
    print(f"\n{case.name}: contributions {report['contributions']['total_vnd']:,} VND, "
          f"works {report['works']['total']:,}, petitions received "
          f"{report['petitions']['received']:,}; "
          + ("report and baselines agree" if not problems
             else f"{len(problems)} MISMATCHES:"), flush=True)
    for line in problems:
        print("  " + line)
    return (case, r_times, b_times, s_times), len(problems)


def print_timings(results: list[tuple[Case, list[float], list[float], list[float]]],
                  dialect: str, runs: int, *, goals: bool = False) -> None:
    """The table of (case, report times, indexed baseline times, full-scan baseline times),
    each ratio against the faster plan of the same run; with `goals`, whether the report met
    issue 19/20's goals: a median within 100 ms and at most 0.1× that plan."""
    print(f"\nTimings ({dialect}, {runs} warm runs each, seconds; 'best' is the faster "
          "plain-SQL plan of this run by median, the ratios are against it)")
    width = max([32, *(len(c.name) for c, *_ in results)])
    head = (f"{'case':<{width}} {'report med':>10} {'report p95':>10} {'index med':>10} "
            f"{'scan med':>10} {'best':>5} {'best med':>10} {'best p95':>10} "
            f"{'ratio med':>9} {'ratio p95':>9}" + ("  ≤100ms ≤0.1×" if goals else ""))
    print(head)
    print("-" * len(head))
    for case, rt, bt, st in results:
        rm, rp = statistics.median(rt), percentile(rt, 0.95)
        im, sm = statistics.median(bt), statistics.median(st)
        best, bt_ = ("index", bt) if im <= sm else ("scan", st)
        bm, bp = statistics.median(bt_), percentile(bt_, 0.95)
        mark = (f"  {'yes' if rm <= 0.1 else 'NO':>6} {'yes' if rm <= 0.1 * bm else 'NO':>5}"
                if goals else "")
        print(f"{case.name:<{width}} {rm:>10.3f} {rp:>10.3f} {im:>10.3f} {sm:>10.3f} {best:>5} "
              f"{bm:>10.3f} {bp:>10.3f} {rm / bm:>9.2f} {rp / bp:>9.2f}{mark}")
    if dialect == "sqlite":
        print("\nCPU time of this process (SQLite works in it; the machine's load does not "
              "count), medians in seconds")
        head = (f"{'case':<{width}} {'report':>10} {'index':>10} {'scan':>10} {'best':>5} "
                f"{'ratio':>9}")
        print(head)
        print("-" * len(head))
        for case, rt, bt, st in results:
            rc, ic, sc = (statistics.median(CPU[id(x)]) for x in (rt, bt, st))
            best, bc = ("index", ic) if ic <= sc else ("scan", sc)
            print(f"{case.name:<{width}} {rc:>10.4f} {ic:>10.3f} {sc:>10.3f} {best:>5} "
                  f"{rc / bc:>9.3f}")


# -- explaining ------------------------------------------------------------------------------

class StatementLog:
    """Records every statement an engine runs, with its parameters and its time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: list[tuple[str, Any, float]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if self.on and not statement.lstrip().upper().startswith(("BEGIN", "EXPLAIN")):
            dt = time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
            self.rows.append((statement, parameters, dt))

    def capture(self, fn: Callable[[], Any]) -> list[tuple[str, Any, float]]:
        self.rows, self.on = [], True
        try:
            fn()
        finally:
            self.on = False
        return self.rows


def explain(engine: Engine, log: StatementLog, label: str, fn: Callable[[], Any],
            min_ms: float) -> None:
    """Each statement of one run, re-run on its own with every row fetched (on SQLite a
    GROUP BY finishes its work while the rows are fetched, after `execute` returns), slowest
    first, with the plan of those slower than `min_ms`."""
    captured = log.capture(fn)
    pg = engine.dialect.name == "postgresql"
    rows = []
    with engine.connect() as conn:
        for statement, params, _ in captured:
            t0 = time.perf_counter()
            conn.exec_driver_sql(statement, params).all()
            rows.append((statement, params, time.perf_counter() - t0))
        conn.rollback()
    total = sum(dt for _, _, dt in rows)
    print(f"\n=== {label}: {len(rows)} statements, {total * 1000:.1f} ms, each run on its own "
          "(slowest first)")
    for statement, params, dt in sorted(rows, key=lambda r: -r[2]):
        one_line = " ".join(statement.split())
        if one_line.startswith("WITH RECURSIVE subtree") and ") SELECT " in one_line:
            one_line = "[subtree CTE] " + one_line[one_line.index(") SELECT ") + 2:]
        print(f"\n--- {dt * 1000:8.1f} ms  {one_line[:200]}{'…' if len(one_line) > 200 else ''}")
        if dt * 1000 < min_ms:
            continue
        with engine.connect() as conn:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
            plan = conn.exec_driver_sql(prefix + statement, params).all()
            conn.rollback()
        for line in plan:
            print("    " + (line[0] if pg else f"[{line[0]}<-{line[1]}] {line[-1]}"))


# -- main ------------------------------------------------------------------------------------

def cases(engine: Engine, commune_code: str | None, year: int, odd: bool) -> list[Case]:
    with engine.connect() as conn:
        # A province wherever it sits: the tree's root (bench.generate), or below a national
        # root (`dvk units load-official`, bench/country.py), where one still in force, of
        # 2025, comes before the provinces that ended on 30/06/2025.
        top = conn.execute(text(
            "SELECT id, code FROM unit WHERE level = 'province' "
            "ORDER BY CASE WHEN active_to IS NULL THEN 0 ELSE 1 END, id LIMIT 1")).one_or_none()
        if top is None:
            raise SystemExit("no province in this database: run python -m bench.generate first")
        if commune_code:
            commune = conn.execute(text("SELECT id, code FROM unit WHERE code = :c"),
                                   {"c": commune_code}).one()
        else:
            commune = conn.execute(text(
                "SELECT id, code FROM unit WHERE level = 'commune' ORDER BY code LIMIT 1")).one()
    out = [Case(f"province {top.code} 2016-2025", top.id, date(2016, 1, 1), date(2025, 12, 31)),
           Case(f"commune {commune.code} {year}", commune.id, date(year, 1, 1),
                date(year, 12, 31))]
    if odd:  # not whole years or months: pre-aggregated sums, if any, need raw rows too
        out.append(Case(f"province {top.code} odd days", top.id, date(2019, 3, 15),
                        date(2024, 8, 20)))
    return out


def table_counts(engine: Engine) -> str:
    with engine.connect() as conn:
        parts = []
        for t in ("unit", "model", "work", "contribution", "land_donation", "petition"):
            parts.append(f"{t} {conn.execute(text(f'SELECT count(*) FROM {t}')).scalar_one():,}")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    from app.db.engine import make_engine

    parser = argparse.ArgumentParser(prog="python -m bench.summary",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (after a warm-up)")
    parser.add_argument("--commune", help="code of the commune of the second case (default: first)")
    parser.add_argument("--year", type=int, default=2025, help="year of the commune case")
    parser.add_argument("--odd-days", action="store_true",
                        help="add a third case: the province over 2019-03-15 … 2024-08-20")
    parser.add_argument("--force-scan", action="store_true",
                        help="no effect: both plans of the baseline are always timed")
    parser.add_argument("--explain", action="store_true",
                        help="print every statement's time and plan (report and baseline)")
    parser.add_argument("--explain-min-ms", type=float, default=5.0,
                        help="only explain statements slower than this")
    args = parser.parse_args(argv)

    engine = make_engine(args.url)
    log = StatementLog(engine)
    print(f"{engine.dialect.name}: {table_counts(engine)}")
    results = []
    mismatches = 0
    for case in cases(engine, args.commune, args.year, args.odd_days):
        timing, problems = measure(engine, case, args.runs)
        mismatches += problems
        results.append(timing)

    print_timings(results, engine.dialect.name, args.runs)

    if args.explain:
        for case, *_ in results:
            explain(engine, log, f"report, {case.name}", lambda c=case: run_report(engine, c),
                    args.explain_min_ms)
            explain(engine, log, f"baseline (indexed), {case.name}",
                    lambda c=case: run_baseline(engine, c), args.explain_min_ms)
    engine.dispose()
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
