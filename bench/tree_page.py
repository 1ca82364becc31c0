"""How big is the unit tree page opened at each province and district, and how long does its
first answer take after a start and after a unit is created, with the real country loaded?

    dvk units load-official                      # into DVK_DATABASE_URL, once
    python -m bench.tree_page sizes  [--url URL]
    python -m bench.tree_page timing [--url URL] [--starts 4] [--creates 4]

`sizes` signs in as an administrator (in-process) and asks `/units` and `/units?open=<id>` for
every province and district, printing how many pages pass 150 000 bytes and the largest ones.
`timing` starts the server (uvicorn, a process of its own) `--starts` times and times its
first `/units`, then creates a unit through the API `--creates` times and times the `/units`
that follows each (the tree is read again then), deleting what it created."""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
LIMIT = 150_000
USER, PASSWORD = "bench-tree", "bench-password-1"


def _setup(url: str) -> None:
    os.environ.update(DVK_DATABASE_URL=url, DVK_SECRET_KEY="bench-secret-key-not-for-production",
                      DVK_ARGON2_TIME_COST="1", DVK_ARGON2_MEMORY_KIB="1024")
    from sqlalchemy import select

    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.db.users import User
    from app.enums import Role
    from app.services import auth

    import app

    assert Path(app.__file__).resolve().is_relative_to(HERE), "run it as python -m bench.tree_page"
    for s in session_scope(get_engine(), write=True):
        if s.exec(select(User.id).where(User.username == USER)).first() is None:
            auth.create_user(s, username=USER, password=PASSWORD, role=Role.admin)


def sizes(url: str) -> None:
    _setup(url)
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from app.db.engine import get_engine
    from app.db.units import Unit
    from app.main import app

    with get_engine().connect() as c:
        opened = c.execute(select(Unit.id, Unit.name, Unit.level, Unit.active_to)
                           .where(Unit.level.in_(["country", "province", "district"]))).all()
    with TestClient(app) as client:
        r = client.post("/login", data={"username": USER, "password": PASSWORD},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
        found: list[tuple[int, str]] = []
        top = client.get("/units")
        found.append((len(top.content), "/units"))
        for uid, name, level, ended in opened:
            r = client.get(f"/units?open={uid}")
            assert r.status_code == 200, (uid, r.status_code)
            found.append((len(r.content), f"/units?open={uid} ({level} {name}"
                                          f"{', ended' if ended else ''})"))
    over = [f for f in found if f[0] >= LIMIT]
    print(f"pages: {len(found)}; over {LIMIT:,} B: {len(over)}; largest {max(found)[0]:,} B; "
          f"median {statistics.median(n for n, _ in found):,.0f} B; /units {found[0][0]:,} B")
    for n, what in sorted(found, reverse=True)[:10]:
        print(f"  {n:>9,}  {what}")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port),
                             "--log-level", "warning"], cwd=HERE, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code < 500:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def _timed(client: Any, path: str) -> float:
    t = time.perf_counter()
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return (time.perf_counter() - t) * 1000


def timing(url: str, starts: int, creates: int) -> None:
    _setup(url)
    import httpx

    first, second, after_create = [], [], []
    for i in range(starts):
        proc, base = _serve(url)
        try:
            with httpx.Client(base_url=base, timeout=60) as page:
                r = page.post("/login", data={"username": USER, "password": PASSWORD})
                assert r.status_code in (200, 303), r.text
                first.append(_timed(page, "/units"))
                second.append(_timed(page, "/units"))
                if i == starts - 1:
                    after_create = _creates(base, page, creates)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    for label, ms in [("first /units after a start", first), ("the next /units", second),
                      ("first /units after a unit is created", after_create)]:
        if ms:
            print(f"{label:<40} median {statistics.median(ms):6.0f} ms, max {max(ms):6.0f} ms "
                  f"({', '.join(f'{m:.0f}' for m in ms)})")


def _creates(base: str, page: Any, n: int) -> list[float]:
    import httpx

    with httpx.Client(base_url=base, timeout=60) as api:
        r = api.post("/api/v1/auth/token", data={"username": USER, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        out = []
        for i in range(n):
            r = api.post("/api/v1/units", json={"code": f"BENCH-TREE-{i}", "name": f"Thử {i}",
                                                "level": "province"})
            assert r.status_code == 201, r.text
            made = r.json()
            out.append(_timed(page, "/units"))
            r = api.request("DELETE", f"/api/v1/units/{made['id']}",
                            headers={"If-Match": f'"{made["version"]}"'})
            assert r.status_code in (200, 204), r.text
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["sizes", "timing"])
    parser.add_argument("--url", default=os.environ.get("DVK_DATABASE_URL"))
    parser.add_argument("--starts", type=int, default=4)
    parser.add_argument("--creates", type=int, default=4)
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url or DVK_DATABASE_URL")
    if args.what == "sizes":
        sizes(args.url)
    else:
        timing(args.url, args.starts, args.creates)


if __name__ == "__main__":
    main()
