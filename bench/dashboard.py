"""Live dashboards under load: wall screens polling while clerks keep writing.

    python -m bench.dashboard --url URL [--screens 50] [--seconds 60] [--writers 2]

It needs a database made by the report benchmark's generator (a province: 755 units, 2.5
million contributions, 2016–2025), e.g.

    python -m bench.generate --url sqlite:////tmp/bench.sqlite3
    createdb -h 127.0.0.1 -U postgres bench_dash
    python -m bench.generate --url postgresql://postgres@127.0.0.1:5432/bench_dash

and exits with status 2, saying so, if the database has no units. It migrates the database to
the newest revision first (`app.cli.migrate_to_head`: the dashboards' tables `change_mark`,
`dashboard_cache` and `display_token` came after some data sets were made), then:

1. prepares, in this process: an admin of the province (`bench-dashboard`, its password reset
   to a random one each run) and `--screens` display tokens spread round-robin over `--units`
   units (the province, about a fifth districts, the rest communes, picked with `--seed`);
2. starts the application with uvicorn in a subprocess on a free loopback port (no DVK_DEMO,
   a random DVK_SECRET_KEY; 2 worker processes on PostgreSQL, to show several processes
   sharing one database and its cache, 1 on SQLite), and signs the admin in through
   POST /api/v1/auth/token for a bearer token;
3. phase A: `--writers` threads POST contributions (money, in kind or labour days) through the
   API to random communes, each starting one write every `--write-every` seconds (0: back to
   back), with no screen on; write latencies are recorded;
4. phase B: the same writers, and `--screens` threads that each behave like static/live.js on
   a wall screen: every 2 s after the previous answer, ask /screen/<token>/live with the ETag
   held as If-None-Match (304 while nothing changed, else the parts' HTML and a new ETag).
   The screens' pages (/screen/<token>) are opened first, one after the other, so that the
   phase measures screens that were already on; `--cold` instead has every screen open its
   page within the first 2 s of the phase, as after a power cut. Dashboard latencies are
   recorded (304 and 200 apart), and write latencies again;
5. phase C: the writers alone again, the screens stopped, as in phase A. Phase A runs first on
   a server that has just started and often writes more slowly than phase B (an idle server and
   database answer a lone request more slowly), which would flatter the slowdown; so phase B is
   judged against the faster of A and C at each percentile (`--no-phase-c` skips it);
6. phase D: the writers, and as many pollers as screens asking GET /health on the screens'
   cadence: an HTTP round trip that does no work, to tell what the screens' own work costs the
   writes from what any 25 requests a second would (`--no-phase-d` skips it).

Each phase runs `--warmup` seconds unrecorded, then `--seconds` recorded (a request counts if
it started in the recorded window). Latencies are measured by the client, from sending the
request to the last byte of the answer. With the defaults the client sends about 25 dashboard
requests and 4 writes a second, which costs it a few hundredths of a core: on the project's
2-core machine the rest is left to the server and the database.

The printout: p50/p95 of the dashboard requests (all, 304 only, 200 only, and per level of the
screen's unit), of the writes in each phase and their slowdown under the screens against the
faster of phases A and C (goal ≤ 20 %),
the dashboard p95 against the 30 ms goal, how often each level's figures were recomputed, the
CPU used by the server's processes (with the process each worker computes the figures in),
PostgreSQL, this client and the whole machine in each phase, failed requests and the server's
exceptions (the exit status is 1 if a request failed). Then, in the same process once the
server has stopped, a raw-SQL baseline in the style of bench/summary.py: one `SELECT
max(last_entry) FROM change_mark WHERE unit_id IN (...)` over the province's subtree (what
deciding "unchanged" cost while marks were kept per unit only), the province's own mark row
(what it costs now: `audit.mark_change` moves the marks of every unit above the record's too),
and one `SUM(amount_vnd)` over `stat_contribution` for the province's year (the smallest piece
of a recomputation), with the dashboard's p50 as ratios to them; for context also the
application's own `dashboards.live` (served from the cache) and `dashboards.figures` (a full
recomputation) for the province, called in process, no HTTP.

`--year Y` shows a past year on the screens (as the screens' ?year=) and dates the writes in
it; by default screens show the current year as of today and writes are dated today. (The
generated records end on 2025-12-31: in a later year the current year's figures are small.)

Each run leaves in the database what it wrote: its contributions (a few thousand), their
audit entries, the admin, and its display tokens (revoked at the end).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Date, Engine, bindparam, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.served import Served, sign_in, uvicorn
from bench.summary import percentile, subtree, table_counts

ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 2.0  # a wall screen's polling interval (app/ui/dashboard.py, static/live.js)
DASHBOARD_P95_GOAL_MS = 30.0
WRITE_SLOWDOWN_GOAL = 0.20
USERNAME = "bench-dashboard"
SOURCES = ["people", "business", "organization", "state_budget", "other"]


# -- samples ---------------------------------------------------------------------------------

@dataclass
class Window:
    """The recorded part of a phase (perf_counter seconds) and the signal to stop."""

    start: float
    end: float
    stop: threading.Event = field(default_factory=threading.Event)

    def records(self, t: float) -> bool:
        return self.start <= t < self.end


@dataclass
class Sample:
    ms: float
    status: int
    level: str = ""  # the screen's unit level (dashboard requests only)


@dataclass
class Failure:
    what: str
    status: int
    detail: str


def short(response: httpx.Response) -> str:
    """An error answer in one line: an HTML page's title, or the start of the body."""
    found = re.search(r"<title>(.*?)</title>", response.text, re.S)
    return " ".join((found.group(1) if found else response.text).split())[:160]


def ms(xs: list[float], q: float) -> str:
    return f"{percentile(xs, q):.1f}" if xs else "—"


# -- the database ----------------------------------------------------------------------------

def make_it_first(url: str) -> str:
    """What to run when `missing_data(url)` says why not."""
    create = ""
    if url.startswith("postgres"):  # an empty database must exist first
        u = make_url(url)
        create = (f"    createdb -h {u.host or 'localhost'} -p {u.port or 5432} "
                  f"-U {u.username or 'postgres'} {u.database}   # if it does not exist\n")
    return ("make the data set first (a province, 2.5 million contributions; a few minutes), "
            f"e.g.\n{create}    python -m bench.generate --url {url}")


def open_data_set(url: str) -> str:
    """This process as a benchmark's: a secret key of its own in DVK_SECRET_KEY (its services
    hash passwords and sign tokens, as the server does; returned, for the server), no
    DVK_DEMO; the data set at `url` (else exit 2, saying how to make it), migrated to the
    newest revision."""
    secret_key = secrets.token_urlsafe(48)
    os.environ["DVK_SECRET_KEY"] = secret_key
    os.environ.pop("DVK_DEMO", None)
    problem = missing_data(url)
    if problem:
        print(f"{problem}: {make_it_first(url)}", file=sys.stderr)
        raise SystemExit(2)
    from app.cli import migrate_to_head

    migrate_to_head(url)
    return secret_key


def missing_data(url: str) -> str | None:
    """Why this database cannot be used (no file, no tables, no units), or None. Looks before
    anything connects: connecting to a missing SQLite file would create it."""
    from app.db.engine import make_engine, normalize_url

    parsed = make_url(normalize_url(url))
    if parsed.drivername.startswith("sqlite"):
        path = parsed.database
        if not path or path == ":memory:" or not Path(path).is_file():
            return f"there is no database file {path!r}"
    engine = make_engine(url)
    try:
        try:
            inspect(engine)
        except OperationalError as exc:
            return f"cannot open the database ({exc.orig})"
        if not inspect(engine).has_table("unit"):
            return "the database has no tables"
        with engine.connect() as conn:
            if not conn.execute(text("SELECT count(*) FROM unit")).scalar_one():
                return "the database has no units"
    finally:
        engine.dispose()
    return None


@dataclass
class Setup:
    province: int
    communes: list[int]
    level: dict[int, str]  # unit id → level, for the screens' units
    screens: list[tuple[str, int]]  # (secret, unit id)
    token_ids: list[int]
    password: str
    actor: Any


def prepare(engine: Engine, *, n_screens: int, n_units: int, seed: int) -> Setup:
    """The benchmark's admin and the screens' display tokens, made through the services (as
    `dvk create-user` and the screens page would)."""
    from sqlalchemy import select

    from app.db.session import session_scope
    from app.db.units import Unit
    from app.db.users import User
    from app.enums import Role
    from app.services import auth, display_tokens, passwords
    from app.services.actor import Actor
    from app.services.display_tokens import DisplayTokenCreate

    rng = random.Random(seed)
    password = secrets.token_urlsafe(18)
    for session in session_scope(engine, write=True):
        by_level: dict[str, list[int]] = {}
        for uid, level in session.exec(
                select(Unit.id, Unit.level).where(Unit.merged_into_id.is_(None))
                .order_by(Unit.code)).all():
            by_level.setdefault(str(level.value if hasattr(level, "value") else level),
                                []).append(uid)
        province = by_level["province"][0]
        province_code = session.get(Unit, province).code
        user = session.exec(select(User).where(User.username == USERNAME)).scalars().first()
        if user is None:
            user = auth.create_user(session, username=USERNAME, password=password,
                                    role=Role.admin, unit_code=province_code,
                                    full_name="Benchmark writer")
        else:  # a previous run's admin: a new password, same rights
            user.password_hash = passwords.hash_password(password)
            user.role, user.unit_id, user.active = Role.admin, province, True
            session.flush()
        actor = Actor(user_id=user.id, username=user.username, role=Role.admin,
                      unit_id=province)

        # The screens' units: the province, about a fifth districts, the rest communes.
        n_districts = min(len(by_level["district"]), max(1, round((n_units - 1) * 0.2)))
        n_communes = min(len(by_level["commune"]), max(0, n_units - 1 - n_districts))
        units = ([province] + rng.sample(by_level["district"], n_districts)
                 + rng.sample(by_level["commune"], n_communes))
        level = {u: lv for lv in ("province", "district", "commune")
                 for u in by_level[lv] if u in units}
        screens, token_ids = [], []
        for i in range(n_screens):
            unit = units[i % len(units)]
            token, secret = display_tokens.create(session, actor=actor, data=DisplayTokenCreate(
                name=f"bench screen {i + 1}", unit_id=unit))
            screens.append((secret, unit))
            token_ids.append(token.id)
    return Setup(province, by_level["commune"], level, screens, token_ids, password, actor)


def revoke_screens(engine: Engine, setup: Setup) -> None:
    from app.db.session import session_scope
    from app.services import display_tokens

    for session in session_scope(engine, write=True):
        for token_id in setup.token_ids:
            display_tokens.revoke(session, actor=setup.actor, id=token_id)


# -- the server ------------------------------------------------------------------------------

def serve(url: str, secret_key: str, workers: int) -> Served:
    """The application under uvicorn in a subprocess, as it is deployed (`dvk serve`); ready
    when /health answered in every worker (asked a few times in a row)."""
    return Served("dashboard", uvicorn("app.main:app", workers),
                  {"DVK_DATABASE_URL": url, "DVK_SECRET_KEY": secret_key}, in_a_row=3 * workers)


def log_errors(server: Served) -> dict[str, int]:
    """The server log's exceptions (last line of each traceback), counted."""
    counts: dict[str, int] = {}
    for line in server.lines():
        if re.match(r"^[\w.]+(Error|Exception)\b", line):
            key = line.strip()[:200]
            counts[key] = counts.get(key, 0) + 1
    return counts


# -- CPU -------------------------------------------------------------------------------------

def process_cpu_seconds(root: int) -> tuple[float, float]:
    """CPU seconds so far (Linux /proc) of `root` and its descendants, and of the processes
    named `postgres` (the database server, whoever it works for). Each process counts with
    the children it has reaped (cutime, cstime): PostgreSQL's short-lived backends too."""
    parent, cpu, postgres = {}, {}, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, …
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = sum(int(x) for x in fields[11:15]) / tick  # utime … cstime
        if comm == "postgres":
            postgres += cpu[int(entry)]
    tree = 0.0
    for pid, seconds in cpu.items():
        p = pid
        while p and p != root:
            p = parent.get(p, 0)
        if p == root:
            tree += seconds
    return tree, postgres


def machine_busy() -> tuple[float, float, float]:
    """(busy, stolen, total) jiffies of all cores since boot (/proc/stat). Stolen: time this
    virtual machine wanted a core and the host gave it to another machine; not in busy."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, steal = values[3] + values[4], values[7]  # idle + iowait; steal
    return sum(values) - idle - steal, steal, sum(values)


@dataclass
class Usage:
    """What a recorded window cost the machine. CPU in cores (1.0 = one core busy all the
    time): the server's processes, PostgreSQL's, this client's, and the whole machine's (the
    rest is whatever else runs on it: a busy machine makes the numbers worse), and the cores'
    time the host gave to other virtual machines while this one wanted it. On PostgreSQL also
    the sessions (connections) opened to the database."""

    server: float = 0.0
    database: float = 0.0
    client: float = 0.0
    machine: float = 0.0
    stolen: float = 0.0
    sessions: int | None = None

    @property
    def rest(self) -> float:
        return self.machine - self.server - self.database - self.client

    @classmethod
    def measure(cls, server_pid: int, window: Window, engine: Engine) -> Usage:
        def snapshot() -> tuple[float, float, float, float, float, float, int | None, float]:
            tree, postgres = process_cpu_seconds(server_pid)
            busy, stolen, total = machine_busy()
            return (tree, postgres, time.process_time(), busy, stolen, total,
                    pg_sessions(engine), time.perf_counter())

        time.sleep(max(0.0, window.start - time.perf_counter()))
        s0, d0, c0, b0, x0, t0, n0, w0 = snapshot()
        time.sleep(max(0.0, window.end - time.perf_counter()))
        s1, d1, c1, b1, x1, t1, n1, w1 = snapshot()
        wall, cores = w1 - w0, os.cpu_count() or 1
        jiffies = max(1.0, t1 - t0)
        return cls((s1 - s0) / wall, (d1 - d0) / wall, (c1 - c0) / wall,
                   cores * (b1 - b0) / jiffies, cores * (x1 - x0) / jiffies,
                   n1 - n0 if n0 is not None and n1 is not None else None)


def pg_sessions(engine: Engine) -> int | None:
    """Sessions ever opened to this PostgreSQL database (pg_stat_database, PostgreSQL 14+)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        return int(conn.exec_driver_sql(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            .scalar_one())


# -- the clients -----------------------------------------------------------------------------

def contribution(rng: random.Random, communes: list[int],
                 when: Callable[[], date]) -> dict[str, Any]:
    """A contribution as a clerk would enter it in a commune."""
    kind = rng.choices(["cash", "in_kind", "labor"], [60, 15, 25])[0]
    body: dict[str, Any] = {"unit_id": rng.choice(communes), "source": rng.choice(SOURCES),
                            "kind": kind, "date": when().isoformat(),
                            "contributor_name": f"Hộ gia đình số {rng.randint(1, 9999)}"}
    if kind == "labor":
        body["labor_days"] = rng.randint(1, 20)
    else:
        body["amount_vnd"] = rng.randint(1, 500) * 100_000
    return body


def writer(base: str, bearer: str, setup: Setup, when: Callable[[], date], seed: int,
           every: float, window: Window, out: list[Sample], failures: list[Failure]) -> None:
    """POST a contribution every `every` seconds (no catching up after a slow one)."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {bearer}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        due = time.perf_counter()
        while not window.stop.is_set():
            if window.stop.wait(max(0.0, due - time.perf_counter())):
                break
            body = contribution(rng, setup.communes, when)
            t0 = time.perf_counter()
            try:
                r = client.post("/api/v1/contributions", json=body)
                status, detail = r.status_code, short(r)
            except httpx.HTTPError as exc:
                status, detail = 0, repr(exc)
            t1 = time.perf_counter()
            if window.records(t0):
                out.append(Sample((t1 - t0) * 1000, status))
            if status != 201:
                failures.append(Failure("write", status, detail))
            due = max(due + every, t1) if every else t1


def load_page(client: httpx.Client, secret: str, year_q: str,
              failures: list[Failure]) -> str:
    """Open a screen's page, as a browser does once; the ETag its script starts from."""
    try:
        page = client.get(f"/screen/{secret}{year_q}")
    except httpx.HTTPError as exc:
        failures.append(Failure("screen page", 0, repr(exc)))
        return ""
    if page.status_code != 200:
        failures.append(Failure("screen page", page.status_code, short(page)))
    found = re.search(r'data-etag="([^"]*)"', page.text)
    return found.group(1) if found else ""


def timed_get(client: httpx.Client, url: str, headers: dict[str, str] | None = None
              ) -> tuple[float, float, int, str, httpx.Response | None]:
    """One GET: its start and end (perf_counter), status (0 if it failed) and detail."""
    t0 = time.perf_counter()
    try:
        r = client.get(url, headers=headers)
        status, detail, answer = r.status_code, short(r), r
    except httpx.HTTPError as exc:
        status, detail, answer = 0, repr(exc), None
    return t0, time.perf_counter(), status, detail, answer


def screen(base: str, secret: str, level: str, year_q: str, etag: str | None, seed: int,
           window: Window, out: list[Sample], failures: list[Failure]) -> None:
    """One wall screen, as static/live.js drives it: every POLL_SECONDS after the previous
    answer, its /live parts with If-None-Match. `etag` is that of the page already open;
    None: open the page first (a cold start, every screen within one polling interval)."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers={"Accept": "text/html"}, timeout=60) as client:
        # Not all in step: the screens were switched on at different moments.
        if window.stop.wait(rng.uniform(0, POLL_SECONDS)):
            return
        if etag is None:
            etag = load_page(client, secret, year_q, failures)
        while not window.stop.wait(POLL_SECONDS):
            headers = {"If-None-Match": f'"{etag}"'} if etag else {}
            t0, t1, status, detail, r = timed_get(client, f"/screen/{secret}/live{year_q}",
                                                  headers)
            if r is not None and status == 200:
                etag = r.headers.get("ETag", "").removeprefix("W/").strip('"')
            if window.records(t0):
                out.append(Sample((t1 - t0) * 1000, status, level))
            if status not in (200, 304):
                failures.append(Failure("dashboard", status, detail))


def health_poller(base: str, seed: int, window: Window, out: list[Sample],
                  failures: list[Failure]) -> None:
    """Phase D's stand-in for a screen: GET /health on a screen's cadence, no work behind it."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as client:
        if window.stop.wait(rng.uniform(0, POLL_SECONDS)):
            return
        while not window.stop.wait(POLL_SECONDS):
            t0, t1, status, detail, _ = timed_get(client, "/health")
            if window.records(t0):
                out.append(Sample((t1 - t0) * 1000, status, "health"))
            if status != 200:
                failures.append(Failure("health", status, detail))


def watch_cache(engine: Engine, day: str, window: Window, stored: dict[int, int]) -> None:
    """Count, per unit, the figures stored in dashboard_cache during the window: a new mark or
    ETag (read every 0.1 s, so two stores of one unit within 0.1 s count once; `computed_at`
    alone also moves when a request claims a refresh)."""
    stmt = text("SELECT unit_id, mark, etag FROM dashboard_cache WHERE day = :day")
    last: dict[int, tuple[int, str]] = {}
    with engine.connect() as conn:
        while not window.stop.wait(0.1):
            t = time.perf_counter()
            rows = conn.execute(stmt, {"day": day}).all()
            conn.rollback()  # the next read sees a fresh snapshot
            for unit, mark, etag in rows:
                if unit in last and last[unit] != (mark, etag) and window.records(t):
                    stored[unit] = stored.get(unit, 0) + 1
                last[unit] = (mark, etag)


@dataclass
class Phase:
    writes: list[Sample]
    dashboards: list[Sample]
    failures: list[Failure]
    usage: Usage
    seconds: float
    stored: dict[int, int]  # unit → figures recomputed and stored in the window


def run_phase(server: Served, engine: Engine, setup: Setup, bearer: str, *, screens: bool,
              writers: int, every: float, year_q: str, when: Callable[[], date], day: str,
              warmup: float, seconds: float, seed: int, cold: bool = False,
              pollers: bool = False) -> Phase:
    """Start every client thread at once, record the window after the warm-up, stop them.
    Unless `cold`, the screens' pages are opened first, one after the other, so that the
    phase measures screens that were already on (and their figures already computed)."""
    failures: list[Failure] = []
    etags: list[str | None] = [None] * len(setup.screens)
    if screens and not cold:
        with httpx.Client(base_url=server.base, timeout=60) as client:
            etags = [load_page(client, secret, year_q, failures) for secret, _ in setup.screens]
    t = time.perf_counter()
    window = Window(t + warmup, t + warmup + seconds)
    writes: list[list[Sample]] = [[] for _ in range(writers)]
    reads: list[list[Sample]] = [[] for _ in setup.screens] if screens or pollers else []
    threads = [threading.Thread(target=writer, args=(server.base, bearer, setup, when,
                                                     seed * 1000 + i, every, window, writes[i],
                                                     failures)) for i in range(writers)]
    for i, (secret, unit) in enumerate(setup.screens if screens else []):
        threads.append(threading.Thread(target=screen, args=(
            server.base, secret, setup.level[unit], year_q, etags[i], seed * 1000 + 100 + i,
            window, reads[i], failures)))
    for i in range(len(setup.screens) if pollers and not screens else 0):
        threads.append(threading.Thread(target=health_poller, args=(
            server.base, seed * 1000 + 100 + i, window, reads[i], failures)))
    stored: dict[int, int] = {}
    if screens:
        threads.append(threading.Thread(target=watch_cache, args=(engine, day, window, stored)))
    for th in threads:
        th.start()
    try:
        usage = Usage.measure(server.proc.pid, window, engine)
    finally:
        window.stop.set()
        for th in threads:
            th.join()
    return Phase([s for xs in writes for s in xs], [s for xs in reads for s in xs], failures,
                 usage, seconds, stored)


# -- the baseline ----------------------------------------------------------------------------

def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    """Milliseconds of `runs` calls after one untimed warm-up."""
    fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def baseline(engine: Engine, province: int, year: int, runs: int) -> dict[str, list[float]]:
    """Raw SQL on one open connection (the subtree's ids walked once in Python, listed in
    IN (...), as bench/summary.py's baseline does), then the application's own calls."""
    from app.db.session import session_scope
    from app.services import dashboards
    from app.services.actor import SYSTEM

    out: dict[str, list[float]] = {}
    with engine.connect() as conn:
        ids = ",".join(map(str, subtree(conn, province)))
        mark = text(f"SELECT max(last_entry) FROM change_mark WHERE unit_id IN ({ids})")
        money = text(f"SELECT sum(amount_vnd) FROM stat_contribution WHERE grain = 'y' "
                     f"AND bucket = :b AND unit_id IN ({ids})").bindparams(
                         bindparam("b", type_=Date))
        out["mark"] = timed(lambda: conn.execute(mark).scalar(), runs)
        # What `dashboards.live` reads since marks move up the tree: the unit's own row.
        own = text("SELECT last_entry FROM change_mark WHERE unit_id = :u")
        out["mark_row"] = timed(lambda: conn.execute(own, {"u": province}).scalar(), runs)
        out["sum"] = timed(lambda: conn.execute(money, {"b": date(year, 1, 1)}).scalar(), runs)
        out["units"] = [float(len(ids.split(",")))]
        conn.rollback()

    today = dashboards.as_of(year)

    def live() -> None:  # a fresh session each call, as a request has
        for session in session_scope(engine):
            dashboards.live(session, actor=SYSTEM, unit_id=province, today=today)

    def figures() -> None:
        for session in session_scope(engine):
            dashboards.figures(session, actor=SYSTEM, unit_id=province, today=today)

    out["live"] = timed(live, runs)  # the first call stores the figures if they are stale
    out["figures"] = timed(figures, max(3, runs // 10))
    return out


# -- the printout ----------------------------------------------------------------------------

def write_slowdown(a: Phase, b: Phase, c: Phase | None,
                   d: Phase | None = None) -> dict[str, dict[float, float]]:
    """Phase B's write percentiles over phase A's (and C's, and the faster of the two at each
    percentile, when C ran; and D's when it ran), minus one; empty if a phase recorded no
    write."""
    wa, wb = [s.ms for s in a.writes], [s.ms for s in b.writes]
    wc = [s.ms for s in c.writes] if c is not None else []
    if not wa or not wb or (c is not None and not wc):
        return {}
    qs = (0.5, 0.95)
    out = {"B/A": {q: percentile(wb, q) / percentile(wa, q) - 1 for q in qs}}
    if c is not None:
        out["B/C"] = {q: percentile(wb, q) / percentile(wc, q) - 1 for q in qs}
        out["B/faster"] = {q: percentile(wb, q) / min(percentile(wa, q), percentile(wc, q)) - 1
                           for q in qs}
    wd = [s.ms for s in d.writes] if d is not None else []
    if wd:
        out["B/D"] = {q: percentile(wb, q) / percentile(wd, q) - 1 for q in qs}
    return out


def report(args: argparse.Namespace, dialect: str, counts: str, setup: Setup, workers: int,
           a: Phase, b: Phase, c: Phase | None, d: Phase | None,
           base: dict[str, list[float]], year: int) -> None:
    n_levels = {lv: sum(1 for _, u in setup.screens if setup.level[u] == lv)
                for lv in ("province", "district", "commune")}
    units = {lv: sum(1 for lv2 in setup.level.values() if lv2 == lv) for lv in n_levels}
    print(f"\n{dialect}: {counts}")
    print(f"server: uvicorn, {workers} worker process{'es' if workers > 1 else ''}; "
          f"{len(setup.screens)} screens over {len(setup.level)} units "
          f"({', '.join(f'{units[lv]} {lv} ({n_levels[lv]} screens)' for lv in n_levels)}); "
          + (f"{args.writers} writers, " + (f"one write each {args.write_every:g} s"
                                             if args.write_every else "back to back")
             if args.writers else "no writers")
          + f"; figures of {year}" + (" as of today" if year == date.today().year else "")
          + f"; {args.warmup:g} s warm-up + {args.seconds:g} s recorded per phase")
    from app.config import get_settings

    print(f"GIL switch interval: server {get_settings().gil_switch_interval_ms:g} ms "
          f"(DVK_GIL_SWITCH_INTERVAL_MS), client {args.client_switch_ms:g} ms")

    all_ms = [s.ms for s in b.dashboards]
    ok_304 = [s.ms for s in b.dashboards if s.status == 304]
    ok_200 = [s.ms for s in b.dashboards if s.status == 200]
    print(f"\nDashboard requests, phase B (GET /screen/<token>/live, ms; "
          f"{len(all_ms) / b.seconds:.1f} per s)")
    head = f"{'':<22}{'n':>7}{'p50':>9}{'p95':>9}{'max':>9}"
    print(head)
    print("-" * len(head))
    for label, xs in (("all", all_ms), ("304 Not Modified", ok_304),
                      ("200 with the parts", ok_200)):
        print(f"{label:<22}{len(xs):>7}{ms(xs, 0.5):>9}{ms(xs, 0.95):>9}"
              f"{(f'{max(xs):.1f}' if xs else '—'):>9}")
    for lv in n_levels:
        for status in (304, 200):
            xs = [s.ms for s in b.dashboards if s.level == lv and s.status == status]
            print(f"{'  ' + lv + ' ' + str(status):<22}{len(xs):>7}{ms(xs, 0.5):>9}"
                  f"{ms(xs, 0.95):>9}{(f'{max(xs):.1f}' if xs else '—'):>9}")
    if d is not None and d.dashboards:
        xs = [s.ms for s in d.dashboards]
        print(f"{'GET /health, phase D':<22}{len(xs):>7}{ms(xs, 0.5):>9}{ms(xs, 0.95):>9}"
              f"{max(xs):>9.1f}   (a round trip that does no work, under the same load)")
    per_minute = []
    for lv in n_levels:
        if units[lv]:
            n = sum(k for u, k in b.stored.items() if setup.level.get(u) == lv)
            per_minute.append(f"{lv} {n * 60 / b.seconds / units[lv]:.1f}")
    print("figures recomputed and stored (dashboard_cache, read every 0.1 s), per unit and "
          "minute: " + ", ".join(per_minute))
    if all_ms:
        p95 = percentile(all_ms, 0.95)
        print(f"goal: dashboard p95 ≤ {DASHBOARD_P95_GOAL_MS:g} ms: {p95:.1f} ms, "
              + ("met" if p95 <= DASHBOARD_P95_GOAL_MS else "NOT met"))
    else:
        print(f"goal: dashboard p95 ≤ {DASHBOARD_P95_GOAL_MS:g} ms: NOT met, no answer recorded")

    phases = [("A: no screens", a), (f"B: {len(setup.screens)} screens", b)]
    if c is not None:
        phases.append(("C: no screens, after", c))
    if d is not None:
        phases.append((f"D: {len(setup.screens)} /health", d))
    print("\nWrites (POST /api/v1/contributions, ms)")
    head = f"{'':<22}{'n':>7}{'per s':>9}{'p50':>9}{'p95':>9}"
    print(head)
    print("-" * len(head))
    for label, ph in phases:
        xs = [s.ms for s in ph.writes]
        print(f"{label:<22}{len(xs):>7}{len(xs) / ph.seconds:>9.1f}{ms(xs, 0.5):>9}"
              f"{ms(xs, 0.95):>9}")
    slow = write_slowdown(a, b, c, d)
    if slow:
        for label, ratios in slow.items():
            print(f"{'slowdown ' + label:<22}{'':>16}{ratios[0.5]:>+8.0%} {ratios[0.95]:>+8.0%}")
        if "B/D" in slow:
            print("(B/D: the screens' own work, apart from the cost of as many requests that do "
                  "none)")
        judged = slow["B/faster" if c is not None else "B/A"]
        print(f"goal: slowdown ≤ {WRITE_SLOWDOWN_GOAL:.0%}"
              + (" (against the faster of A and C)" if c is not None else "") + ": p50 "
              + ("met" if judged[0.5] <= WRITE_SLOWDOWN_GOAL else "NOT met") + ", p95 "
              + ("met" if judged[0.95] <= WRITE_SLOWDOWN_GOAL else "NOT met"))

    print(f"\nCPU in the recorded window, in cores (the machine has {os.cpu_count()}; "
          "'postgres': every PostgreSQL process; 'rest': every other program; 'stolen': "
          "wanted, but given by the host to other virtual machines)")
    head = (f"{'':<22}{'server':>9}{'postgres':>9}{'client':>9}{'rest':>9}{'machine':>9}"
            f"{'stolen':>9}")
    print(head)
    print("-" * len(head))
    for label, ph in phases:
        u = ph.usage
        print(f"{label:<22}{u.server:>9.2f}{u.database:>9.2f}{u.client:>9.2f}{u.rest:>9.2f}"
              f"{u.machine:>9.2f}{u.stolen:>9.2f}")
    if all(ph.usage.sessions is not None for _, ph in phases):
        print("PostgreSQL sessions opened: " + ", ".join(
            f"{label[0]} {ph.usage.sessions} ({ph.usage.sessions / ph.seconds:.1f} per s)"
            for label, ph in phases))
    if max(ph.usage.rest for _, ph in phases) > 0.15:
        print("note: other programs used the machine during this run; its numbers are worse "
              "than on a quiet machine")
    if max(ph.usage.stolen for _, ph in phases) > 0.05:
        print("note: the host gave this machine's cores to others during this run; its numbers "
              "are worse than on a machine of its own")

    mark, money = statistics.median(base["mark"]), statistics.median(base["sum"])
    print("\nBaseline in this process, the server stopped (median ms of warm runs)")
    lines = (
        (f"raw SQL: max(last_entry) FROM change_mark, province subtree "
         f"({int(base['units'][0])} ids in IN (...))", base["mark"]),
        ("raw SQL: last_entry FROM change_mark, the province's own row (what `live` reads)",
         base["mark_row"]),
        (f"raw SQL: sum(amount_vnd) FROM stat_contribution, province, year {year}", base["sum"]),
        ("app: dashboards.live, province, served from the cache (no HTTP)", base["live"]),
        ("app: dashboards.figures, province, a full recomputation (no HTTP)", base["figures"]),
    )
    for label, xs in lines:
        print(f"  {label:<84}{statistics.median(xs):>9.3f}  ({len(xs)} runs)")
    head = f"{'dashboard p50 (phase B)':<26}{'ms':>8}{'÷ mark':>10}{'÷ sum':>10}"
    print("\n" + head)
    print("-" * len(head))
    for label, xs in (("all", all_ms), ("304", ok_304), ("200", ok_200)):
        if xs:
            p50 = percentile(xs, 0.5)
            print(f"{label:<26}{p50:>8.1f}{p50 / mark:>10.0f}{p50 / money:>10.0f}")


# -- main ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a database made by `python -m bench.generate`")
    parser.add_argument("--screens", type=int, default=50, help="wall screens polling (phase B)")
    parser.add_argument("--units", type=int, default=20, help="units the screens show")
    parser.add_argument("--seconds", type=float, default=60, help="recorded seconds per phase")
    parser.add_argument("--warmup", type=float, default=5, help="unrecorded seconds per phase")
    parser.add_argument("--writers", type=int, default=2, help="writer threads")
    parser.add_argument("--write-every", type=float, default=0.5,
                        help="seconds between the starts of a writer's writes (0: back to back)")
    parser.add_argument("--workers", type=int,
                        help="uvicorn workers (default: 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--client-switch-ms", type=float, default=0.5,
                        help="this client's GIL switch interval: its 50-odd threads, each a "
                             "screen that would be a machine of its own, should not queue "
                             "behind each other in 5 ms turns (Python's default)")
    parser.add_argument("--year", type=int, help="a past year to show (default: today's)")
    parser.add_argument("--runs", type=int, default=50, help="runs of each baseline query")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-phase-c", dest="phase_c", action="store_false",
                        help="skip phase C (the writers alone again after phase B)")
    parser.add_argument("--no-phase-d", dest="phase_d", action="store_false",
                        help="skip phase D (the writers and pollers of GET /health)")
    parser.add_argument("--cold", action="store_true",
                        help="phase B: every screen opens its page within the first 2 s, "
                             "after phase A's writes (default: pages opened one by one first)")
    args = parser.parse_args(argv)
    sys.setswitchinterval(args.client_switch_ms / 1000)

    secret_key = open_data_set(args.url)
    from app.db.engine import make_engine

    engine = make_engine(args.url)
    dialect = engine.dialect.name
    workers = args.workers or (2 if dialect == "postgresql" else 1)
    today = date.today()
    year = args.year or today.year
    if year == today.year:
        year_q, when = "", (lambda: date.today())
    else:
        if not 1990 <= year < today.year:
            parser.error(f"--year must be a past year (1990–{today.year - 1})")
        year_q = f"?year={year}"
        first = date(year, 1, 1)
        rng_day = random.Random(args.seed)
        days = (date(year, 12, 31) - first).days
        when = lambda: first + timedelta(days=rng_day.randint(0, days))  # noqa: E731

    counts = table_counts(engine)
    print(f"{dialect}: {counts}", flush=True)
    setup = prepare(engine, n_screens=args.screens, n_units=args.units, seed=args.seed)
    server = serve(args.url, secret_key, workers).start()
    try:
        server.wait_ready()
        bearer = sign_in(server.base, USERNAME, setup.password)
        day = (today if year == today.year else date(year, 12, 31)).isoformat()
        common: dict[str, Any] = dict(
            writers=args.writers, every=args.write_every, year_q=year_q, when=when, day=day,
            warmup=args.warmup, seconds=args.seconds, seed=args.seed, cold=args.cold)
        print(f"phase A: {args.writers} writers, no screens, "
              f"{args.warmup:g} + {args.seconds:g} s …", flush=True)
        a = run_phase(server, engine, setup, bearer, screens=False, **common)
        print(f"phase B: {args.writers} writers and {args.screens} screens, "
              f"{args.warmup:g} + {args.seconds:g} s …", flush=True)
        b = run_phase(server, engine, setup, bearer, screens=True, **common)
        c = None
        if args.phase_c:
            print(f"phase C: {args.writers} writers, no screens again, "
                  f"{args.warmup:g} + {args.seconds:g} s …", flush=True)
            c = run_phase(server, engine, setup, bearer, screens=False, **common)
        d = None
        if args.phase_d:
            print(f"phase D: {args.writers} writers and {args.screens} pollers of /health, "
                  f"{args.warmup:g} + {args.seconds:g} s …", flush=True)
            d = run_phase(server, engine, setup, bearer, screens=False, pollers=True, **common)
    except BaseException:
        server.stop()
        raise
    server_errors = log_errors(server)
    server.stop()
    base = baseline(engine, setup.province, year, args.runs)
    revoke_screens(engine, setup)
    engine.dispose()

    report(args, dialect, counts, setup, workers, a, b, c, d, base, year)
    failures = [f for ph in (a, b, c, d) if ph is not None for f in ph.failures]
    if failures:
        kinds: dict[tuple[str, int, str], int] = {}
        for f in failures:
            kinds[(f.what, f.status, f.detail)] = kinds.get((f.what, f.status, f.detail), 0) + 1
        print(f"\n{len(failures)} FAILED REQUESTS")
        for (what, status, detail), n in sorted(kinds.items(), key=lambda kv: -kv[1]):
            print(f"  {n:>5} × {what}: {status} {detail}")
    if server_errors:
        print(f"\nexceptions in the server's log ({server.log_name}):")
        for line, n in sorted(server_errors.items(), key=lambda kv: -kv[1]):
            print(f"  {n:>5} × {line}")
    else:
        os.unlink(server.log_name)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
