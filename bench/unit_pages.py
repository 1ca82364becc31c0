"""How big and how slow are the pages with a unit picker once the country's tree is loaded?

    python -m bench.unit_pages [--app-root PATH] [--repeat 5] [--url EMPTY_DATABASE_URL]

Loads a tree of the country's size into a fresh SQLite file (tests/bigtree.py: 63 old
provinces × 11 districts × 14 communes and 34 new provinces of 98 communes each, about
14 100 units, as before and after 07/2025), signs in as an administrator and asks each page
`--repeat` times in-process (Starlette's TestClient), printing its size and median time.
`--app-root` measures another checkout's app (e.g. main, before the pickers) with this
checkout's loader: run both and compare (bench/README.md, "Unit pages")."""

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PAGES = ["/dashboard", "/reports/summary", "/contributions", "/contributions/new", "/units",
         "/works", "/petitions", "/users", "/screens",
         "/units/pick?field=unit_id&unit_id_q=phu+long"]  # (no such page before the pickers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app-root", default=str(HERE))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="an empty database to use instead of a new SQLite file")
    args = parser.parse_args()
    root = Path(args.app_root).resolve()
    sys.path.insert(0, str(root))
    folder = Path(tempfile.mkdtemp(prefix="dvk-bench-units-"))
    url = args.url or f"sqlite:///{folder / 'units.sqlite3'}"
    os.environ.update(DVK_DATABASE_URL=url, DVK_SECRET_KEY="bench-secret-key-not-for-production",
                      DVK_ARGON2_TIME_COST="1", DVK_ARGON2_MEMORY_KIB="1024")
    from fastapi.testclient import TestClient

    from app.cli import migrate_to_head
    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.enums import Role
    from app.services import auth

    assert Path(sys.modules["app"].__file__).resolve().is_relative_to(root)
    spec = importlib.util.spec_from_file_location("bigtree", HERE / "tests" / "bigtree.py")
    bigtree = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(bigtree)  # type: ignore[union-attr]
    migrate_to_head(url)
    engine = get_engine()
    started = time.perf_counter()
    tree = bigtree.load_country(engine, provinces=63, districts=11, communes=14,
                                new_provinces=34, new_communes=98)
    print(f"app: {root}\nunits: {tree['count']} loaded in {time.perf_counter() - started:.1f} s")
    for s in session_scope(engine, write=True):
        auth.create_user(s, username="bench", password="bench-password-1", role=Role.admin,
                         unit_code=None)
    from app.main import app

    with TestClient(app) as client:
        r = client.post("/login", data={"username": "bench", "password": "bench-password-1"},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        print(f"{'page':<22}{'bytes':>12}{'median ms':>12}{'<option>':>10}")
        for page in PAGES:
            times, size, options = [], 0, 0
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = client.get(page)
                times.append((time.perf_counter() - t) * 1000)
                size, options = len(r.content), r.text.count("<option")
            if r.status_code != 200:
                print(f"{page:<22} answered {r.status_code}")
                continue
            print(f"{page[:22]:<22}{size:>12,}{statistics.median(times):>12.0f}{options:>10,}")


if __name__ == "__main__":
    main()
