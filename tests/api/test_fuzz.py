"""Schemathesis over the whole OpenAPI of the served app, on the demo data, as an admin and as
a commune clerk: a 5xx, an answer outside its documented schema or an undocumented content
type fails the test. Every operation gets cases in turn, round after round, until the budget is
spent, so a longer budget tests everything more deeply rather than a few operations only.

DVK_FUZZ_SECONDS: the budget of each role (default 90 s, so CI spends under 4 minutes a
database). DVK_FUZZ_SEED: replay a run (its seed is printed, with the number of cases)."""

import os
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from app.db.session import session_scope
from app.enums import Role
from app.services import auth
from tests.demo import _clean, demo_loaded  # noqa: F401
from tests.factories import PASSWORD

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
BUDGET = float(os.environ.get("DVK_FUZZ_SECONDS", "90"))
SEED = int(os.environ.get("DVK_FUZZ_SEED") or random.randrange(2**32))
CASES_PER_ROUND = 8
ROLES = {"admin": (Role.admin, None), "clerk": (Role.clerk, "BTH.HTB.HAMTRI")}


class Caller:
    """Sends the cases as one user on one kept-alive connection. The fuzzer may sign itself
    out, lose its role or deactivate itself; then a new user of the same role takes over, so
    the rest of the run still reaches past authentication."""

    def __init__(self, engine: Any, role: Role, unit_code: str | None) -> None:
        self.engine, self.role, self.unit_code = engine, role, unit_code
        self.http = requests.Session()
        self.made = 0
        self.headers: dict[str, str] = {}
        self.renew()

    def renew(self) -> None:
        self.made += 1
        for s in session_scope(self.engine, write=True):
            user = auth.create_user(s, username=f"fuzz-{self.role.value}-{self.made}",
                                    password=PASSWORD, role=self.role, unit_code=self.unit_code)
            # Issued directly: the fuzzer's wrong passwords must not throttle its own sign-in.
            secret = auth.issue_login_token(s, user, ttl_minutes=600)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def ensure_signed_in(self, server: str) -> None:
        me = self.http.get(f"{server}/api/v1/users/me", headers=self.headers, timeout=30)
        if me.status_code != 200 or me.json().get("role") != self.role.value:
            self.renew()

    def ids(self, server: str, collection: str) -> list[int]:
        """Ids of records this user can read, so that cases also reach past 'not found'."""
        r = self.http.get(f"{server}{collection}", headers=self.headers, timeout=30)
        if r.status_code != 200 or "json" not in r.headers.get("content-type", ""):
            return []
        body = r.json()
        items = body.get("items", []) if isinstance(body, dict) else body
        return [i["id"] for i in items if isinstance(i, dict) and "id" in i][:50]


def _strategy(operation: Any) -> Any:
    modes = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            modes.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # an operation without anything to negate
            continue
    return st.one_of(modes)


def _round(server: str, caller: Caller, operation: Any, ids: list[int], run_seed: int,
           count: Callable[[], None]) -> None:
    real_id = st.sampled_from(ids) | st.none() if ids else st.none()

    @settings(max_examples=CASES_PER_ROUND, deadline=None, database=None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @seed(run_seed)
    @given(case=_strategy(operation), record=real_id)
    def run(case: Any, record: int | None) -> None:
        if record is not None and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = record
        count()
        case.call_and_validate(base_url=server, session=caller.http, headers=caller.headers,
                               checks=CHECKS, timeout=60)

    run()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join([str(exc), *(_describe(e) for e in exc.exceptions)])
    return f"{type(exc).__name__}: {exc}"


def _fuzz(server: str, caller: Caller, label: str, say: Callable[[str], None]) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    cases = 0
    findings: dict[str, str] = {}

    def count() -> None:
        nonlocal cases
        cases += 1

    deadline, rounds = time.monotonic() + BUDGET, 0
    while time.monotonic() < deadline or rounds == 0:
        rounds += 1
        for n, operation in enumerate(operations):
            if operation.label in findings or (rounds > 1 and time.monotonic() > deadline):
                continue
            caller.ensure_signed_in(server)
            collection = operation.path.split("/{id}")[0]
            ids = caller.ids(server, collection) if "{id}" in operation.path else []
            try:
                _round(server, caller, operation, ids, SEED + rounds * 1000 + n, count)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # schemathesis's failures, each with its reproduction
                findings[operation.label] = _describe(exc)
    say(f"\nschemathesis as {label}: seed {SEED} (DVK_FUZZ_SEED), {cases} cases, "
        f"{len(operations)} operations, {rounds} rounds, {len(findings)} findings")
    assert not findings, "\n\n".join(f"== {op}\n{text}" for op, text in findings.items())


@pytest.fixture
def caller(request: pytest.FixtureRequest, engine: Any, server: str,
           demo_loaded: None) -> Iterator[Caller]:  # noqa: F811
    role, unit_code = ROLES[request.param]
    c = Caller(engine, role, unit_code)
    yield c
    c.http.close()


@pytest.mark.parametrize("caller", list(ROLES), indirect=True)
def test_schemathesis_finds_nothing(server: str, caller: Caller, request: pytest.FixtureRequest,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    def say(line: str) -> None:
        with capsys.disabled():  # in CI's log even when the test passes
            print(line)

    _fuzz(server, caller, request.node.callspec.id, say)
