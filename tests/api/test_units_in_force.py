"""A record belongs to the unit in force on its date: after Hàm Trí ended on 30/06/2025 and
merged into the new commune Hàm Thuận, a gift of 01/08/2025 is Hàm Thuận's, and one of
15/06/2025 is Hàm Trí's. The refusal names the unit to choose."""

from datetime import date
from typing import Any

import pytest

from app.db.units import Unit
from tests.api.helpers import RESOURCES, Resource, assert_invalid, create, listing
from tests.factories import Tree, make_unit

ALL = RESOURCES
AFTER, BEFORE = "2025-08-01", "2025-06-15"


@pytest.fixture
def merged(tree: Tree, db: Any) -> dict[str, int]:
    """Hàm Trí ends 30/06/2025 and merges into Hàm Thuận (from 01/07/2025), which in turn
    merges into Hàm Thuận Nam from 01/01/2026."""
    with db() as s:
        new = make_unit(s, code="T-HTH", name="Hàm Thuận", kind="xa", parent_id=tree.district,
                        active_from="2025-07-01")
        newer = make_unit(s, code="T-HTN", name="Hàm Thuận Nam", kind="xa",
                          parent_id=tree.district, active_from="2026-01-01")
        s.get(Unit, new.id).active_to = date(2025, 12, 31)  # type: ignore[union-attr]
        s.get(Unit, new.id).merged_into_id = newer.id  # type: ignore[union-attr]
        old = s.get(Unit, tree.ham_tri)
        old.active_to, old.merged_into_id = date(2025, 6, 30), new.id  # type: ignore[union-attr]
    return {"old": tree.ham_tri, "new": new.id, "newer": newer.id}


def on(res: Resource, unit: int, day: str) -> dict[str, Any]:
    """A valid body of `res` on `unit`, every date of it `day`."""
    given = res.make(unit, day)
    return res.body(unit, **{f: day for f in res.date_fields if f in given or f == "start_date"})


def refusal(r: Any) -> str:
    body = assert_invalid(r, "unit_id")
    return next(e["msg"] for e in body["errors"] if "unit_id" in e["loc"])


@pytest.mark.parametrize("res", ALL, ids=str)
def test_a_record_after_its_unit_ended_names_the_successor(api, merged, res: Resource):
    msg = refusal(api.post(res.path, json=on(res, merged["old"], AFTER)))
    assert msg == ("Đơn vị 'Hàm Trí' chỉ có hiệu lực đến hết ngày 30/06/2025, không nhận bản ghi "
                   "ngày 01/08/2025. Ngày đó đơn vị kế thừa là 'Hàm Thuận': hãy chọn 'Hàm Thuận'.")
    assert listing(api, res)["total"] == 0
    assert create(api, res, on(res, merged["new"], AFTER))["unit_id"] == merged["new"]
    assert create(api, res, on(res, merged["old"], BEFORE))["unit_id"] == merged["old"]


@pytest.mark.parametrize("res", ALL, ids=str)
def test_a_record_before_its_unit_began_names_the_predecessor(api, merged, res: Resource):
    msg = refusal(api.post(res.path, json=on(res, merged["new"], BEFORE)))
    assert msg == ("Đơn vị 'Hàm Thuận' có hiệu lực từ ngày 01/07/2025, không nhận bản ghi ngày "
                   "15/06/2025. Ngày đó là của 'Hàm Trí': hãy chọn đơn vị này.")
    assert listing(api, res)["total"] == 0


def test_mergers_are_followed_to_the_unit_in_force_that_day(api, merged):
    contributions = RESOURCES[2]
    msg = refusal(api.post(contributions.path, json=on(contributions, merged["old"], "2026-02-01")))
    assert msg.endswith("Ngày đó đơn vị kế thừa là 'Hàm Thuận Nam': hãy chọn 'Hàm Thuận Nam'.")
    msg = refusal(api.post(contributions.path, json=on(contributions, merged["newer"], BEFORE)))
    assert msg.endswith("Ngày đó là của 'Hàm Trí': hãy chọn đơn vị này.")


@pytest.mark.parametrize("res", ALL, ids=str)
def test_an_edit_of_only_the_date_or_only_the_unit_is_checked(api, merged, res: Resource):
    created = create(api, res, on(res, merged["old"], BEFORE))
    path = f"{res.path}/{created['id']}"
    dates = {f: AFTER for f in on(res, merged["old"], AFTER) if f in res.date_fields}
    assert "Hàm Thuận" in refusal(api.patch(path, json=dates))
    assert "Hàm Trí" in refusal(api.patch(path, json={"unit_id": merged["new"]}))
    assert api.get(path).json() == created
    # Both at once: the record moves to the unit of its new date.
    moved = api.patch(path, json={**dates, "unit_id": merged["new"]})
    assert moved.status_code == 200, moved.text


def test_a_work_under_way_is_placed_by_its_start_and_a_completed_one_by_its_completion(api, merged):
    works = RESOURCES[1]
    assert works.name == "works"
    started = create(api, works, works.body(merged["old"], start_date="2025-03-01", completed_date=None))
    path = f"{works.path}/{started['id']}"
    assert "'Hàm Thuận'" in refusal(api.patch(path, json={"completed_date": AFTER}))
    done = api.patch(path, json={"completed_date": AFTER, "unit_id": merged["new"]})
    assert done.status_code == 200, done.text


def test_an_edit_that_touches_neither_is_not_refused_for_an_older_record(api, merged, db):
    """A record stored before the rule, on a unit that had ended, can still have its amount
    corrected; moving its date or unit is checked."""
    contributions = RESOURCES[2]
    with db() as s:
        s.get(Unit, merged["old"]).active_to = None  # type: ignore[union-attr]
    created = create(api, contributions, on(contributions, merged["old"], AFTER))
    with db() as s:
        s.get(Unit, merged["old"]).active_to = date(2025, 6, 30)  # type: ignore[union-attr]
    path = f"{contributions.path}/{created['id']}"
    assert api.patch(path, json={"amount_vnd": 7_000_000}).status_code == 200
    assert "'Hàm Thuận'" in refusal(api.patch(path, json={"date": "2025-08-02"}))


def test_units_without_validity_dates_take_records_of_any_date(api, tree):
    contributions = RESOURCES[2]
    assert create(api, contributions, on(contributions, tree.ham_lien, "1990-01-01"))
