"""The pages' forms say what the API says, next to the field: a date after today (Vietnam's
date) and a record on a commune that had ended, naming the one to choose."""

from typing import Any

import httpx
import pytest

from app.enums import Role
from tests.api.test_units_in_force import merged  # noqa: F401  (a fixture)
from tests.factories import make_model, make_petition, make_tree
from tests.ui.test_entry_pages import HX, field_error, form_for

NOW = "2026-12-05T17:30:00+00:00"  # 00:30 on 06/12/2026 in Vietnam, still the 5th in UTC


@pytest.fixture(autouse=True)
def _now(clock: Any) -> None:
    clock(NOW)


@pytest.fixture
def tree(db: Any) -> Any:
    with db() as s:
        return make_tree(s)


@pytest.fixture
def clerk(sign_in: Any, tree: Any) -> httpx.Client:
    return sign_in("canbo.huyen", Role.clerk, "T-HTB")


@pytest.mark.parametrize("path, name, message", [
    ("contributions", "date", "Ngày không được sau hôm nay (06/12/2026)."),
    ("land-donations", "date", "Ngày không được sau hôm nay (06/12/2026)."),
    ("works", "completed_date", "Ngày hoàn thành không được sau hôm nay (06/12/2026)."),
    ("petitions", "received_date", "Ngày nhận đơn không được sau hôm nay (06/12/2026)."),
    ("commendations", "decision_date", "Ngày quyết định không được sau hôm nay (06/12/2026)."),
    ("recognitions", "date", "Ngày không được sau hôm nay (06/12/2026)."),
])
def test_tomorrow_is_refused_next_to_its_field_and_today_saved(clerk, tree, path, name, message):
    r = clerk.post(f"/{path}", headers=HX, data=form_for(path, tree, **{name: "07/12/2026"}))
    assert r.status_code == 422, r.text
    assert field_error(r.text, name) == message
    saved = clerk.post(f"/{path}", headers=HX, data=form_for(path, tree, **{name: "06/12/2026"}))
    assert saved.status_code == 200 and "Đã lưu" in saved.text, saved.text


def test_a_planned_work_may_start_ahead(clerk, tree):
    data = form_for("works", tree, start_date="01/03/2027", completed_date="")
    r = clerk.post("/works", headers=HX, data=data)
    assert r.status_code == 200 and "Đã lưu" in r.text, r.text


def test_a_gift_on_an_ended_commune_names_its_successor_on_the_unit_field(clerk, tree, merged):  # noqa: F811
    data = form_for("contributions", tree, unit_id=str(merged["old"]), date="01/08/2025")
    r = clerk.post("/contributions", headers=HX, data=data)
    assert r.status_code == 422, r.text
    assert field_error(r.text, "unit_id") == (
        "Đơn vị &#39;Hàm Trí&#39; chỉ có hiệu lực đến hết ngày 30/06/2025, không nhận bản ghi "
        "ngày 01/08/2025. Ngày đó đơn vị kế thừa là &#39;Hàm Thuận&#39;: hãy chọn &#39;Hàm Thuận&#39;.")
    data["unit_id"] = str(merged["new"])
    saved = clerk.post("/contributions", headers=HX, data=data)
    assert saved.status_code == 200 and "Đã lưu" in saved.text, saved.text


def test_a_petitions_step_and_a_models_step_cannot_lie_ahead(clerk, api, tree, db):
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, received_date="2026-12-01")
        m = make_model(s, unit_id=tree.ham_tri, start_date="2026-01-10")
    r = clerk.post(f"/petitions/{p.id}/steps", data={"to": "accepted", "date": "07/12/2026"})
    assert "Ngày không được sau hôm nay (06/12/2026)." in r.text
    assert "Ngày: Ngày" not in r.text  # a message naming its field is not led by it again
    assert api.get(f"/api/v1/petitions/{p.id}").json()["status"] == "received"
    r = clerk.post(f"/models/{m.id}/step", data={"to": "in_progress", "date": "07/12/2026"})
    assert "Ngày không được sau hôm nay (06/12/2026)." in r.text
    assert "date: " not in r.text  # the rule's field named by its label, never its API name
    assert api.get(f"/api/v1/models/{m.id}").json()["status"] == "registered"
    done = clerk.post(f"/petitions/{p.id}/steps", data={"to": "accepted", "date": "06/12/2026"})
    assert done.status_code == 303, done.text


def test_a_mistyped_date_is_explained_in_the_pages_own_form(clerk, api, tree, db):
    """The pages read dates day first: their message says so, where the API's says ISO."""
    typed = "Ngày không hợp lệ: nhập ngày/tháng/năm, ví dụ 05/02/2021 (hoặc 2021-02-05)."
    r = clerk.post("/contributions", headers=HX, data=form_for("contributions", tree, date="5 tháng hai"))
    assert r.status_code == 422, r.text
    assert field_error(r.text, "date") == typed
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, received_date="2026-12-01")
    for step in ({"to": "accepted", "date": "hôm qua"}, {"days": "10", "date": "hôm qua"}):
        path = "steps" if "to" in step else "extend"
        r = clerk.post(f"/petitions/{p.id}/{path}", data=step)
        assert r.status_code == 422, r.text
        assert typed in r.text and "YYYY-MM-DD" not in r.text
    assert api.get(f"/api/v1/petitions/{p.id}").json()["status"] == "received"
    with db() as s:  # a model's step reads its date by the same rule, in the same words
        m = make_model(s, unit_id=tree.ham_tri, start_date="2026-01-10")
    r = clerk.post(f"/models/{m.id}/step", data={"to": "in_progress", "date": "hôm qua"})
    assert r.status_code == 422 and typed in r.text, r.text
    assert api.get(f"/api/v1/models/{m.id}").json()["status"] == "registered"
