"""`dvk units load-official` into a real database (one 2025 province and what was merged into
it: the whole country is the command's measured run, not the suite's): a dry run
stores nothing, a run stores the tree, a rerun changes nothing and leaves `remote` alone; then,
through the API, a code carried by an old and a new commune is read at two dates, a divided
commune has all its successors with the marked default first, and its record is counted once
in the new province's report."""

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.db.units import Unit
from app.enums import Role
from app.services import official
from app.services.actor import SYSTEM
from app.services.official import sources, tree
from tests.factories import make_unit

PROVINCE = "22"  # Quảng Ninh: 12 communes divided between several 2025 ones
SMALL = "12"  # Lai Châu, the smallest tree (no divided commune)
OLD_DAY, NEW_DAY = "2024-05-10", "2025-08-01"


@pytest.fixture(scope="module")
def built() -> list[dict[str, Any]]:
    return tree.build(sources.read()).rows


def _load(*args: str) -> str:
    result = CliRunner().invoke(cli, ["units", "load-official", "--province", SMALL, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _count(engine: Any) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(Unit)).scalar_one()


def test_a_dry_run_a_load_and_a_rerun_that_changes_nothing(engine, db, built):
    rows = tree.only(built, {SMALL})
    parts = Counter(label for label, part in official._parts(rows) for _ in part)
    out = _load("--dry-run")
    assert f"Tổng: sẽ thêm {len(rows)}, sửa 0, giữ nguyên 0 (nhập thử: chưa lưu gì)." in out
    assert _count(engine) == 0
    out = _load()
    for label, n in parts.items():
        assert f"{label}: {n} đơn vị; đã thêm {n}, sửa 0, giữ nguyên 0." in out
    # Lai Châu has no disagreement of its own: Hà Nội's are counted, not printed.
    assert "Hai nguồn không khác nhau ở điểm nào về tỉnh đã nạp." in out
    assert "'Phường Cửa Nam' (tỉnh 01)" not in out
    assert _count(engine) == len(rows)
    with db() as s:  # a province marks a commune remote: no data set says it, no run undoes it
        unit = s.exec(select(Unit).where(Unit.code == rows[-1]["code"],
                                         Unit.active_to.is_not(None))).scalars().one()
        unit.remote = True
    out = _load()
    assert f"Tổng: đã thêm 0, sửa 0, giữ nguyên {len(rows)}." in out
    assert _count(engine) == len(rows)
    with db() as s:
        assert s.exec(select(Unit.remote).where(Unit.id == unit.id)).scalar_one() is True


def test_only_an_admin_loads_and_only_a_known_province(engine, db, make_user, tmp_path):
    admin = make_user().get("/api/v1/users/me").json()["username"]
    assert "sẽ thêm" in _load("--dry-run", "--as", admin)
    with db() as s:
        make_unit(s, code="T-HT", name="Tỉnh thử", level="province")
    r = CliRunner().invoke(cli, ["units", "load-official", "--as", "nobody"])
    assert r.exit_code == 2 and "Không có người dùng đang hoạt động tên 'nobody'" in r.output
    clerk = make_user(Role.clerk, "T-HT")
    name = clerk.get("/api/v1/users/me").json()["username"]
    r = CliRunner().invoke(cli, ["units", "load-official", "--as", name])
    assert r.exit_code == 2 and "với vai trò Quản trị" in r.output
    sheet = tmp_path / "dong-gop.csv"  # `dvk import --user` finds its user the same way
    sheet.write_text("unit_code,amount_vnd\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["import", "contributions", str(sheet), "--user", "nobody"])
    assert r.exit_code == 2 and "Không có người dùng đang hoạt động tên 'nobody'" in r.output
    r = CliRunner().invoke(cli, ["units", "load-official", "--province", "60"])  # Bình Thuận, gone
    assert r.exit_code == 1 and "Không có tỉnh mã 60" in r.output
    assert _count(engine) == 1


def _unit(api: Any, code: str, on: str) -> dict[str, Any]:
    r = api.get("/api/v1/units", params={"code": code, "on": on})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 1, (code, on, items)
    return items[0]


def test_codes_at_dates_a_split_and_a_record_counted_once(db, api, built):
    rows = tree.only(built, {PROVINCE})
    with db() as s:
        assert official.load(s, SYSTEM, dry_run=False, provinces={PROVINCE}).ok
    old = {r["code"]: r for r in rows if r["active_to"] and r["level"] == "commune"}
    new = {r["code"]: r for r in rows if r["active_from"] and r["level"] == "commune"}
    shared = sorted(set(old) & set(new))[0]
    assert _unit(api, shared, NEW_DAY)["name"] == new[shared]["name"]
    assert _unit(api, shared, OLD_DAY)["name"] == old[shared]["name"]

    divided = next(r for r in old.values() if r["successor_codes"])
    unit = _unit(api, divided["code"], OLD_DAY)
    heirs = [_unit(api, c, "2025-07-01")["id"] for c in divided["successor_codes"]]
    assert len(heirs) >= 2 and unit["successor_ids"] == heirs
    assert unit["merged_into_id"] == heirs[0]  # the default, the one the data set marks

    r = api.post("/api/v1/contributions", json={
        "unit_id": unit["id"], "source": "people", "kind": "cash", "amount_vnd": 1_500_000,
        "date": OLD_DAY})
    assert r.status_code == 201, r.text

    def total(unit_id: int) -> int:
        r = api.get("/api/v1/reports/summary", params={
            "unit_id": unit_id, "date_from": "2024-01-01", "date_to": "2025-12-31"})
        assert r.status_code == 200, r.text
        return r.json()["contributions"]["total_vnd"]

    assert total(_unit(api, PROVINCE, NEW_DAY)["id"]) == 1_500_000
    assert total(_unit(api, PROVINCE, OLD_DAY)["id"]) == 1_500_000
    assert total(_unit(api, "VN", NEW_DAY)["id"]) == 1_500_000
    assert total(heirs[0]) == 1_500_000
    assert all(total(h) == 0 for h in heirs[1:])  # they received a part, not the records


def test_a_province_is_told_its_own_disagreements_and_a_count_of_the_others(engine):
    """A load of Cao Bằng prints Cao Bằng's three points, not the whole country's list; the
    option prints them all."""
    every = tree.build(sources.read()).disagreements
    own = ["'Xã Lý Quốc' (tỉnh 04): mã 01558", "'Xã Hạ Lang' (tỉnh 04): mã 01561",
           "'Xã Vinh Quý' (tỉnh 04): mã 01537"]
    result = CliRunner().invoke(cli, ["units", "load-official", "--province", "4", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("Hai nguồn khác nhau ở 3 điểm về tỉnh đã nạp:")
    assert all(line.startswith(f"  {m} theo vietnam-provinces")
               for line, m in zip(lines[start + 1:start + 4], own, strict=True))
    assert lines[start + 4] == (f"Hai nguồn còn khác nhau ở {len(every) - 3} điểm về các tỉnh khác "
                                "(không in; thêm --all-disagreements để in hết).")
    assert "Cửa Nam" not in result.stdout
    result = CliRunner().invoke(cli, ["units", "load-official", "--province", "04", "--dry-run",
                                      "--all-disagreements"])
    assert result.exit_code == 0, result.output
    assert f"Hai nguồn khác nhau ở {len(every)} điểm:" in result.stdout
    assert all(f"  {d}" in result.stdout.splitlines() for d in every)
    assert _count(engine) == 0


def test_one_successor_is_one_fact_for_the_command_the_import_and_the_api(db, api, built):
    """A commune merged whole: the command keeps its one successor in `merged_into_id`; an
    import or an API write naming it in `successor_codes` / `successor_ids` is no change
    (reported as kept, its version too); a link an earlier import kept, the command takes away."""
    from app.db.units import UnitSuccessor
    from tests.api.test_unit_imports import send

    _load()
    old_row = next(r for r in tree.only(built, {SMALL})
                   if r["level"] == "commune" and r["active_to"] and r["merged_into_code"])
    code, heir_code = old_row["code"], old_row["merged_into_code"]
    old, heir = _unit(api, code, OLD_DAY), _unit(api, heir_code, NEW_DAY)
    assert (old["merged_into_id"], old["successor_ids"]) == (heir["id"], [])

    r = send(api, [["code", "active_to", "successor_codes"], [code, "2025-06-30", heir_code]])
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["unchanged"]) == (0, 1), r.json()
    assert _unit(api, code, OLD_DAY) == old  # the same version, no link
    r = api.patch(f"/api/v1/units/{old['id']}", json={"successor_ids": [heir["id"]]})
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["successor_ids"]) == (old["version"], [])

    with db() as s:  # what an import kept before: a link for the one successor
        s.add(UnitSuccessor(predecessor_id=old["id"], successor_id=heir["id"]))
    assert _unit(api, code, OLD_DAY)["successor_ids"] == [heir["id"]]
    out = _load()
    assert "Tổng: đã thêm 0, sửa 1," in out, out
    fixed = _unit(api, code, OLD_DAY)
    assert (fixed["merged_into_id"], fixed["successor_ids"]) == (heir["id"], [])
    assert "Tổng: đã thêm 0, sửa 0," in _load()
