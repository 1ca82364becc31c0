"""The server's memory under a mixed load: resident memory (RSS) of one `dvk serve` worker, and
of the dashboards' computation process it starts, sampled every 100 ms from /proc.

    python -m bench.memory --url URL [--seconds 60] [--alone 15] [--kinds write,report_xlsx]

It needs a database made by the report benchmark's generator (bench/README.md), and writes
into it (contributions, an import's rows, a clerk, display tokens): run it on a copy, e.g.

    cp /work/bench/bench.sqlite3 /work/bench/memory.sqlite3
    python -m bench.memory --url sqlite:////work/bench/memory.sqlite3
    createdb -h 127.0.0.1 -U postgres -T bench bench_memory
    python -m bench.memory --url postgresql://postgres@127.0.0.1:5432/bench_memory

It migrates the database, makes (or resets) an admin of the province and a clerk of a commune
and a few wall screens' tokens (bench.dashboard.prepare), then starts the server as it is
deployed, `dvk serve` (one worker, this checkout's code, the `dvk` command's own settings such
as the malloc arena limit), and drives each kind of request in a thread of its own on a cadence
(`KINDS`): contribution writes (clerk), contribution lists as admin and as clerk, the summary
report as JSON, .docx and .xlsx, a list's exports (.csv, .xlsx), wall screens polling their
dashboards, and an import of a CSV file; on request (`--kinds sign_in_burst`), 8 sign-ins sent
at once every 10 s. Printed:

- the worker's RSS right after start (its /health answered), at the end of the load, the
  highest sample and the kernel's own high-water mark (VmHWM, which sees between samples), the
  request kinds in flight at the highest sample; the same for the computation process;
- each kind's latency p50 / p95 (ms, client side) and the most the worker's RSS rose while
  one request of that kind ran;
- then, unless `--alone 0`, each kind alone on a freshly started server for `--alone`
  seconds: the same figures, which say what each kind costs on its own.

The goal (issue 19): the worker at most 150 MB at its peak under the mixed load. Latencies are
noisy on a shared machine: compare runs of this script (before / after a change) at the same
time of day, and against `/health`, which is timed in every run (`health` kind).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import secrets
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.dashboard import USERNAME, contribution, open_data_set, prepare
from bench.served import Served, sign_in
from bench.summary import percentile

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 150.0
CLERK = "bench-memory-clerk"
YEAR = 2025  # the generated records' last year
IMPORT_ROWS = 2000
BURST = 8  # sign-ins sent at once by the sign_in_burst kind
OPT_IN = {"sign_in_burst"}  # kinds run only when named in --kinds
IMPORT_HEAD = ["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Ngày công", "Người, đơn vị đóng góp",
               "Ngày", "Mã tham chiếu"]


# -- memory ----------------------------------------------------------------------------------

def status_kib(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def clear_peak(pid: int) -> None:
    """Reset the kernel's high-water mark of the process's RSS (VmHWM) to its RSS now."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def descendants(root: int) -> dict[int, str]:
    """pid → command line of every process under `root` (not `root` itself)."""
    parent, cmd = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmd[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        parent[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
    out = {}
    for pid in parent:
        p = parent[pid]
        while p and p != root and p in parent:
            p = parent[p]
        if p == root:
            out[pid] = cmd.get(pid, "")
    return out


def child_role(cmdline: str) -> str:
    if "resource_tracker" in cmdline:
        return "tracker"
    return "refresher" if "spawn_main" in cmdline or "multiprocessing" in cmdline else "other"


@dataclass
class Sampler:
    """RSS of the worker and its children every `every` s, with the kinds then in flight."""

    pid: int
    every: float = 0.1
    samples: list[tuple[float, float, dict[str, float], tuple[str, ...]]] = field(default_factory=list)
    in_flight: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    children: dict[int, str] = field(default_factory=dict)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        n = 0
        while not self.stop.wait(self.every):
            if n % 10 == 0:  # new children are rare: look for them once a second
                self.children = {p: child_role(c) for p, c in descendants(self.pid).items()}
            n += 1
            rss = status_kib(self.pid, "VmRSS")
            if rss is None:
                continue
            kids: dict[str, float] = {}
            for pid, role in self.children.items():
                kib = status_kib(pid, "VmRSS")
                if kib is not None:
                    kids[role] = kids.get(role, 0.0) + kib / 1024
            with self.lock:
                flying = tuple(sorted(set(self.in_flight.values())))
            self.samples.append((time.perf_counter(), rss / 1024, kids, flying))

    def now(self) -> float:
        return (status_kib(self.pid, "VmRSS") or 0) / 1024

    def begin(self, kind: str) -> int:
        token = random.getrandbits(48)
        with self.lock:
            self.in_flight[token] = kind
        return token

    def end(self, token: int) -> None:
        with self.lock:
            self.in_flight.pop(token, None)

    def rise(self, t0: float, t1: float, before: float) -> float:
        during = [s[1] for s in self.samples if t0 <= s[0] <= t1 + self.every]
        return max(during, default=before) - before


# -- the server ------------------------------------------------------------------------------

def serve(url: str, secret_key: str, code: Path = ROOT,
          extra_env: dict[str, str] | None = None) -> Served:
    """`dvk serve` from this checkout (the installed `dvk` script may run another checkout's
    code), one worker, on a free loopback port."""
    return Served("memory", [sys.executable, "-c",
                             "import sys; sys.argv[0] = 'dvk'; from app.cli import main; main()",
                             "serve", "--host", "127.0.0.1", "--port", "{port}", "--workers", "1"],
                  {"DVK_DATABASE_URL": url, "DVK_SECRET_KEY": secret_key, **(extra_env or {})},
                  cwd=code)


# -- the load --------------------------------------------------------------------------------

@dataclass
class World:
    province: int
    district: int
    commune: int
    communes: list[int]
    commune_codes: list[str]  # the clerk's: what an import of theirs names
    admin: str = ""  # bearer tokens
    clerk: str = ""
    screens: list[str] = field(default_factory=list)
    admin_password: str = ""
    clerk_password: str = ""


def make_world(url: str, seed: int) -> World:
    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.db.units import Unit
    from app.db.users import User
    from app.enums import Role
    from app.services import auth, passwords

    engine = make_engine(url)
    setup = prepare(engine, n_screens=5, n_units=5, seed=seed)
    password = secrets.token_urlsafe(18)
    for session in session_scope(engine, write=True):
        rows = session.exec(select(Unit.id, Unit.code, Unit.level, Unit.parent_id)
                            .where(Unit.merged_into_id.is_(None)).order_by(Unit.code)).all()
        districts = [r[0] for r in rows if str(getattr(r[2], "value", r[2])) == "district"]
        communes = [r for r in rows if str(getattr(r[2], "value", r[2])) == "commune"]
        district = districts[0]
        mine = [r for r in communes if r[3] == district]
        commune = mine[0]
        user = session.exec(select(User).where(User.username == CLERK)).scalars().first()
        if user is None:
            auth.create_user(session, username=CLERK, password=password, role=Role.clerk,
                             unit_code=commune[1], full_name="Benchmark clerk")
        else:
            user.password_hash = passwords.hash_password(password)
            user.role, user.unit_id, user.active = Role.clerk, commune[0], True
            session.flush()
    engine.dispose()
    return World(setup.province, district, commune[0], [r[0] for r in mine],
                 [commune[1]], screens=[s for s, _ in setup.screens],
                 admin_password=setup.password, clerk_password=password)


def import_csv(world: World, tag: str, rows: int = IMPORT_ROWS) -> bytes:
    """A clerk's sheet of contributions for their commune, each row with a new key, dated this
    year as the writes are: not in YEAR, whose reports and exports every run reads (they would
    grow from run to run)."""
    rng = random.Random(tag)
    today = date.today()  # no later day: the import refuses a date to come
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(IMPORT_HEAD)
    for i in range(rows):
        labour = rng.random() < 0.15
        w.writerow([rng.choice(world.commune_codes), "Nhân dân", "Ngày công" if labour else "Tiền mặt",
                    "" if labour else f"{rng.randrange(1, 500) * 10_000}",
                    f"{rng.randrange(1, 40)}" if labour else "", f"Hộ số {rng.randrange(1, 9999)}",
                    (today - timedelta(days=rng.randrange(today.timetuple().tm_yday))).strftime("%d/%m/%Y"),
                    f"MEM-{tag}-{i:06d}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


YEAR_Q = f"date_from={YEAR}-01-01&date_to={YEAR}-12-31"


def kinds(world: World, args: argparse.Namespace) -> dict[str, tuple[float, Callable[[httpx.Client, random.Random], httpx.Response]]]:
    """kind → (seconds between two requests of a thread, one request)."""
    admin = {"Authorization": f"Bearer {world.admin}"}
    clerk = {"Authorization": f"Bearer {world.clerk}"}
    export_unit = {"province": world.province, "district": world.district}[args.export_unit]
    xlsx_unit = {"province": world.province, "district": world.district}[args.xlsx_unit]
    etags: dict[str, str] = {}

    def write(c: httpx.Client, rng: random.Random) -> httpx.Response:
        body = contribution(rng, [world.commune], date.today)
        return c.post("/api/v1/contributions", json=body, headers=clerk)

    def list_admin(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.get(f"/api/v1/contributions?unit_id={world.province}&limit=100"
                     f"&offset={rng.randrange(0, 5000)}", headers=admin)

    def list_clerk(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.get(f"/api/v1/contributions?limit=100&offset={rng.randrange(0, 500)}", headers=clerk)

    def report_json(c: httpx.Client, rng: random.Random) -> httpx.Response:
        unit = rng.choice([world.province, world.district])
        return c.get(f"/api/v1/reports/summary?unit_id={unit}&{YEAR_Q}", headers=admin)

    def report_docx(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.get(f"/api/v1/reports/summary.docx?unit_id={world.province}&{YEAR_Q}",
                     headers=admin)

    def report_xlsx(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.get(f"/api/v1/reports/summary.xlsx?unit_id={xlsx_unit}&{YEAR_Q}", headers=admin)

    def export_csv(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.get(f"/api/v1/contributions.csv?unit_id={export_unit}&{YEAR_Q}", headers=admin)

    def export_xlsx(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.get(f"/api/v1/contributions.xlsx?unit_id={export_unit}&{YEAR_Q}", headers=admin)

    def dashboard(c: httpx.Client, rng: random.Random) -> httpx.Response:
        secret = rng.choice(world.screens)
        held = etags.get(secret)
        r = c.get(f"/screen/{secret}/live?year={YEAR}",
                  headers={"If-None-Match": f'"{held}"'} if held else {})
        if r.status_code == 200:
            etags[secret] = r.headers.get("ETag", "").strip('"')
        return r

    def import_(c: httpx.Client, rng: random.Random) -> httpx.Response:
        body = import_csv(world, f"{os.getpid()}-{rng.getrandbits(40):x}")
        return c.post("/api/v1/imports/contributions", headers=clerk,
                      files={"file": ("dong-gop.csv", body, "text/csv")})

    def sign_in_(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.post("/api/v1/auth/token", data={"username": CLERK, "password": world.clerk_password})

    def sign_in_burst(c: httpx.Client, rng: random.Random) -> httpx.Response:
        # BURST sign-ins sent at once (a commune office at 7:30, or one person's script): each
        # password hash takes its memory cost while it runs. The worst answer is returned.
        # Each from an address of its own: the sign-in rule counts a try before its hash, so
        # one pair's tries at once would be refused (429) as parallel guesses, not hashed.
        def one(i: int) -> httpx.Response:
            with httpx.Client(base_url=str(c.base_url), timeout=c.timeout) as own:
                return own.post("/api/v1/auth/token",
                                data={"username": CLERK, "password": world.clerk_password},
                                headers={"X-Forwarded-For": f"198.51.100.{i + 1}"})
        with ThreadPoolExecutor(BURST) as pool:
            answers = list(pool.map(one, range(BURST)))
        return max(answers, key=lambda r: (r.status_code not in (200, 201), r.status_code))

    def health(c: httpx.Client, rng: random.Random) -> httpx.Response:
        return c.get("/health")

    return {"write": (0.5, write), "list_admin": (1.0, list_admin), "list_clerk": (1.0, list_clerk),
            "report_json": (4.0, report_json), "report_docx": (8.0, report_docx),
            "report_xlsx": (12.0, report_xlsx), "export_csv": (8.0, export_csv),
            "export_xlsx": (12.0, export_xlsx), "dashboard": (0.4, dashboard),
            "import": (15.0, import_), "sign_in": (10.0, sign_in_), "health": (1.0, health),
            "sign_in_burst": (10.0, sign_in_burst)}


@dataclass
class Done:
    kind: str
    ms: float
    status: int
    rise: float
    size: int


def driver(base: str, kind: str, every: float, fn: Callable[..., httpx.Response], sampler: Sampler,
           stop: threading.Event, out: list[Done], seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=300) as client:
        if stop.wait(rng.uniform(0, min(every, 2.0))):
            return
        while not stop.is_set():
            before = sampler.now()
            token = sampler.begin(kind)
            t0 = time.perf_counter()
            try:
                r = fn(client, rng)
                status, size = r.status_code, len(r.content)
            except httpx.HTTPError:
                status, size = 0, 0
            t1 = time.perf_counter()
            sampler.end(token)
            out.append(Done(kind, (t1 - t0) * 1000, status, sampler.rise(t0, t1, before), size))
            stop.wait(max(0.0, every - (t1 - t0)))


@dataclass
class Run:
    label: str
    start_mb: float
    end_mb: float
    peak_mb: float
    hwm_mb: float
    peak_kinds: tuple[str, ...]
    child_start: float
    child_peak: float
    done: list[Done]


def run(url: str, world: World, args: argparse.Namespace, chosen: list[str], seconds: float,
        label: str, code: Path = ROOT) -> Run:
    extra = dict(kv.split("=", 1) for kv in args.server_env)
    with serve(url, secrets.token_urlsafe(32), code, extra) as server:
        server.wait_ready(timeout=300)  # a loaded machine (load 20 on 2 cores) starts it slowly
        world.admin = sign_in(server.base, USERNAME, world.admin_password)
        world.clerk = sign_in(server.base, CLERK, world.clerk_password)
        time.sleep(1.0)  # the sign-ins' password hashes are done and freed
        sampler = Sampler(server.proc.pid)
        clear_peak(server.proc.pid)  # VmHWM from here on: not the start's, not the sign-ins'
        sampler.start()
        time.sleep(0.5)
        start = sampler.now()
        table = kinds(world, args)
        stop, out = threading.Event(), []
        threads = []
        for i, kind in enumerate(chosen):
            every, fn = table[kind]
            copies = 2 if kind == "dashboard" else 1
            for j in range(copies):
                t = threading.Thread(target=driver, args=(server.base, kind, every, fn, sampler,
                                                          stop, out, args.seed * 100 + i * 10 + j),
                                     daemon=True)
                t.start()
                threads.append(t)
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(300)
        time.sleep(0.5)
        sampler.stop.set()
        end = sampler.now()
        hwm = (status_kib(server.proc.pid, "VmHWM") or 0) / 1024
        peak = max(sampler.samples, key=lambda s: s[1])
        child = [s[2].get("refresher", 0.0) for s in sampler.samples]
        first_child = next((c for c in child if c), 0.0)
        return Run(label, start, end, peak[1], hwm, peak[3], first_child, max(child, default=0.0),
                   out)


# -- the printout ----------------------------------------------------------------------------

def show(run_: Run, detail: bool = True) -> None:
    goal = "≤" if run_.peak_mb <= GOAL_MB and run_.hwm_mb <= GOAL_MB else ">"
    print(f"\n== {run_.label}")
    print(f"worker RSS MB: after start {run_.start_mb:.1f}, after load {run_.end_mb:.1f}, "
          f"peak sampled {run_.peak_mb:.1f}, high-water mark {run_.hwm_mb:.1f} "
          f"({goal} goal {GOAL_MB:.0f}); in flight at the peak: {', '.join(run_.peak_kinds) or '—'}")
    print(f"computation process RSS MB: when first seen {run_.child_start:.1f}, peak "
          f"{run_.child_peak:.1f}")
    if not detail:
        return
    by: dict[str, list[Done]] = {}
    for d in run_.done:
        by.setdefault(d.kind, []).append(d)
    print(f"{'kind':<13}{'n':>5}{'failed':>8}{'p50 ms':>10}{'p95 ms':>10}{'max rise MB':>13}"
          f"{'bytes':>11}")
    for kind, ds in sorted(by.items()):
        ms_ = [d.ms for d in ds]
        failed = sum(1 for d in ds if d.status not in (200, 201, 304))
        print(f"{kind:<13}{len(ds):>5}{failed:>8}{percentile(ms_, 0.5):>10.1f}"
              f"{percentile(ms_, 0.95):>10.1f}{max(d.rise for d in ds):>13.1f}"
              f"{max(d.size for d in ds):>11,}")
        if failed:
            bad = sorted({d.status for d in ds if d.status not in (200, 201, 304)})
            print(f"{'':<13}statuses of the failed: {bad}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--alone", type=float, default=15.0,
                   help="seconds of each kind alone on a fresh server (0: skip)")
    p.add_argument("--kinds", default="",
                   help="comma-separated kinds of the mixed load (default: all)")
    p.add_argument("--export-unit", choices=("province", "district"), default="district",
                   help="the list exports' unit (a year of its contributions)")
    p.add_argument("--xlsx-unit", choices=("province", "district"), default="district",
                   help="the summary workbook's unit (a year; its record sheets hold the rows)")
    p.add_argument("--no-mixed", action="store_true", help="only the kinds alone")
    p.add_argument("--compare", type=Path, metavar="DIR",
                   help="another checkout (e.g. /work/main): every run is made with its code "
                        "first, then with this one's, and the two are printed side by side")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="an environment variable for the server (e.g. DVK_MALLOC_TRIM_MB=0)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    open_data_set(args.url)
    world = make_world(args.url, args.seed)
    every = list(kinds(world, args))
    chosen = [k.strip() for k in args.kinds.split(",") if k.strip()] or [
        k for k in every if k not in OPT_IN]
    unknown = set(chosen) - set(every)
    if unknown:
        p.error(f"unknown kinds {sorted(unknown)}; known: {', '.join(every)}")
    print(f"database: {args.url.split('@')[-1]}; kinds: {', '.join(chosen)}; exports of the "
          f"{args.export_unit}, workbook of the {args.xlsx_unit}, year {YEAR}")
    runs = []
    codes = [(f" [{args.compare}]", args.compare.resolve())] if args.compare else []
    codes.append((" [this checkout]" if args.compare else "", ROOT))
    plan = [] if args.no_mixed else [(chosen, args.seconds, f"mixed load, {args.seconds:.0f} s")]
    if args.alone:
        plan += [([kind, "health"], args.alone, f"{kind} alone (beside /health), {args.alone:.0f} s")
                 for kind in chosen if kind != "health"]
    for what, seconds, label in plan:
        for tag, code in codes:
            runs.append(run(args.url, world, args, what, seconds, label + tag, code))
            show(runs[-1])
    print("\nSummary: worker RSS MB (start / end / peak / high-water mark), kinds at the peak")
    for r in runs:
        print(f"  {r.label:<62} {r.start_mb:6.1f} / {r.end_mb:6.1f} / {r.peak_mb:6.1f} / "
              f"{r.hwm_mb:6.1f}   {', '.join(r.peak_kinds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
