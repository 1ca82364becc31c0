"""Units through the import: a dry run then the real run, the same file again (nothing
changes), a code carried by an old unit and its 2025 successor told apart by validity,
parents and successors named by code (above or below), a split, the remote flag in bulk, a
manager outside their subtree, and rows in error (nothing saved)."""

import csv
import io
from datetime import date
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.db.audit import AuditEntry
from app.db.units import Unit
from app.enums import Role
from app.services.actor import Actor
from app.services.imports.units import import_unit_rows
from tests.api.test_imports import post, xlsx

HEAD = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Loại", "Đơn vị cấp trên (mã)", "Vùng sâu, vùng xa",
        "Hiệu lực từ", "Hết hiệu lực", "Các đơn vị kế thừa (mã)"]
# Bình Thuận's Hàm Thuận Bắc until 2025 and Lâm Đồng after, in the file's order: the old
# communes come first and name their successors further down.
COUNTRY = [
    HEAD,
    ["BT", "Tỉnh Bình Thuận", "Tỉnh", "Tỉnh", None, None, None, "30/06/2025", "LD"],
    ["HTB", "Huyện Hàm Thuận Bắc", "Huyện", "Huyện", "BT", None, None, "30/06/2025", None],
    ["23059", "Thị trấn Ma Lâm", "Xã", "Thị trấn", "HTB", None, None, "30/06/2025", "23059"],
    ["23062", "Xã Hàm Trí", "Xã", "Xã", "htb", "có", None, "30/06/2025", "23059;23065"],
    ["LD", "Tỉnh Lâm Đồng", "province", "tinh", None, None, "01/07/2025", None, None],
    ["23059", "Xã Hàm Thuận", "commune", "xa", "LD", None, "2025-07-01", None, None],
    ["23065", "Xã Hồng Sơn", "commune", "xa", "LD", None, "01/07/2025", None, None],
]


def units(db: Any) -> dict[tuple[str, Any], Any]:
    """Every unit by (code, active_from), read with its successors."""
    with db() as s:
        return {(u.code, u.active_from): SimpleNamespace(**{c: getattr(u, c) for c in u.__table__.columns.keys()}, successor_ids=u.successor_ids)
                for u in s.exec(select(Unit)).scalars()}


def audit_count(db: Any) -> int:
    with db() as s:
        return s.exec(select(func.count()).select_from(AuditEntry)
                      .where(AuditEntry.resource == "units")).scalar_one()


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if c is None else c for c in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def send(client: httpx.Client, rows: list[list[Any]], **params: Any) -> httpx.Response:
    return post(client, "units", csv_bytes(rows), "don-vi.csv", **params)


def test_dry_run_then_real_then_again(api: httpx.Client, db: Any) -> None:
    r = send(api, COUNTRY, dry_run="true")
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["ok"], report["applied"], report["created"], report["rows"]) == (True, False, 7, 7), report["errors"]
    assert units(db) == {} and audit_count(db) == 0

    r = send(api, COUNTRY)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["applied"]) == (7, True)
    got = units(db)
    old, new = got[("23059", None)], got[("23059", date(2025, 7, 1))]
    ham_tri, hong_son = got[("23062", None)], got[("23065", date(2025, 7, 1))]
    assert (old.name, new.name) == ("Thị trấn Ma Lâm", "Xã Hàm Thuận")
    assert old.merged_into_id == new.id and old.parent_id == got[("HTB", None)].id
    assert new.parent_id == got[("LD", date(2025, 7, 1))].id
    # A split: both successors stored, the first named the default.
    assert (ham_tri.merged_into_id, ham_tri.successor_ids) == (new.id, [new.id, hong_son.id])
    assert ham_tri.remote and not old.remote
    assert got[("BT", None)].merged_into_id == got[("LD", date(2025, 7, 1))].id
    # One audit entry per unit: its successors are part of its creation.
    assert audit_count(db) == 7

    r = send(api, COUNTRY)
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 0, 7)
    assert len(units(db)) == 7 and audit_count(db) == 7


def test_a_code_is_read_by_validity(api: httpx.Client, db: Any) -> None:
    assert send(api, COUNTRY).status_code == 200
    before = audit_count(db)
    rows = [["Mã đơn vị", "Hiệu lực từ", "Hết hiệu lực", "Tên đơn vị", "Vùng sâu, vùng xa"],
            ["23059", "01/07/2025", None, None, "có"],  # Hàm Thuận (its validity)
            ["23059", None, "10/05/2024", "Thị trấn Ma Lâm (cũ)", None]]  # Ma Lâm
    r = send(api, rows)
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["created"]) == (2, 0)
    got = units(db)
    assert got[("23059", date(2025, 7, 1))].remote and got[("23059", date(2025, 7, 1))].name == "Xã Hàm Thuận"
    assert got[("23059", None)].name == "Thị trấn Ma Lâm (cũ)" and not got[("23059", None)].remote
    assert audit_count(db) == before + 2
    # Without dates the code is read today: the unit in force now.
    r = send(api, [["code", "kind"], ["23059", "phuong"]])
    assert r.json()["updated"] == 1 and units(db)[("23059", date(2025, 7, 1))].kind == "phuong"
    # A row whose validity overlaps both carriers is refused, naming them.
    r = send(api, [["code", "active_from", "remote"], ["23059", "2020-01-01", "không"]])
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["loc"] == ["row", 2, "active_from"] or error["loc"][:2] == ["row", 2]
    assert "Thị trấn Ma Lâm" in error["msg"] and "Xã Hàm Thuận" in error["msg"]


def test_remote_in_bulk(api: httpx.Client, db: Any) -> None:
    assert send(api, COUNTRY).status_code == 200
    r = send(api, [["code", "remote"], ["23065", "x"], ["LD", "có"], ["23062", "không"]])
    assert r.status_code == 200, r.text
    assert r.json()["updated"] == 3
    got = units(db)
    assert got[("23065", date(2025, 7, 1))].remote and got[("LD", date(2025, 7, 1))].remote
    assert not got[("23062", None)].remote
    assert got[("23065", date(2025, 7, 1))].name == "Xã Hồng Sơn"  # the rest untouched


def test_a_split_default_first_and_forward_parents(api: httpx.Client, db: Any) -> None:
    rows = [["code", "name", "level", "parent_code", "active_to", "successor_codes"],
            ["X-OLD", "Xã Cũ", "commune", "P", "2025-06-30", "X-B, X-A"],
            ["X-A", "Xã A", "commune", "P", None, None],
            ["X-B", "Xã B", "commune", "P", None, None],
            ["P", "Tỉnh P", "province", None, None, None]]
    r = send(api, rows)
    assert r.status_code == 200, r.text
    got = units(db)
    old, a, b = got[("X-OLD", None)], got[("X-A", None)], got[("X-B", None)]
    assert (old.merged_into_id, old.successor_ids) == (b.id, [b.id, a.id])
    assert {old.parent_id, a.parent_id, b.parent_id} == {got[("P", None)].id}


def test_errors_by_row_and_nothing_saved(api: httpx.Client, db: Any) -> None:
    rows = [*COUNTRY,
            ["X1", "Xã lạ", "Xã", "Xã", "KHONGCO", None, "01/01/2020", None, None],
            ["X2", None, "Xã", None, "HTB", None, "01/01/2020", None, None],
            ["X3", "Xã sai cấp", "Tỉnh", None, "HTB", None, "01/01/2020", None, None],
            ["X4", "Xã ngày sai", "Xã", None, "HTB", None, "32/13/2020", None, None]]
    r = send(api, rows)
    assert r.status_code == 422, r.text
    body = r.json()
    by_row = {e["loc"][1]: e for e in body["errors"]}
    assert set(by_row) == {9, 10, 11, 12}, body["errors"]
    assert "KHONGCO" in by_row[9]["msg"] and "01/01/2020" in by_row[9]["msg"]
    assert by_row[9]["loc"][2] == "Đơn vị cấp trên (mã)"
    assert by_row[10]["loc"][2] == "Tên đơn vị"
    assert by_row[11]["loc"][2] == "Cấp"
    assert by_row[12]["loc"][2] == "Hiệu lực từ"
    assert units(db) == {} and audit_count(db) == 0


def test_a_manager_imports_in_their_subtree_only(make_user: Any, api: httpx.Client, db: Any) -> None:
    # Lâm Đồng's subtree holds Bình Thuận (merged into it): Khánh Hòa lies outside it.
    assert send(api, [*COUNTRY, ["KH", "Tỉnh Khánh Hòa", "Tỉnh", None, None, None, None, None, None],
                      ["KH-1", "Xã Cam", "Xã", None, "KH", None, None, None, None]]).status_code == 200
    manager = make_user(Role.manager, "LD")
    mine = [["code", "name", "level", "parent_code", "active_from"],
            ["LD-NEW", "Xã Mới", "commune", "LD", "2026-01-01"]]
    r = send(manager, mine)
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    theirs = [["code", "name", "level", "parent_code"], ["KH-NEW", "Xã Khác", "commune", "KH"]]
    r = send(manager, theirs)
    assert r.status_code == 403, r.text
    assert r.json()["errors"][0]["loc"][1] == 2
    r = send(manager, [["code", "remote"], ["KH-1", "có"]])
    assert r.status_code == 403, r.text
    assert ("KH-NEW", None) not in units(db) and not units(db)[("KH-1", None)].remote


def test_the_template_and_a_workbook(api: httpx.Client, db: Any) -> None:
    r = api.get("/api/v1/imports/units/template.csv")
    assert r.status_code == 200
    [header] = csv.reader(io.StringIO(r.content.decode("utf-8-sig")))
    assert header[:2] == ["Mã đơn vị", "Tên đơn vị"] and "Các đơn vị kế thừa (mã)" in header
    assert api.get("/api/v1/imports/units/template.xlsx").status_code == 200
    r = post(api, "units", xlsx([header, ["W1", "Tỉnh W", "Tỉnh"]]), "don-vi.xlsx")
    assert r.status_code == 200 and r.json()["created"] == 1, r.text


def test_the_function_other_code_calls(db: Any) -> None:
    admin = Actor(user_id=None, username="loader", role=Role.admin, unit_id=None)
    rows = [{"code": "F-P", "name": "Tỉnh F", "level": "province"},
            {"code": "F-C", "name": "Xã F", "level": "commune", "parent_code": "F-P",
             "active_from": date(2025, 7, 1), "remote": True}]
    with db() as s:
        report = import_unit_rows(s, admin, rows, dry_run=True)
        assert (report.ok, report.created, report.applied) == (True, 2, False)
        assert s.exec(select(func.count()).select_from(Unit)).scalar_one() == 0
        report = import_unit_rows(s, admin, rows, dry_run=False)
        assert (report.created, report.applied) == (2, True)
    with db() as s:
        report = import_unit_rows(s, admin, [*rows, {"code": "F-X", "level": "commune"}], dry_run=False)
        assert (report.ok, report.unchanged, report.error_count) == (False, 2, 1)
        assert report.errors[0].row == 3
    assert {c for c, _ in units(db)} == {"F-P", "F-C"}
    with db() as s:
        with pytest.raises(Exception, match="zzz"):
            import_unit_rows(s, admin, [{"code": "F-P", "zzz": 1}], dry_run=True)


def test_a_unit_moves_under_a_unit_the_same_file_creates(api: httpx.Client, db: Any) -> None:
    """An update naming a new unit waits for it (the links are set after the new units),
    and is one change in the audit log."""
    assert send(api, COUNTRY).status_code == 200
    before = audit_count(db)
    rows = [["code", "active_from", "parent_code", "name", "level"],
            ["23065", "2025-07-01", "KH2", None, None],
            ["KH2", "2025-07-01", None, "Tỉnh Khánh Hòa", "province"],
            ["KH2-T1", "2025-07-01", "23065", "Thôn 1", "village"]]
    r = send(api, rows)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"]) == (2, 1)
    got = units(db)
    moved = got[("23065", date(2025, 7, 1))]
    assert moved.parent_id == got[("KH2", date(2025, 7, 1))].id
    assert got[("KH2-T1", date(2025, 7, 1))].parent_id == moved.id
    assert audit_count(db) == before + 3
    with db() as s:
        from app.services import scope
        assert scope.in_subtree(s, moved.id, got[("KH2", date(2025, 7, 1))].id)


def test_one_successor_code_is_a_merger_as_the_api_stores_it(api: httpx.Client, db: Any) -> None:
    """Ma Lâm names its one successor in `successor_codes`: stored as its merger alone (no
    link, as `dvk units load-official` and the API store it); naming it again either way, or
    through `merged_into_code`, changes nothing."""
    assert send(api, COUNTRY).status_code == 200
    got = units(db)
    old, new = got[("23059", None)], got[("23059", date(2025, 7, 1))]
    assert (old.merged_into_id, old.successor_ids) == (new.id, [])
    for column in ("successor_codes", "merged_into_code"):
        r = send(api, [["code", "active_to", column], ["23059", "2025-06-30", "23059"]])
        assert r.status_code == 200, r.text
        assert (r.json()["updated"], r.json()["unchanged"]) == (0, 1), r.json()
    again = units(db)[("23059", None)]
    assert (again.version, again.successor_ids) == (old.version, [])


def test_a_split_keeps_its_stored_default_when_the_sheet_names_none(api: httpx.Client, db: Any) -> None:
    """Hàm Trí was divided between Ma Lâm's successor and Hồng Sơn, the default chosen as
    Hồng Sơn (through the API); a sheet naming the same two in another order, and no default,
    changes nothing: the default is the units service's one rule (the stored one while still
    among them), as for the API and the form."""
    assert send(api, COUNTRY).status_code == 200
    got = units(db)
    ham_tri, hong_son = got[("23062", None)], got[("23065", date(2025, 7, 1))]
    r = api.patch(f"/api/v1/units/{ham_tri.id}", json={"merged_into_id": hong_son.id})
    assert r.status_code == 200, r.text
    chosen = units(db)[("23062", None)]
    assert chosen.merged_into_id == hong_son.id
    r = send(api, [["code", "active_to", "successor_codes"], ["23062", "2025-06-30", "23059;23065"]])
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["unchanged"]) == (0, 1), r.json()
    again = units(db)[("23062", None)]
    assert (again.merged_into_id, again.version) == (hong_son.id, chosen.version)
