"""A server in a subprocess for the benchmarks: the application under uvicorn or `dvk serve`,
the bare baseline, datasette. One home for what every benchmark did with its own copy: a free
loopback port, the process's output in a temporary file, waiting until a readiness URL answers
200 (or the process dies), the log's tail when it did not start, and stopping it (terminate,
20 s, kill). And signing in to the application: POST /api/v1/auth/token.

    with Served("app", [sys.executable, "-m", "uvicorn", "app.main:app",
                        "--host", "127.0.0.1", "--port", "{port}"],
                env={"DVK_DATABASE_URL": url}) as app:
        app.wait_ready()
        httpx.get(app.base + "/health")

`{port}` in the command stands for the port chosen; `proc` is the Popen (its pid for the
memory and CPU of the server's processes), `log_name` the log file's path (left behind).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def uvicorn(app: str, workers: int = 1) -> list[str]:
    """The command that serves the ASGI `app` ("module:attribute") as the benchmarks do: uvicorn,
    `workers` processes, no access log."""
    return [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", "{port}",
            "--workers", str(workers), "--no-access-log", "--log-level", "warning"]


class Served:
    """`argv` run in `cwd` with this process's environment less `drop` plus `env`; ready when
    `ready_path` answers 200 `in_a_row` times in a row (a few per worker: the requests spread
    over uvicorn's workers)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None = None,
                 ready_path: str = "/health", cwd: Path = ROOT, *,
                 drop: Iterable[str] = ("DVK_DEMO",), in_a_row: int = 1) -> None:
        self.name, self.port = name, free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        dropped = set(drop)
        self.env = {k: v for k, v in os.environ.items() if k not in dropped}
        self.env.update(env or {})
        self.ready_path, self.cwd, self.in_a_row = ready_path, cwd, in_a_row
        self.log: tempfile._TemporaryFileWrapper[str] | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        if self.proc is None:
            self.log = tempfile.NamedTemporaryFile("w+", prefix=f"bench-{self.name}-",
                                                   suffix=".log", delete=False)
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=self.log,
                                         stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    @property
    def log_name(self) -> str:
        """The log file's path: it stays after stop(), the caller removes it."""
        assert self.log is not None, "not started"
        return self.log.name

    def wait_ready(self, timeout: float = 90.0) -> None:
        assert self.proc is not None, "not started"
        deadline, ok = time.monotonic() + timeout, 0
        while ok < self.in_a_row:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{self.name} did not start:\n{self.output()}")
            try:
                answered = httpx.get(self.base + self.ready_path, timeout=5).status_code == 200
            except httpx.HTTPError:
                answered = False
            ok = ok + 1 if answered else 0
            if not answered:
                time.sleep(0.2)

    def output(self, tail: int = 4000) -> str:
        """The log's last `tail` characters."""
        if self.log is None or self.log.closed:
            return ""
        self.log.seek(0)
        return self.log.read()[-tail:]

    def lines(self) -> Iterable[str]:
        """The whole log, line by line (before stop())."""
        assert self.log is not None, "not started"
        self.log.seek(0)
        return self.log

    def stop(self) -> None:
        """Terminate (uvicorn's supervisor stops its workers), 20 s, then kill. Idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log is not None:
            self.log.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def sign_in(base: str, username: str, password: str) -> str:
    """A bearer token of the application at `base` (POST /api/v1/auth/token)."""
    r = httpx.post(base + "/api/v1/auth/token", data={"username": username, "password": password},
                   timeout=60)
    if r.status_code != 200:
        raise SystemExit(f"sign-in of {username} failed: {r.status_code} {r.text[:300]}")
    return str(r.json()["access_token"])
