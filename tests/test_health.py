"""The app answers over real HTTP once the database does."""

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

from app.main import create_app, lifespan


def test_health_is_ok(anon):
    r = anon.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_api_needs_a_token(anon):
    r = anon.get("/api/v1/models")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"] == "Bearer"


def test_openapi_describes_every_operation(anon):
    spec = anon.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("description") or op.get("summary"), f"{method.upper()} {path}"


def test_the_server_process_takes_shorter_gil_turns():
    """Short requests beside a long one in a process's threads wait at most 1 ms per turn."""
    before = sys.getswitchinterval()
    try:
        async def start() -> float:
            async with lifespan(create_app()):  # what each server process does as it starts
                return sys.getswitchinterval()

        sys.setswitchinterval(0.005)
        # In a thread of its own: the browser tests may leave an event loop in this one.
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(asyncio.run, start()).result() == 0.001
    finally:
        sys.setswitchinterval(before)
