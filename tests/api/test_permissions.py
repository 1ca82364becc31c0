"""The permission matrix: every /api/v1 route of the app's route table × every kind of caller ×
a target inside the caller's subtree (Hàm Trí, its villages; the callers work in T-HT) and one
outside (Hàm Liêm). Routes are read from `app.main.app.routes`, so a new route is in the matrix
at once, and fails until tests/api/permission_table.py says how to call it.

Expected (spec/api.md, users): reads inside 200, outside 404, lists 200 without the outside
record; writes inside 2xx for the roles allowed (clerk+ records; manager+ units, users,
approvals, API tokens, issued reports), 403 for the others; writes outside 403 or 404, and the
target unchanged; an admin (with or without a unit) does everything; a read-scoped API token
reads within its unit and writes nothing; no token at all is 401."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from app.enums import Role
from app.main import app
from app.services import auth
from tests.api.permission_table import LIST, READ, SECRET_NAME, TABLE, WRITE, Entry, World
from tests.factories import PASSWORD

API = "/api/v1"
NOT_IN_MATRIX = {("POST", f"{API}/auth/token")}  # signing in: no token to check


def api_routes() -> list[tuple[str, str]]:
    """(method, path template) of every APIRoute under /api/v1, from app.routes."""
    try:  # newer FastAPI keeps each included router as one node of app.routes
        from fastapi.routing import iter_route_contexts
        found = [(c.original_route, c.path, c.methods) for c in iter_route_contexts(app.routes)]
    except ImportError:
        found = [(r, getattr(r, "path", ""), getattr(r, "methods", None)) for r in app.routes]
    # As the OpenAPI writes them: /units/{id}, not the route's /units/{id:int}.
    keys = {(method, compile_path(path)[1]) for route, path, methods in found
            if isinstance(route, APIRoute) and path.startswith(f"{API}/") for method in methods}
    return sorted(keys - NOT_IN_MATRIX, key=lambda k: (k[1], k[0]))


ROUTES = api_routes()
WHO = ("anonymous", "viewer", "clerk", "manager", "admin@T-HT", "admin", "read-token")
ROLE = {"viewer": Role.viewer, "clerk": Role.clerk, "manager": Role.manager,
        "admin@T-HT": Role.admin, "admin": Role.admin, "read-token": Role.admin}  # token: its maker's
RANK = {Role.viewer: 0, Role.clerk: 1, Role.manager: 2, Role.admin: 3}
SUCCESS = frozenset(range(200, 300))


def expect(who: str, entry: Entry, side: str) -> tuple[frozenset[int], bool | None]:
    """(acceptable statuses, whether a list shows the side's record) by the contract."""
    if who == "anonymous":
        return frozenset({401}), None
    reaches = side == "in" or who in ("admin", "admin@T-HT")  # admins reach every unit
    allowed = RANK[ROLE[who]] >= RANK[entry.need]
    if entry.kind == LIST:
        return frozenset({200}), allowed and reaches
    if entry.kind == READ:
        if allowed:
            return frozenset({200} if reaches else {404}), None
        return frozenset({403, 404}), None
    if allowed and reaches and who != "read-token":
        return SUCCESS, None
    return frozenset({403} if reaches else {403, 404}), None


@pytest.fixture
def world(db: Any) -> World:
    return World(db)


@pytest.fixture
def client(server: str, db: Any) -> Iterator[Any]:
    """client(role, unit_code) -> signed in through /auth/token as a new user of that role;
    client(bearer=secret) -> with that token; client() -> anonymous. Like conftest's make_user,
    but without TLS: an httpx.Client with certificate checks costs 25 ms to build, a third of
    this whole test, for plain HTTP on the loopback."""
    opened: list[httpx.Client] = []
    numbers = iter(range(1, 1000))

    def make(role: Role | None = None, unit_code: str | None = None,
             bearer: str | None = None) -> httpx.Client:
        c = httpx.Client(base_url=server, timeout=30, verify=False)
        opened.append(c)
        if role is not None:
            name = f"matrix.{role.value}{next(numbers)}"
            with db() as s:
                auth.create_user(s, username=name, password=PASSWORD, role=role, unit_code=unit_code)
            r = c.post(f"{API}/auth/token", data={"username": name, "password": PASSWORD})
            assert r.status_code == 200, r.text
            bearer = r.json()["access_token"]
        if bearer:
            c.headers["Authorization"] = f"Bearer {bearer}"
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def admin(client: Any) -> Any:
    """The admin (no unit) who checks; made on first use only."""
    made: list[httpx.Client] = []

    def get() -> httpx.Client:
        if not made:
            made.append(client(Role.admin))
        return made[0]

    return get


@pytest.fixture
def caller(client: Any, admin: Any, world: World) -> Any:
    def make(who: str) -> httpx.Client:
        if who == "anonymous":
            return client()
        if who == "admin":
            return admin()
        if who == "read-token":
            r = admin().post(f"{API}/api-tokens", json={"name": "Cổng dữ liệu tỉnh (chỉ đọc)",
                                                    "unit_id": world["in", "commune"], "scope": "read"})
            assert r.status_code == 201, r.text
            return client(bearer=r.json()["token"])
        return client(ROLE[who], "T-HT")

    return make


def _stable(value: Any) -> Any:
    """A read without the token bookkeeping that using a token changes (last_used_at)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k != "last_used_at"}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def snapshot(api: httpx.Client, url: str) -> tuple[int, Any]:
    r = api.get(url)
    return r.status_code, _stable(r.json())


def _items(body: Any) -> list[dict[str, Any]]:
    return body if isinstance(body, list) else body["items"]


def test_every_route_has_an_entry_and_no_entry_is_stale() -> None:
    assert ("GET", f"{API}/models/{{id}}") in ROUTES, f"route discovery found {ROUTES}"
    missing = [r for r in ROUTES if r not in TABLE]
    stale = [k for k in TABLE if k not in ROUTES]
    assert not missing, f"routes without an entry in permission_table.TABLE: {missing}"
    assert not stale, f"entries of permission_table.TABLE for no route: {stale}"


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", ROUTES, ids=" ".join)
def test_matrix(route: tuple[str, str], who: str, world: World,
                caller: Any, admin: Any) -> None:
    entry = TABLE.get(route)
    if entry is None:
        pytest.fail(f"{route} has no entry in tests/api/permission_table.py TABLE: say how to "
                    "call it, and which role it needs")
    method = route[0]
    client = caller(who)
    failures = []
    for side in ("in", "out"):
        req = entry.build(world, side)
        if req is None:
            continue
        statuses, present = expect(who, entry, side)
        probe = entry.kind == WRITE and req.probe and not statuses & SUCCESS
        before = snapshot(admin(), req.probe) if probe else None
        assert before is None or before[0] == 200, f"probe {req.probe} as admin: {before}"
        r = client.request(method, req.url, params=req.params, json=req.json, files=req.files)
        where = f"{method} {req.url} {req.params or ''} as {who}, {side}side"
        if r.status_code not in statuses:
            want = "2xx" if statuses == SUCCESS else "/".join(map(str, sorted(statuses)))
            failures.append(f"{where}: expected {want}, got {r.status_code} {r.text[:300]}")
        elif present is not None and req.find is not None:
            key, value = req.find
            shown = any(item.get(key) == value for item in _items(r.json()))
            if shown != present:
                failures.append(f"{where}: {key}={value} {'missing from' if present else 'shown in'}"
                                " the list")
        if probe and snapshot(admin(), req.probe) != before:
            failures.append(f"{where}: answered {r.status_code}, yet {req.probe} changed")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["viewer", "clerk", "manager", "admin@T-HT", "admin", "read-token"])
def test_a_denouncer_is_shown_to_managers_and_admins_only(who: str, world: World,
                                                          caller: Any) -> None:
    client, pid = caller(who), world["in", "petitions"]
    sees = RANK[ROLE[who]] >= RANK[Role.manager]
    name, address = (SECRET_NAME, "thôn 2") if sees else (None, None)
    one = client.get(f"{API}/petitions/{pid}")
    assert one.status_code == 200, one.text
    assert (one.json()["petitioner_name"], one.json()["petitioner_address"]) == (name, address)
    listed = {p["id"]: p for p in _items(client.get(f"{API}/petitions").json())}
    assert (listed[pid]["petitioner_name"], listed[pid]["petitioner_address"]) == (name, address)
    entries = _items(client.get(f"{API}/audit", params={"resource": "petitions",
                                                          "record_id": pid}).json())
    created = [e for e in entries if e["action"] == "create"]
    assert len(created) == 1, entries
    changes = created[0]["changes"]
    # Below a manager the log holds no trace of the identity, not even its keys.
    shown = tuple(changes.get(k) for k in ("petitioner_name", "petitioner_address"))
    assert shown == (([None, name], [None, address]) if sees else (None, None)), changes
