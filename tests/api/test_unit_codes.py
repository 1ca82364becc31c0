"""A unit's code over time (issue 20): Vietnam's 2025 communes mostly carry a predecessor's code
(23059 was Thị trấn Ma Lâm until 30/06/2025 and is Xã Hàm Thuận since). A code is unique,
without case, among units in force at the same time; `?code=&on=` finds the unit that carried
it that day; a write may name its unit by `unit_code`, read at the record's own date; an
import reads a row's code at the row's date, and its dry run says which unit it read."""

import threading
import time
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.db.contributions import Contribution
from app.db.session import session_scope
from app.db.units import Unit, UnitCreate
from app.enums import Role
from app.services import units
from app.services.actor import SYSTEM
from app.services.errors import Conflict
from app.services.in_force import unit_at
from tests.api.helpers import RESOURCES, Resource, assert_invalid, assert_problem, create
from tests.api.test_imports import HEAD, post, xlsx
from tests.api.test_units_in_force import merged, on  # noqa: F401  (a fixture)
from tests.factories import Tree, make_unit

CODE = "23059"
AFTER, BEFORE = "2025-08-01", "2024-05-10"  # each side of 01/07/2025


@pytest.fixture
def ma_lam(tree: Tree, db: Any) -> dict[str, int]:
    """Thị trấn Ma Lâm (23059) ends 30/06/2025 and merges into Xã Hàm Thuận, which carries
    its code from 01/07/2025."""
    with db() as s:
        old = make_unit(s, code=CODE, name="Thị trấn Ma Lâm", kind="thi_tran",
                        parent_id=tree.district, active_to="2025-06-30")
        new = make_unit(s, code=CODE, name="Xã Hàm Thuận", kind="xa", parent_id=tree.district,
                        active_from="2025-07-01")
        s.get(Unit, old.id).merged_into_id = new.id  # type: ignore[union-attr]
    return {"old": old.id, "new": new.id}


def unit_body(tree: Tree, code: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, "name": "Xã thử", "level": "commune", "kind": "xa",
            "parent_id": tree.district, **kw}


def found(api: Any, **params: Any) -> list[int]:
    r = api.get("/api/v1/units", params=params)
    assert r.status_code == 200, r.text
    return [u["id"] for u in r.json()["items"]]


# -- the rule: one unit per code at a time -----------------------------------------------------

def test_two_units_share_a_code_with_adjacent_validity_compared_without_case(api, tree):
    old = api.post("/api/v1/units", json=unit_body(tree, "MA-LAM", active_to="2025-06-30"))
    assert old.status_code == 201, old.text
    new = api.post("/api/v1/units", json=unit_body(tree, "ma-lam", active_from="2025-07-01"))
    assert new.status_code == 201, new.text
    assert found(api, code="Ma-Lam", on="2025-06-30") == [old.json()["id"]]
    assert found(api, code="MA-LAM", on="2025-07-01") == [new.json()["id"]]


@pytest.mark.parametrize("dates", [
    {"active_from": "2025-06-30"},  # one day together
    {},  # always
    {"active_from": "2020-01-01", "active_to": "2020-12-31"},  # inside the old one's time
], ids=["one-day", "always", "inside"])
def test_an_overlapping_duplicate_is_refused_naming_the_other_unit(api, tree, ma_lam, dates):
    r = api.post("/api/v1/units", json=unit_body(tree, CODE, **dates))
    body = assert_problem(r, 409)
    assert "'Thị trấn Ma Lâm'" in body["detail"] and f"số {ma_lam['old']}" in body["detail"]
    assert "cùng có hiệu lực" in body["detail"]
    assert body["errors"][0]["loc"] == ["body", "code"]
    assert len(found(api, q=CODE, limit=50)) == 2


def test_the_overlap_is_named_and_an_edit_into_it_is_refused(api, tree, ma_lam):
    r = api.post("/api/v1/units", json=unit_body(tree, "23059", active_from="2025-06-01",
                                                 active_to="2025-06-30"))
    assert "cùng có hiệu lực 01/06/2025 – 30/06/2025" in assert_problem(r, 409)["detail"]
    # Moving the successor's start back into its predecessor's time, or giving another unit
    # the code (in lower case too, had it letters), is refused; an edit of something else is not.
    moved = api.patch(f"/api/v1/units/{ma_lam['new']}", json={"active_from": "2025-06-30"})
    assert "'Thị trấn Ma Lâm'" in assert_problem(moved, 409)["detail"]
    renamed = api.patch(f"/api/v1/units/{ma_lam['new']}", json={"name": "Xã Hàm Thuận (mới)"})
    assert renamed.status_code == 200, renamed.text
    other = api.patch(f"/api/v1/units/{tree.ham_tri}", json={"code": CODE})
    assert "'Thị trấn Ma Lâm'" in assert_problem(other, 409)["detail"]


def test_concurrent_creates_of_one_code_cannot_both_pass(engine, tree):
    """The check runs in the write's transaction: a second writer of the same code waits for
    the first (PostgreSQL: a lock per code; SQLite: the write lock) and then sees its unit."""
    data = UnitCreate.model_validate(unit_body(tree, "CUNG-MA"))
    outcome: list[Any] = []

    def second() -> None:
        try:
            for s in session_scope(engine, write=True):
                units.create(s, actor=SYSTEM, data=data)
            outcome.append("created")
        except Conflict as exc:
            outcome.append(exc)

    scope = session_scope(engine, write=True)
    first = next(scope)
    units.create(first, actor=SYSTEM, data=data)
    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), outcome  # waiting for the first writer
    next(scope, None)  # the first commits
    thread.join(timeout=20)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome


# -- a code read on a date ---------------------------------------------------------------------

def test_the_code_filter_finds_the_carrier_on_each_side_of_the_reform(api, ma_lam, clock):
    clock("2026-12-05T17:30:00+00:00")
    assert found(api, code=CODE, on="2025-06-30") == [ma_lam["old"]]
    assert found(api, code=CODE, on="2025-07-01") == [ma_lam["new"]]
    assert found(api, code=CODE) == [ma_lam["new"]]  # today
    assert found(api, code="99999", on="2025-07-01") == []
    # `on` alone: the units in force that day.
    assert ma_lam["old"] in found(api, on="2025-06-30", limit=500)
    assert ma_lam["old"] not in found(api, on="2025-07-01", limit=500)


def test_the_resolver_reads_the_code_without_case(db, tree):
    with db() as s:
        make_unit(s, code="HX-MOI", name="Xã mới", parent_id=tree.district,
                  active_from="2025-07-01")
        assert unit_at(s, "hx-moi", date(2025, 7, 1)).name == "Xã mới"  # type: ignore[union-attr]
        assert unit_at(s, "HX-MOI", date(2025, 6, 30)) is None


def test_the_openapi_documents_unit_code_and_the_filter(anon):
    spec = anon.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for res in RESOURCES:
        create_schema = schemas[res.declared.create.__name__]
        assert create_schema["properties"]["unit_code"]["title"] == "Mã đơn vị", res
        assert create_schema["anyOf"] == [{"required": ["unit_id"]}, {"required": ["unit_code"]}]
        assert "unit_code" in schemas[res.declared.update.__name__]["properties"], res
    params = {p["name"] for p in spec["paths"]["/api/v1/units"]["get"]["parameters"]}
    assert {"code", "on"} <= params


# -- writes that name their unit by code -------------------------------------------------------

def by_code(body: dict[str, Any], code: str = CODE) -> dict[str, Any]:
    return {**{k: v for k, v in body.items() if k != "unit_id"}, "unit_code": code}


@pytest.mark.parametrize("res", RESOURCES, ids=str)
def test_a_write_by_unit_code_lands_on_the_unit_of_its_date(api, ma_lam, res: Resource):
    after = create(api, res, by_code(on(res, ma_lam["new"], AFTER)))
    assert after["unit_id"] == ma_lam["new"] and "unit_code" not in after
    before = create(api, res, by_code(on(res, ma_lam["old"], BEFORE)))
    assert before["unit_id"] == ma_lam["old"]
    # Clients that send unit_id are served as before.
    assert create(api, res, on(res, ma_lam["new"], AFTER))["unit_id"] == ma_lam["new"]
    # An edit that moves the date and names the code moves the record to that day's unit.
    dates = {f: AFTER for f in on(res, ma_lam["old"], AFTER) if f in res.date_fields}
    moved = api.patch(f"{res.path}/{before['id']}", json={**dates, "unit_code": CODE.lower()})
    assert moved.status_code == 200 and moved.json()["unit_id"] == ma_lam["new"], moved.text


def test_unit_code_and_unit_id_must_agree_and_one_is_needed(api, ma_lam):
    res = RESOURCES[2]  # contributions
    body = on(res, ma_lam["old"], AFTER)
    both = api.post(res.path, json={**body, "unit_code": CODE})  # 23059 on 01/08/2025: Hàm Thuận
    msg = assert_invalid(both, "unit_code")["errors"][0]["msg"]
    assert msg == (f"Mã '{CODE}' ngày 01/08/2025 là mã của 'Xã Hàm Thuận' (số {ma_lam['new']}), "
                   f"không phải đơn vị số {ma_lam['old']} (unit_id): hãy gửi một trong hai.")
    agree = api.post(res.path, json={**body, "unit_id": ma_lam["new"], "unit_code": CODE})
    assert agree.status_code == 201 and agree.json()["unit_id"] == ma_lam["new"], agree.text
    neither = api.post(res.path, json={k: v for k, v in body.items() if k != "unit_id"})
    assert "unit_code" in assert_invalid(neither, "unit_id")["errors"][0]["msg"]
    unknown = api.post(res.path, json=by_code(body, "KHONG-CO"))
    assert assert_invalid(unknown, "unit_code")["errors"][0]["msg"] == "Không có đơn vị mã 'KHONG-CO'."
    patch = api.patch(f"{res.path}/{agree.json()['id']}", json={"unit_code": CODE,
                                                                "unit_id": ma_lam["old"]})
    assert_invalid(patch, "unit_code")


def test_a_code_no_unit_carried_that_day_names_the_successor(api, merged):  # noqa: F811
    res = RESOURCES[2]
    r = api.post(res.path, json=by_code(on(res, merged["old"], AFTER), "t-ht"))
    assert assert_invalid(r, "unit_code")["errors"][0]["msg"] == (
        "Đơn vị 'Hàm Trí' chỉ có hiệu lực đến hết ngày 30/06/2025, không nhận bản ghi ngày "
        "01/08/2025. Ngày đó đơn vị kế thừa là 'Hàm Thuận': hãy chọn 'Hàm Thuận'.")


# -- the import --------------------------------------------------------------------------------

def row(day: str, key: str) -> list[Any]:
    return [CODE, "Nhân dân", "Tiền mặt", "100.000", None, None, "Trần Văn Tư", day, None, key]


def test_an_import_reads_each_rows_code_at_its_date_and_the_dry_run_says_so(make_user, db, ma_lam):
    clerk = make_user(Role.clerk, "T-HTB")
    sheet = xlsx([HEAD, row("01/08/2025", "MA-1"), row("10/05/2024", "MA-2"),
                  row("02/08/2025", "MA-3")])
    dry = post(clerk, "contributions", sheet, dry_run="true")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["ok"] and report["created"] == 3 and not report["applied"], report
    named = {u["unit_id"]: (u["name"], u["rows"], u["first_row"], u["shared"])
             for u in report["units"]}
    assert named == {ma_lam["new"]: ("Xã Hàm Thuận", 2, 2, True),
                     ma_lam["old"]: ("Thị trấn Ma Lâm", 1, 3, True)}
    assert (f"mã {CODE}: 2 dòng là 'Xã Hàm Thuận' (số {ma_lam['new']}, hiệu lực từ 01/07/2025), "
            f"1 dòng là 'Thị trấn Ma Lâm' (số {ma_lam['old']}, hiệu lực đến hết 30/06/2025)"
            ) in report["summary"]
    done = post(clerk, "contributions", sheet)
    assert done.status_code == 200 and done.json()["applied"], done.text
    with db() as s:
        stored = dict(s.exec(select(Contribution.external_id, Contribution.unit_id)).all())
    assert stored == {"MA-1": ma_lam["new"], "MA-2": ma_lam["old"], "MA-3": ma_lam["new"]}


def test_an_import_of_unshared_codes_says_nothing_more(make_user, tree):
    clerk = make_user(Role.clerk, "T-HTB")
    sheet = xlsx([HEAD, ["T-HT", "Nhân dân", "Tiền mặt", "100.000", None, None, "Tư",
                         "01/08/2025", None, "K-1"]])
    report = post(clerk, "contributions", sheet, dry_run="true").json()
    assert report["ok"] and report["summary"].endswith("(nhập thử: chưa lưu gì)."), report
    assert [(u["code"], u["unit_id"], u["shared"]) for u in report["units"]] == [
        ("T-HT", tree.ham_tri, False)]


def test_a_code_outside_the_subtree_is_refused_as_its_id_would_be(make_user, ma_lam):
    clerk = make_user(Role.clerk, "T-HL")
    res = RESOURCES[2]
    r = clerk.post(res.path, json=by_code(on(res, ma_lam["new"], AFTER)))
    assert_problem(r, 403)
    both = clerk.post(res.path, json={**on(res, ma_lam["old"], AFTER), "unit_code": CODE})
    body = assert_problem(both, 403)
    assert "Hàm Thuận" not in str(body), body  # the code's unit is not named to an outsider
