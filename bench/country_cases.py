"""`python -m bench.country measure`: on the country data set, in one process, the summary
report of the country, of a province and of a commune over ten years, one year and a period
cut mid-month; the dashboard of the country; and the first page of the contributions' list for
an admin and for a province's clerk. Each is timed against the plain SQL of the same figures
(bench/summary.py's baseline for the report and the dashboard; a count and the first 50 rows
for the list) in both plans, and rated against the faster, as bench/summary.py does, with the
goals of issue 20 beside it: within 100 ms, and at most 0.1× the plain SQL."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

from bench.summary import (Case, measure, print_timings, run_baseline, subtree, table_counts,
                           timed)

TEN_YEARS = (date(2016, 1, 1), date(2025, 12, 31))
YEAR = (date(2025, 1, 1), date(2025, 12, 31))  # the year of the mergers
ODD = (date(2019, 3, 15), date(2024, 8, 20))  # neither whole years nor whole months
AFTER = (date(2025, 7, 1), date(2025, 12, 31))  # the new tree's own time


@dataclass
class Units:
    root: Any  # rows of (id, code, n) — n: how many units were merged into it
    province: Any  # in force since 2025, the one most old provinces merged into
    old_province: Any  # one of those
    commune: Any  # in force since 2025, the one most old communes merged into
    old_commune: Any  # one of those


def pick(engine: Engine) -> Units:
    """The units of the cases, chosen by shape so that any tree will do."""
    merged = ("(SELECT count(*) FROM unit m WHERE m.merged_into_id = u.id)")
    with engine.connect() as conn:
        def one(where: str, order: str) -> Any:
            return conn.execute(text(f"SELECT u.id, u.code, {merged} AS n FROM unit u "
                                     f"WHERE {where} ORDER BY {order} LIMIT 1")).one()

        root = one("u.parent_id IS NULL", "(SELECT count(*) FROM unit c WHERE c.parent_id = u.id) "
                   "DESC, u.id")
        new = "u.active_to IS NULL AND u.merged_into_id IS NULL"
        province = one(f"u.level = 'province' AND {new}", "n DESC, u.id")
        commune = one(f"u.level = 'commune' AND {new}", "n DESC, u.id")
        old_province = one(f"u.merged_into_id = {province.id} OR u.id = {province.id}",
                           "u.merged_into_id IS NULL, u.id")
        old_commune = one(f"u.merged_into_id = {commune.id} OR u.id = {commune.id}",
                          "u.merged_into_id IS NULL, u.id")
    return Units(root, province, old_province, commune, old_commune)


def report_cases(u: Units) -> list[Case]:
    def span(p: tuple[date, date]) -> str:
        return f"{p[0]:%d/%m/%Y}–{p[1]:%d/%m/%Y}"

    out = []
    for label, row in (("country", u.root), (f"province {u.province.code} ({u.province.n} "
                                             "merged in)", u.province),
                       (f"commune {u.commune.code} ({u.commune.n} merged in)", u.commune)):
        for period in (TEN_YEARS, YEAR, ODD):
            out.append(Case(f"{label}, {span(period)}", row.id, *period))
    out.append(Case(f"province {u.province.code}, post-2025 only, {span(AFTER)}",
                    u.province.id, *AFTER))
    if u.old_province.id != u.province.id:
        out.append(Case(f"old province {u.old_province.code} (until 2025), {span(TEN_YEARS)}",
                        u.old_province.id, *TEN_YEARS))
    if u.old_commune.id != u.commune.id:
        out.append(Case(f"old commune {u.old_commune.code}, 2024", u.old_commune.id,
                        date(2024, 1, 1), date(2024, 12, 31)))
    return out


# -- the dashboard ---------------------------------------------------------------------------

def dashboard_times(engine: Engine, root: int, runs: int) -> dict[str, list[float]]:
    """Seconds of the country's dashboard: its full computation (`dashboards.figures`, what a
    refresh does) and a screen's request (`dashboards.live`, from the stored figures), each in
    a session of its own, as bench/dashboard.py's in-process part does."""
    from app.db.session import session_scope
    from app.services import dashboards
    from app.services.actor import SYSTEM

    today = dashboards.as_of(YEAR[0].year)

    def figures() -> None:
        for session in session_scope(engine):
            dashboards.figures(session, actor=SYSTEM, unit_id=root, today=today)

    def live() -> None:  # a fresh session each call, as a request has (bench/dashboard.py)
        for session in session_scope(engine):
            dashboards.live(session, actor=SYSTEM, unit_id=root, today=today)

    return {"figures": timed(figures, runs)[1], "live": timed(live, runs)[1]}


# -- the list --------------------------------------------------------------------------------

def list_page(engine: Engine, actor: Any) -> Callable[[], Any]:
    """GET /api/v1/contributions?limit=50 as the API answers it, less HTTP: the service's
    page (its count and 50 rows) and the same JSON body (app/api/crud.py's list route)."""
    from pydantic import TypeAdapter

    from app.api.crud import page_model
    from app.db.session import session_scope
    from app.services import registry

    resource = registry.get("contributions")
    page_json = TypeAdapter(page_model(resource.read, keyset=True))
    filters = resource.service.Filters(limit=50)

    def run() -> bytes:
        body = b""
        for session in session_scope(engine):
            page = resource.service.list(session, actor=actor, filters=filters)
            body = page_json.dump_json(page_json.validate_python(
                {"items": [resource.present(o, actor) for o in page.items],
                 "total": page.total, "limit": page.limit, "offset": page.offset,
                 "next": page.next}), by_alias=True)
        return body
    return run


def list_baseline(engine: Engine, unit: int | None, *, force_scan: bool) -> Callable[[], Any]:
    """The same page in plain SQL: the count and the first 50 rows by id, of the whole table
    (unit None) or of a subtree listed in IN (...) (walked in Python, as bench/summary.py's)."""
    sqlite = engine.dialect.name == "sqlite"
    ni = " NOT INDEXED" if force_scan and sqlite else ""

    def run() -> Any:
        with engine.connect() as conn:
            if force_scan and not sqlite:
                for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
                    conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            where = ("" if unit is None
                     else f" WHERE unit_id IN ({','.join(map(str, subtree(conn, unit)))})")
            n = conn.execute(text(f"SELECT count(*) FROM contribution{ni}{where}")).scalar_one()
            rows = conn.execute(text(f"SELECT * FROM contribution{ni}{where} "
                                     "ORDER BY id LIMIT 50")).all()
            conn.rollback()
        return n, rows
    return run


def list_cases(engine: Engine, u: Units, runs: int) -> list[tuple[Case, list[float], list[float],
                                                                  list[float]]]:
    from app.enums import Role
    from app.services.actor import Actor

    out = []
    for who, role, row in (("admin", Role.admin, u.root),
                           (f"clerk of province {u.province.code}", Role.clerk, u.province)):
        actor = Actor(user_id=None, username=f"bench-{role.value}", role=role, unit_id=row.id)
        body = list_page(engine, actor)()
        unit = None if role is Role.admin else row.id
        total = list_baseline(engine, unit, force_scan=False)()[0]
        ok = f'"total":{total},'.encode() in body
        print(f"\nlist of contributions, {who}: total {total:,}; "
              + ("the page's total agrees" if ok else "the page's total DIFFERS from count(*)"),
              flush=True)
        case = Case(f"list ?limit=50, {who}", row.id, *TEN_YEARS)
        out.append((case, timed(list_page(engine, actor), runs)[1],
                    timed(list_baseline(engine, unit, force_scan=False), runs)[1],
                    timed(list_baseline(engine, unit, force_scan=True), runs)[1]))
    return out


# -- the whole run ---------------------------------------------------------------------------

def measure_all(url: str, *, runs: int = 3, only: str | None = None) -> int:
    from app.db.engine import make_engine

    engine = make_engine(url)
    try:
        print(f"{engine.dialect.name}: {table_counts(engine)}", flush=True)
        u = pick(engine)
        results = []
        mismatches = 0
        year_baselines: tuple[list[float], list[float]] | None = None
        for case in report_cases(u):
            if only and only not in case.name:
                continue
            timing, problems = measure(engine, case, runs)
            mismatches += problems
            results.append(timing)
            if case.unit_id == u.root.id and (case.date_from, case.date_to) == YEAR:
                year_baselines = (timing[2], timing[3])
        if not only or "dashboard" in only:
            if year_baselines is None:
                case = Case("country, 2025", u.root.id, *YEAR)
                year_baselines = (timed(lambda: run_baseline(engine, case), runs)[1],
                                  timed(lambda: run_baseline(engine, case, force_scan=True),
                                        runs)[1])
            dash = dashboard_times(engine, u.root.id, runs)
            for name, label in (("figures", "computed (a refresh)"),
                                ("live", "a screen's request (stored figures)")):
                results.append((Case(f"dashboard of the country, 2025, {label}", u.root.id,
                                     *YEAR), dash[name], *year_baselines))
            print("\ndashboard: baseline is the country's 2025 report in plain SQL "
                  f"(figures {statistics.median(dash['figures']):.3f} s, "
                  f"live {statistics.median(dash['live']):.3f} s)", flush=True)
        if not only or "list" in only:
            results += list_cases(engine, u, runs)
        print_timings(results, engine.dialect.name, runs, goals=True)
    finally:
        engine.dispose()
    return 1 if mismatches else 0
