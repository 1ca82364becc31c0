"""What a province's own sums (app/services/rollups/tiers.py) cost a write.

In an empty database of its own (migrated here), a country root, two provinces, and an old
commune of the first merged into a commune of the second: its records count in both
provinces. Then rounds of `--creates` contributions on the old commune through the service,
each in its own transaction as a request's, with the provinces' sums whole (written) and stale
(left alone), alternated in one process; the best round of each is printed, wall and CPU:
    python -m bench.province_writes --url sqlite:////tmp/province_writes.sqlite3
    python -m bench.province_writes --url postgresql://postgres@127.0.0.1:5432/province_writes
Run it with `--before DIR` to time another checkout's code on a database of its own too (it
has no such sums: both of its columns time the same code).
"""

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any


def _session(engine: Any, **kw: Any) -> Any:
    from app.db.session import session_scope

    return contextmanager(lambda: (yield from session_scope(engine, **kw)))()


def _setup(engine: Any) -> int:
    from sqlalchemy import text

    from app.db.units import UnitCreate
    from app.services import units
    from app.services.actor import SYSTEM

    def unit(s: Any, **kw: Any) -> Any:
        return units.create(s, actor=SYSTEM, data=UnitCreate.model_validate(kw))

    with _session(engine, write=True) as s:
        root = unit(s, code="VN", name="Việt Nam", level="country", kind="quoc_gia")
        one = unit(s, code="P1", name="Tỉnh Một", level="province", kind="tinh", parent_id=root.id)
        two = unit(s, code="P2", name="Tỉnh Hai", level="province", kind="tinh", parent_id=root.id)
        old = unit(s, code="C0", name="Xã Cũ", level="commune", kind="xa", parent_id=one.id)
        new = unit(s, code="C1", name="Xã Mới", level="commune", kind="xa", parent_id=two.id)
        s.exec(text("UPDATE unit SET merged_into_id = :n WHERE id = :o").bindparams(n=new.id, o=old.id))
        return int(old.id)


def _whole(engine: Any, whole: bool) -> None:
    from sqlalchemy import update

    from app.db.units import UnitTreeStamp
    from app.services import rollups

    if not hasattr(UnitTreeStamp, "sums_stamp"):
        return  # code before the provinces' sums
    with _session(engine, write=True) as s:
        if whole:
            rollups.rebuild(s)
        else:
            s.exec(update(UnitTreeStamp).values(sums_stamp=None))


def _round(engine: Any, unit_id: int, creates: int, start: int) -> tuple[float, float]:
    from app.db.contributions import ContributionCreate
    from app.services import contributions
    from app.services.actor import SYSTEM

    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(creates):
        with _session(engine, write=True) as s:
            contributions.create(s, actor=SYSTEM, data=ContributionCreate.model_validate({
                "unit_id": unit_id, "source": "people", "kind": "cash", "amount_vnd": 1000 + i,
                "date": str(date(2018, 1, 1) + timedelta(days=(start + i) % 3000))}))
    return ((time.perf_counter() - wall) / creates * 1000, (time.process_time() - cpu) / creates * 1000)


def measure(url: str, creates: int, rounds: int) -> dict[bool, tuple[float, float]]:
    from app.cli import migrate_to_head
    from app.db.engine import make_engine
    from app.services import rollups

    migrate_to_head(url)
    engine = make_engine(url)
    unit_id = _setup(engine)
    best: dict[bool, tuple[float, float]] = {}
    for r in range(rounds):
        for whole in (False, True):
            _whole(engine, whole)
            got = _round(engine, unit_id, creates, (2 * r + whole) * creates)
            best[whole] = min(best.get(whole, got), got)
    with _session(engine) as s:
        if (wrong := rollups.differences(s)):
            sys.exit(f"sums differ from the records: {wrong[:3]}")
    engine.dispose()
    return best


def _fresh(url: str, suffix: str) -> str:
    """A database of its own beside `url`'s name (emptied first)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.drivername.startswith("sqlite"):
        path = f"{u.database}{suffix}"
        if os.path.exists(path):
            os.remove(path)
        return str(u.set(database=path))
    name = f"{u.database}{suffix.replace('-', '_')}"
    for cmd in (["dropdb", "--if-exists"], ["createdb"]):
        subprocess.run([*cmd, "-h", u.host or "127.0.0.1", "-U", u.username or "postgres", name],
                       check=True, capture_output=True)
    return str(u.set(database=name))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="another checkout, timed the same way first")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DVK_SECRET_KEY", "bench")
    if args.child:
        best = measure(args.url, args.creates, args.rounds)
        print(f"{best[False][0]:.3f} {best[False][1]:.3f} {best[True][0]:.3f} {best[True][1]:.3f}")
        return
    rows = []
    for label, root, suffix in (("before", args.before, "-before"), ("this code", os.getcwd(), "")):
        if root is None:
            continue
        # This file run by its path, with the checkout's `app` first on the path.
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--url", _fresh(args.url, suffix),
                              "--creates", str(args.creates), "--rounds", str(args.rounds), "--child"],
                             cwd=root, env={**os.environ, "PYTHONPATH": root}, check=True,
                             capture_output=True, text=True).stdout.split()[-4:]
        rows.append((label, *map(float, out)))
    print(f"ms per create ({args.creates} a round, best of {args.rounds}): wall / CPU")
    print(f"{'code':<10} {'sums stale (not written)':>26} {'sums whole (2 provinces)':>26}")
    for label, sw, sc, ww, wc in rows:
        print(f"{label:<10} {sw:>12.2f} / {sc:<11.2f} {ww:>12.2f} / {wc:<11.2f}")


if __name__ == "__main__":
    main()
