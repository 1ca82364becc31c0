"""The baseline of bench/writes.py: the plainest web app that accepts a contribution. A bare
Starlette app (no FastAPI, no ORM, no sign-in, no checks against other tables, no audit, no
sums) that validates the same JSON with pydantic and inserts one row with sqlite3 or psycopg
into a table of the same columns and indexes as `contribution`, in a database of its own.

    BARE_DATABASE_URL=sqlite:////tmp/bare.sqlite3 python -m uvicorn bench.writes_bare:app

`prepare(url)` makes the table (dropping an earlier run's). Not part of the application:
bench/ is never imported by app/ (tests/test_layers.py).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any

from pydantic import BaseModel, Field, ValidationError, model_validator
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class Source(str, Enum):
    state_budget = "state_budget"
    people = "people"
    business = "business"
    organization = "organization"
    other = "other"


class Kind(str, Enum):
    cash = "cash"
    in_kind = "in_kind"
    labor = "labor"


class ContributionIn(BaseModel):
    """The fields and limits of the API's ContributionCreate, written out by hand."""

    model_config = {"extra": "forbid"}

    unit_id: int = Field(ge=1, le=2**31 - 1)
    work_id: int | None = Field(None, ge=1, le=2**31 - 1)
    model_id: int | None = Field(None, ge=1, le=2**31 - 1)
    source: Source
    kind: Kind
    amount_vnd: int | None = Field(None, ge=0, le=10**15)
    labor_days: float | None = Field(None, ge=0, le=10**9)
    contributor_name: str | None = Field(None, max_length=300)
    date: date
    note: str | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _amount(self) -> "ContributionIn":
        if self.kind == Kind.labor and not self.labor_days:
            raise ValueError("labor_days required")
        if self.kind != Kind.labor and not self.amount_vnd:
            raise ValueError("amount_vnd required")
        return self


COLUMNS = ("created_at", "updated_at", "version", "unit_id", "work_id", "model_id", "source",
           "kind", "amount_vnd", "labor_days", "contributor_name", "date", "note", "search_text")

DDL = [
    "DROP TABLE IF EXISTS contribution",
    """CREATE TABLE contribution (
        id {serial} PRIMARY KEY, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
        version INTEGER NOT NULL, unit_id INTEGER NOT NULL, work_id INTEGER, model_id INTEGER,
        source VARCHAR(32) NOT NULL, kind VARCHAR(32) NOT NULL, amount_vnd BIGINT,
        labor_days FLOAT, contributor_name VARCHAR(300), date DATE NOT NULL,
        note VARCHAR(4000), search_text TEXT, external_source VARCHAR(40),
        external_id VARCHAR(100))""",
    "CREATE INDEX ix_bare_unit_date ON contribution (unit_id, date)",
    "CREATE INDEX ix_bare_model ON contribution (model_id)",
    "CREATE INDEX ix_bare_work ON contribution (work_id)",
    "CREATE INDEX ix_bare_updated ON contribution (updated_at)",
    "CREATE UNIQUE INDEX ux_bare_external ON contribution (external_source, external_id)",
]


def _sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def prepare(url: str) -> None:
    """A fresh, empty `contribution` table in the baseline's database."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(_sqlite_path(url), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        for stmt in DDL:
            conn.execute(stmt.format(serial="INTEGER"))
        conn.close()
        return
    import psycopg

    with psycopg.connect(_pg_dsn(url), autocommit=True) as conn:
        for stmt in DDL:
            conn.execute(stmt.format(serial="SERIAL"))


URL = os.environ.get("BARE_DATABASE_URL", "")
_local = threading.local()


def _connection() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None:
        if URL.startswith("sqlite"):
            conn = sqlite3.connect(_sqlite_path(URL), isolation_level=None, timeout=15)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        else:
            import psycopg

            conn = psycopg.connect(_pg_dsn(URL))
        _local.conn = conn
    return conn


def _insert(row: dict[str, Any]) -> int:
    conn = _connection()
    values = [row.get(c) for c in COLUMNS]
    if URL.startswith("sqlite"):
        marks = ", ".join("?" * len(COLUMNS))
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(f"INSERT INTO contribution ({', '.join(COLUMNS)}) VALUES ({marks})",
                               values)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(cur.lastrowid)
    marks = ", ".join(["%s"] * len(COLUMNS))
    with conn.transaction():
        new_id = conn.execute(f"INSERT INTO contribution ({', '.join(COLUMNS)}) VALUES ({marks}) "
                              "RETURNING id", values).fetchone()[0]
    return int(new_id)


async def create(request: Request) -> JSONResponse:
    try:
        data = ContributionIn.model_validate(await request.json())
    except ValidationError as exc:
        return JSONResponse({"errors": exc.errors(include_url=False, include_context=False)},
                            status_code=422)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    row = {**data.model_dump(mode="json"), "created_at": now, "updated_at": now, "version": 1,
           "search_text": (data.contributor_name or "").lower()}
    new_id = await run_in_threadpool(_insert, row)
    body = {**row, "id": new_id, "created_at": now.isoformat(), "updated_at": now.isoformat()}
    return JSONResponse(body, status_code=201, headers={"Location": f"/contributions/{new_id}"})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/contributions", create, methods=["POST"]),
                        Route("/health", health)])
