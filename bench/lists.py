"""Lists of 50 for each role, against datasette's JSON of the same table, in one run.

    python -m bench.lists --url sqlite:////work/bench/lists.sqlite3 [--seconds 3]
                          [--concurrency 1,16] [--datasette-venv DIR] [--before CHECKOUT]
    python -m bench.lists --url postgresql://postgres@127.0.0.1:5432/bench_lists

It needs a database made by `python -m bench.generate` (a province: 755 units, 2.5 million
contributions); it writes to it (four accounts and, on PostgreSQL, a VACUUM), so give it a copy.
It migrates the database to the newest revision, then:

1. makes, in this process, four accounts (`bench-lists-<role>`, their passwords reset to a
   random one each run): an admin of the province, and clerks of the province, of its first
   district and of that district's first commune (by code); the village of the filters is the
   commune's first village, inside every clerk's subtree;
2. serves the application with uvicorn in a subprocess (`--workers`, default 1), as the
   dashboards' benchmark does, and signs the four in (POST /api/v1/auth/token);
3. on SQLite, serves the same file with datasette (installed into a virtualenv of its own,
   `--datasette-venv`, made by this script when it is missing; never into the project's),
   facet suggestions off (`--setting suggest_facets off`);
4. times `GET /api/v1/contributions` with `limit=50`, for each account, in five cases: no
   filter; `unit_id=<village>`; a date range (Q1 2020); a deep page, `offset=10000` (`--deep`);
   and its keyset equivalent, `after=<the 10 000th id of that account's list>`; and datasette's
   `/<db>/contribution.json?_size=50` with the same filter (`unit_id=`, `date__gte`/`date__lte`;
   for both deep pages its own keyset, `_next=10000`). Datasette knows no scope: a clerk's list
   is compared with datasette's list of the whole table under the same filter. Each case runs
   `--seconds` at each of `--concurrency` (readers each sending their next request when the
   last is answered, 10 s timeout), after a few unrecorded requests, on every server one after
   the other (the application, `--before`, datasette: all started at the beginning), so that
   what is compared is timed within seconds of each other on a machine whose load changes;
5. prints requests per second, p50 and p95 (ms, measured by the client), failed requests, and
   the ratio of the application's requests per second to datasette's in the same case.

On PostgreSQL only the application is timed: datasette serves SQLite files. Autovacuum is off
on the project's machine and the generator does not VACUUM, so a table never vacuumed has no
visibility map and PostgreSQL cannot count from an index alone; the script runs
`VACUUM (ANALYZE)` on the contributions when their pages are not all visible (what autovacuum
would do after the generator's inserts) and says so.

`--before CHECKOUT` also serves another checkout of the project (say the main branch's) on the
same database and prints its figures beside: a before and after from one run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.dashboard import open_data_set
from bench.served import Served, uvicorn
from bench.served import sign_in as bearer

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("admin", "province", "district", "commune")
CASES = ("none", "village", "dates", "deep offset", "after (keyset)")
DATES = ("2020-01-01", "2020-03-31")
DEEP = 10_000  # the deep pages' offset (`--deep`: less on a small data set)
DATASETTE = "datasette==0.65.5"


# -- the accounts and the units ----------------------------------------------------------------

@dataclass
class Setup:
    units: dict[str, int]  # province, district, commune, village → id
    password: str


def prepare(url: str) -> Setup:
    """The four accounts, made through the services as `dvk create-user` would."""
    from sqlalchemy import select

    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.db.units import Unit
    from app.db.users import User
    from app.enums import Role
    from app.services import auth, passwords

    engine = make_engine(url)
    password = secrets.token_urlsafe(18)
    for session in session_scope(engine, write=True):
        def first(level: str, parent: int | None) -> Unit:
            stmt = select(Unit).where(Unit.level == level, Unit.merged_into_id.is_(None))
            if parent is not None:
                stmt = stmt.where(Unit.parent_id == parent)
            return session.exec(stmt.order_by(Unit.code)).scalars().first()  # type: ignore[no-any-return]

        province = first("province", None)
        district = first("district", province.id)
        commune = first("commune", district.id)
        village = first("village", commune.id)
        units = {"province": province.id, "district": district.id, "commune": commune.id,
                 "village": village.id}
        homes = {"admin": province, "province": province, "district": district,
                 "commune": commune}
        for role in ROLES:
            name, grade = f"bench-lists-{role}", Role.admin if role == "admin" else Role.clerk
            user = session.exec(select(User).where(User.username == name)).scalars().first()
            if user is None:
                auth.create_user(session, username=name, password=password, role=grade,
                                 unit_code=homes[role].code, full_name=f"Benchmark {role}")
            else:
                user.password_hash = passwords.hash_password(password)
                user.role, user.unit_id, user.active = grade, homes[role].id, True
                session.flush()
    engine.dispose()
    return Setup(units, password)


def vacuum_if_needed(url: str) -> str | None:
    """PostgreSQL: VACUUM (ANALYZE) the contributions if their visibility map is empty."""
    from app.db.engine import make_engine

    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            pages, visible = conn.execute(text(
                "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'contribution'")).one()
            if pages and visible < pages / 2:
                t0 = time.perf_counter()
                conn.execute(text("VACUUM (ANALYZE) contribution"))
                return (f"VACUUM (ANALYZE) contribution: {visible} of {pages} pages were all-visible "
                        f"({time.perf_counter() - t0:.1f} s)")
    finally:
        engine.dispose()
    return None


# -- the servers -------------------------------------------------------------------------------

def serve_app(name: str, checkout: Path, url: str, workers: int) -> Served:
    """The application of `checkout` (no PYTHONPATH: it imports its own `app`)."""
    return Served(name, uvicorn("app.main:app", workers),
                  {"DVK_DATABASE_URL": url, "DVK_SECRET_KEY": os.environ["DVK_SECRET_KEY"]},
                  cwd=checkout, drop=("DVK_DEMO", "PYTHONPATH"))


def datasette_bin(venv: Path) -> Path:
    """datasette in its own virtualenv, made (and datasette installed) when missing."""
    exe = venv / "bin" / "datasette"
    if not exe.exists():
        print(f"installing {DATASETTE} into {venv} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", DATASETTE],
                       check=True)
    return exe


class Datasette(Served):
    """datasette on the SQLite file `path`, facet suggestions off."""

    def __init__(self, exe: Path, path: str) -> None:
        super().__init__("datasette", [str(exe), "serve", path, "--host", "127.0.0.1", "--port",
                                       "{port}", "--setting", "suggest_facets", "off"],
                         ready_path="/-/versions.json", cwd=Path(path).parent,
                         drop=("PYTHONPATH",))
        self.db = Path(path).stem  # datasette's name of the database


# -- timing ------------------------------------------------------------------------------------

@dataclass
class Timed:
    ms: list[float] = field(default_factory=list)
    failed: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.ms) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.ms:
            return float("nan")
        xs = sorted(self.ms)
        return xs[min(len(xs) - 1, int(q * len(xs)))]


def hammer(url: str, headers: dict[str, str], readers: int, seconds: float) -> Timed:
    """`readers` threads asking `url` back to back for `seconds` (after 3 unrecorded asks)."""
    out = Timed()
    lock = threading.Lock()
    with httpx.Client(timeout=10, headers=headers) as warm:
        for _ in range(3):
            warm.get(url)
    start = time.perf_counter()
    stop = start + seconds

    def reader() -> None:
        with httpx.Client(timeout=10, headers=headers) as client:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    ok = client.get(url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = (time.perf_counter() - t0) * 1000
                with lock:
                    if ok:
                        out.ms.append(took)
                    else:
                        out.failed += 1

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    out.seconds = time.perf_counter() - start
    return out


def sign_in(base: str, role: str, password: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer(base, f'bench-lists-{role}', password)}"}


def app_queries(base: str, headers: dict[str, str], setup: Setup, deep: int) -> dict[str, str]:
    """The five cases' URLs for one account; the keyset one starts after its `deep`th id."""
    lst = base + "/api/v1/contributions?limit=50"
    r = httpx.get(f"{base}/api/v1/contributions?limit=1&offset={deep - 1}", headers=headers,
                  timeout=60)
    r.raise_for_status()
    if not r.json()["items"]:
        raise SystemExit(f"a list of fewer than {deep} contributions: a smaller --deep, or the "
                         f"full data set")
    after = r.json()["items"][0]["id"]
    return {"none": lst, "village": f"{lst}&unit_id={setup.units['village']}",
            "dates": f"{lst}&date_from={DATES[0]}&date_to={DATES[1]}",
            "deep offset": f"{lst}&offset={deep}", "after (keyset)": f"{lst}&after={after}"}


def datasette_queries(base: str, db: str, setup: Setup, deep: int) -> dict[str, str]:
    lst = f"{base}/{db}/contribution.json?_size=50"
    return {"none": lst, "village": f"{lst}&unit_id={setup.units['village']}",
            "dates": f"{lst}&date__gte={DATES[0]}&date__lte={DATES[1]}",
            "deep offset": f"{lst}&_next={deep}", "after (keyset)": f"{lst}&_next={deep}"}


# -- the run -----------------------------------------------------------------------------------

def run(servers: list[Served], ds: Datasette | None, setup: Setup, levels: list[int],
        seconds: float, deep: int = DEEP) -> tuple[dict[str, dict[tuple[str, str, int], Timed]],
                                                   dict[tuple[str, str, int], Timed]]:
    """Every case on every server, one after the other for each case (the machine's load
    changes by the minute: what is compared is timed minutes apart at most)."""
    out: dict[str, dict[tuple[str, str, int], Timed]] = {s.name: {} for s in servers}
    theirs: dict[tuple[str, str, int], Timed] = {}
    ds_urls = datasette_queries(ds.base, ds.db, setup, deep) if ds is not None else {}
    for role in ROLES:
        signed = [(s, sign_in(s.base, role, setup.password)) for s in servers]
        urls = [(s, h, app_queries(s.base, h, setup, deep)) for s, h in signed]
        for case in CASES:
            for readers in levels:
                timed = [(s.name, out[s.name], h, u[case]) for s, h, u in urls]
                if ds is not None:
                    timed.append(("datasette", theirs, {}, ds_urls[case]))
                for name, into, headers, url in timed:
                    into[role, case, readers] = t = hammer(url, headers, readers, seconds)
                    print(f"  {name:<9} {role:<9} {case:<15} ×{readers:<3} {t.rate:7.1f}/s  "
                          f"p50 {t.pct(.5):7.1f}  p95 {t.pct(.95):7.1f}  failed {t.failed}",
                          flush=True)
    return out, theirs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lists",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a copy of a `bench.generate` database")
    parser.add_argument("--seconds", type=float, default=3.0, help="recorded seconds per case")
    parser.add_argument("--concurrency", default="1,16", help="readers at once, comma-separated")
    parser.add_argument("--workers", type=int, default=1, help="the application's uvicorn workers")
    parser.add_argument("--datasette-venv", type=Path, default=Path("var/datasette-venv"),
                        help="datasette's own virtualenv (made when missing)")
    parser.add_argument("--no-datasette", dest="datasette", action="store_false")
    parser.add_argument("--before", type=Path, help="another checkout to time on the same data")
    parser.add_argument("--deep", type=int, default=DEEP,
                        help="the deep pages' offset (less than each account's list)")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",")]
    open_data_set(args.url)  # the servers' secret key: DVK_SECRET_KEY (serve_app)
    parsed = make_url(args.url)
    sqlite = parsed.drivername.startswith("sqlite")
    if not sqlite:
        note = vacuum_if_needed(args.url)
        if note:
            print(note, flush=True)
    setup = prepare(args.url)
    print(f"units: {setup.units}; {args.seconds:g} s per case and concurrency; deep pages at "
          f"{args.deep}", flush=True)

    checkouts = [("app", ROOT)] + ([("before", args.before.resolve())] if args.before else [])
    servers = [serve_app(name, checkout, args.url, args.workers).start()
               for name, checkout in checkouts]
    ds: Datasette | None = None
    if sqlite and args.datasette:
        ds = Datasette(datasette_bin(args.datasette_venv.resolve()), parsed.database).start()
    try:
        for server in servers + ([ds] if ds else []):
            server.wait_ready()
        if ds is not None:
            version = httpx.get(ds.base + "/-/versions.json").json()["datasette"]["version"]
            print(f"datasette {version}", flush=True)
        results, theirs = run(servers, ds, setup, levels, args.seconds, args.deep)
    finally:
        for server in servers + ([ds] if ds else []):
            server.stop()
    report(results, theirs, levels, sqlite)
    return 1 if any(t.failed for r in results.values() for t in r.values()) else 0


def report(results: dict[str, dict[tuple[str, str, int], Timed]],
           ds: dict[tuple[str, str, int], Timed], levels: list[int], sqlite: bool) -> None:
    print()
    if not ds:
        print("datasette: not timed (" + ("it serves SQLite files only" if not sqlite
                                          else "--no-datasette") + ")")
    head = f"{'role':<9} {'case':<15} {'readers':>7}"
    for name in results:
        head += f" | {name + ' req/s':>12} {'p50':>7} {'p95':>7} {'fail':>4}"
    if ds:
        head += f" | {'datasette':>9} {'p50':>7} {'p95':>7} | " + " ".join(
            f"{name + '/ds':>9}" for name in results)
    print(head)
    print("-" * len(head))
    for role in ROLES:
        for case in CASES:
            for readers in levels:
                line = f"{role:<9} {case:<15} {readers:>7}"
                for r in results.values():
                    t = r[role, case, readers]
                    line += f" | {t.rate:12.1f} {t.pct(.5):7.1f} {t.pct(.95):7.1f} {t.failed:>4}"
                if ds:
                    d = ds[role, case, readers]
                    line += f" | {d.rate:9.1f} {d.pct(.5):7.1f} {d.pct(.95):7.1f} | " + " ".join(
                        f"{r[role, case, readers].rate / d.rate if d.rate else float('nan'):9.2f}"
                        for r in results.values())
                print(line)
    print("\nms measured by the client; ratio = the application's requests per second over "
          "datasette's, same case and readers (≥ 1: at least as fast).")


if __name__ == "__main__":
    sys.exit(main())
