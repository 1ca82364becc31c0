"""Concurrent writes: clerks posting contributions at once, against the plainest app that
stores the same row.

    python -m bench.writes --url URL [--bare-url URL] [--seconds 10] [--writers 1,4,16]
                           [--copy-from /work/bench/bench.sqlite3] [--profile 200]

URL is a database made by the report benchmark's generator (a province: 755 units, 2.5
million contributions) that this run may write into: an SQLite file copied from the data set
(`--copy-from` copies it, with its -wal/-shm, to URL's path first), or a PostgreSQL database
made from it (`createdb -T bench bench_writes`). The run migrates it to the newest revision,
then, in ONE run:

1. prepares the clerks: `--clerks` users of role clerk (`bench-writer-N`), each on a district
   (their password reset each run), signed in through POST /api/v1/auth/token;
2. starts the application under uvicorn in a subprocess (one worker, as `dvk serve` on SQLite;
   `--workers` for more processes on one database) and the bare baseline
   (`bench/writes_bare.py`: Starlette, pydantic, one INSERT with sqlite3 or psycopg into an
   empty `contribution` table of the same columns and indexes, in a database of its own:
   URL's file with `-bare` on SQLite, database `<name>_bare` on PostgreSQL, made if missing);
3. for each count of writers (1, 4, 16): `--warmup` seconds unrecorded, then `--seconds`
   recorded, each writer a thread with its own connection posting valid contributions back to
   back (money, in kind or labour days, to a random commune or village of its clerk's
   district, dated this year), first to the application, then to the baseline;
4. prints, per count: requests per second, p50/p95/max in ms, errors by status, and the ratio
   application/baseline of the throughput, then the goals (16 writers: no error, p95 ≤ 50 ms,
   throughput ≥ 0.25 × the baseline's).

`--profile N` instead runs N creates in this process through the service (no HTTP), each in
its own unit of work as a request has, and prints the statements per write, the time per
phase and cProfile's top functions.

Each run leaves in the database what it wrote: its contributions, their audit entries and the
clerks.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from bench.dashboard import contribution, process_cpu_seconds
from bench.served import Served, sign_in, uvicorn

ROOT = Path(__file__).resolve().parent.parent
P95_GOAL_MS = 50.0
RATIO_GOAL = 0.25


@dataclass
class Result:
    label: str
    writers: int
    seconds: float
    ms: list[float] = field(default_factory=list)
    cpu: float = 0.0  # CPU seconds of the server's processes (and PostgreSQL's) in the window
    statuses: dict[int, int] = field(default_factory=dict)
    details: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def errors(self) -> dict[int, int]:
        return {s: n for s, n in sorted(self.statuses.items()) if s != 201}

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def q(self, p: float) -> float:
        if not self.ms:
            return float("nan")
        s = sorted(self.ms)
        return s[min(len(s) - 1, int(round(p * (len(s) - 1))))]


# -- the data ---------------------------------------------------------------------------------

@dataclass
class Clerk:
    username: str
    password: str
    units: list[int]  # the communes and villages of the clerk's district


def prepare_clerks(url: str, n: int) -> list[Clerk]:
    """`n` clerks, one per district (round robin), made or reset through the services."""
    from sqlalchemy import select

    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.db.units import Unit
    from app.db.users import User
    from app.enums import Role
    from app.services import auth, passwords, scope

    engine = make_engine(url)
    clerks = []
    try:
        for session in session_scope(engine, write=True):
            districts = session.exec(select(Unit.id, Unit.code).where(
                Unit.level == "district", Unit.merged_into_id.is_(None))
                .order_by(Unit.code)).all()
            if not districts:
                raise SystemExit("no districts: make the database with bench.generate first")
            for i in range(n):
                did, code = districts[i % len(districts)]
                name, password = f"bench-writer-{i + 1}", secrets.token_urlsafe(18)
                user = session.exec(select(User).where(User.username == name)).scalars().first()
                if user is None:
                    auth.create_user(session, username=name, password=password, role=Role.clerk,
                                     unit_code=code, full_name=f"Cán bộ nhập liệu {i + 1}")
                else:
                    user.password_hash = passwords.hash_password(password)
                    user.role, user.unit_id, user.active = Role.clerk, did, True
                    session.flush()
                units = [u for u in session.exec(scope.subtree_ids(did)).scalars() if u != did]
                clerks.append(Clerk(name, password, units))
    finally:
        engine.dispose()
    return clerks


def day_in(rng: random.Random, year: int) -> Callable[[], date]:
    """A day of `year` at random, today at the latest (the API refuses a date to come)."""
    return lambda: min(date(year, rng.randint(1, 12), rng.randint(1, 28)), date.today())


# -- driving ----------------------------------------------------------------------------------

def drive(label: str, url: str, path: str, writers: int, bearers: list[str],
          clerks: list[Clerk], warmup: float, seconds: float, seed: int, server_pid: int) -> Result:
    result = Result(label, writers, seconds)
    lock = threading.Lock()
    start = time.perf_counter() + warmup
    end = start + seconds
    year = date.today().year

    def one(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        when = day_in(rng, year)
        clerk = clerks[i % len(clerks)]
        headers = {"Authorization": f"Bearer {bearers[i % len(bearers)]}"} if bearers else {}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            while True:
                body = contribution(rng, clerk.units, when)
                t0 = time.perf_counter()
                if t0 >= end:
                    return
                try:
                    r = client.post(path, json=body)
                    status, detail = r.status_code, r.text[:160]
                except httpx.HTTPError as exc:
                    status, detail = 0, repr(exc)[:160]
                t1 = time.perf_counter()
                if t0 >= start:
                    with lock:
                        result.ms.append((t1 - t0) * 1000)
                        result.statuses[status] = result.statuses.get(status, 0) + 1
                        if status != 201:
                            result.details[f"{status} {detail}"] = \
                                result.details.get(f"{status} {detail}", 0) + 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, start - time.perf_counter()))
    before = sum(process_cpu_seconds(server_pid))
    time.sleep(max(0.0, end - time.perf_counter()))
    result.cpu = sum(process_cpu_seconds(server_pid)) - before
    for t in threads:
        t.join()
    return result


def show(r: Result) -> str:
    errors = ", ".join(f"{s}×{n}" for s, n in r.errors.items()) or "none"
    return (f"  {r.label:<8} {r.writers:>3} writers  {r.rate:8.1f} req/s  p50 {r.q(.5):7.1f}  "
            f"p95 {r.q(.95):7.1f}  max {max(r.ms, default=float('nan')):7.1f} ms  "
            f"ok {r.ok:>5}  server CPU {r.cpu / max(r.ok, 1) * 1000:5.2f} ms/write  errors {errors}")


def bare_url_for(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        path = Path(parsed.database or "bench.sqlite3")
        return f"sqlite:///{path.with_name(path.stem + '-bare' + path.suffix)}"
    return parsed.set(database=f"{parsed.database}_bare").render_as_string(hide_password=False)


def make_pg_database(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres") \
        .render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (parsed.database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{parsed.database}"')


def copy_sqlite(source: str, url: str) -> None:
    target = make_url(url).database
    assert target, "an SQLite URL with a file"
    for suffix in ("", "-wal", "-shm"):
        dst = Path(target + suffix)
        if dst.exists():
            dst.unlink()
        if Path(source + suffix).exists():
            shutil.copyfile(source + suffix, dst)
    print(f"copied {source} to {target}", flush=True)


# -- profile ----------------------------------------------------------------------------------

def profile(url: str, n: int, clerk_name: str) -> None:
    """`n` creates in process, each in its own write unit of work, as a request makes them."""
    import cProfile
    import pstats
    from contextlib import contextmanager

    from sqlalchemy import event, select

    from app.db.contributions import ContributionCreate
    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.db.users import User
    from app.enums import Role
    from app.services import contributions
    from app.services.actor import Actor

    engine = make_engine(url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda c, cur, stmt, *a: statements.append(stmt.split(None, 1)[0].upper()))
    for session in session_scope(engine):
        user = session.exec(select(User).where(User.username == clerk_name)).scalars().one()
        actor = Actor(user_id=user.id, username=user.username, role=Role.clerk,
                      unit_id=user.unit_id)
        from app.services import scope
        units = [u for u in session.exec(scope.subtree_ids(user.unit_id)).scalars()
                 if u != user.unit_id]
    rng = random.Random(7)
    bodies = [ContributionCreate.model_validate(contribution(rng, units, day_in(rng, date.today().year)))
              for _ in range(2 * n + 20)]
    write = contextmanager(session_scope)
    for body in bodies[:20]:  # warm the caches
        with write(engine, write=True) as s:
            contributions.create(s, actor=actor, data=body)
    t0, c0 = time.perf_counter(), time.process_time()
    for body in bodies[20 + n:]:
        with write(engine, write=True) as s:
            contributions.create(s, actor=actor, data=body)
    print(f"{n} creates in process, no profiler: {(time.perf_counter() - t0) / n * 1000:.2f} ms "
          f"each, {(time.process_time() - c0) / n * 1000:.2f} ms of CPU (a unit of work each: "
          "BEGIN IMMEDIATE, the create, COMMIT)")
    statements.clear()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for body in bodies[20:20 + n]:
        with write(engine, write=True) as s:
            contributions.create(s, actor=actor, data=body)
    prof.disable()
    took = time.perf_counter() - t0
    print(f"{n} creates in process: {took / n * 1000:.2f} ms each (cProfile on), "
          f"{len(statements) / n:.1f} statements each:")
    kinds: dict[str, int] = {}
    for s in statements:
        kinds[s] = kinds.get(s, 0) + 1
    print("  " + ", ".join(f"{k} {v / n:.1f}" for k, v in sorted(kinds.items())))
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(45)
    engine.dispose()


# -- main -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--bare-url", default=None)
    ap.add_argument("--copy-from", default=None, help="SQLite: copy this file to URL's path first")
    ap.add_argument("--writers", default="1,4,16")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--clerks", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", type=int, default=0)
    ap.add_argument("--skip-bare", action="store_true")
    ap.add_argument("--app-root", type=Path, default=ROOT,
                    help="serve the application from this checkout (another branch, to compare)")
    args = ap.parse_args(argv)

    secret_key = secrets.token_urlsafe(32)
    os.environ["DVK_SECRET_KEY"] = secret_key  # before any app module reads the settings
    os.environ["DVK_DATABASE_URL"] = args.url
    from app.cli import migrate_to_head
    from app.db.engine import normalize_url

    url = normalize_url(args.url)
    sqlite = url.startswith("sqlite")
    if args.copy_from:
        if not sqlite:
            raise SystemExit("--copy-from is for an SQLite URL")
        copy_sqlite(args.copy_from, url)
    migrate_to_head(url)
    clerks = prepare_clerks(url, args.clerks)
    if args.profile:
        profile(url, args.profile, clerks[0].username)
        return 0
    bare_url = normalize_url(args.bare_url or bare_url_for(url))
    from bench import writes_bare

    if not sqlite:
        make_pg_database(bare_url)
    writes_bare.prepare(bare_url)

    counts = [int(x) for x in args.writers.split(",")]
    app_server = Served("writes-app", uvicorn("app.main:app", args.workers),
                        {"DVK_DATABASE_URL": url, "DVK_SECRET_KEY": secret_key},
                        cwd=args.app_root).start()
    bare_server = None if args.skip_bare else Served(
        "writes-bare", uvicorn("bench.writes_bare:app", args.workers),
        {"BARE_DATABASE_URL": bare_url}).start()
    results: dict[tuple[str, int], Result] = {}
    try:
        app_server.wait_ready()
        if bare_server:
            bare_server.wait_ready()
        bearers = [sign_in(app_server.base, clerk.username, clerk.password)
                   for clerk in clerks]
        print(f"application from {args.app_root}  "
              f"database {make_url(url).render_as_string()}  baseline {bare_url}  "
              f"{args.seconds:g} s per run after {args.warmup:g} s warm-up, "
              f"{args.workers} worker process(es)", flush=True)
        for n in counts:
            r = drive("project", app_server.base, "/api/v1/contributions", n, bearers, clerks,
                      args.warmup, args.seconds, args.seed, app_server.proc.pid)
            results[("project", n)] = r
            print(show(r), flush=True)
            for detail, k in sorted(r.details.items(), key=lambda kv: -kv[1])[:3]:
                print(f"      {k}× {detail}")
            if bare_server:
                b = drive("bare", bare_server.base, "/contributions", n, [], clerks,
                          args.warmup, args.seconds, args.seed, bare_server.proc.pid)
                results[("bare", n)] = b
                print(show(b), flush=True)
                print(f"      ratio project/bare: throughput {r.rate / max(b.rate, 1e-9):.3f}, "
                      f"p50 {r.q(.5) / b.q(.5):.1f}×, p95 {r.q(.95) / b.q(.95):.1f}×, "
                      f"server CPU per write {r.cpu / max(r.ok, 1) / max(b.cpu / max(b.ok, 1), 1e-9):.1f}×",
                      flush=True)
    finally:
        app_server.stop()
        if bare_server:
            bare_server.stop()
    top = max(counts)
    r, b = results[("project", top)], results.get(("bare", top))
    print(f"\ngoals at {top} writers:")
    print(f"  errors: {sum(r.errors.values())} (goal 0)  "
          f"{'met' if not r.errors else 'NOT met'}")
    print(f"  p95: {r.q(.95):.1f} ms (goal ≤ {P95_GOAL_MS:g})  "
          f"{'met' if r.q(.95) <= P95_GOAL_MS else 'NOT met'}")
    if b:
        ratio = r.rate / max(b.rate, 1e-9)
        print(f"  throughput: {r.rate:.1f} vs bare {b.rate:.1f} req/s = {ratio:.3f}× "
              f"(goal ≥ {RATIO_GOAL})  {'met' if ratio >= RATIO_GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
