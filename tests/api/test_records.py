"""The contract every record resource shares: create, read, update, delete, and the
validation rules common to all of them (required fields, dates, units, unknown fields, text)."""

import unicodedata

import pytest

from tests.api.helpers import (RESOURCES, Resource, assert_invalid, assert_problem, create,
                               each, listing)

by_name = pytest.mark.parametrize("res", RESOURCES, ids=str)


@by_name
def test_create_read_update_delete(api, tree, res: Resource):
    body = res.body(tree.ham_tri)
    r = api.post(res.path, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{res.path}/{created['id']}"
    assert created["version"] == 1
    assert {k: created[k] for k in body} == body
    assert created["created_at"].endswith("Z") or created["created_at"].endswith("+00:00")

    r = api.get(r.headers["location"])
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'
    assert r.json() == created

    r = api.patch(f"{res.path}/{created['id']}", json=res.patch, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    updated = r.json()
    assert r.headers["etag"] == '"2"'
    assert updated["version"] == 2
    assert updated["updated_at"] >= created["updated_at"]
    assert updated["created_at"] == created["created_at"]
    assert updated == {**created, **res.patch, "version": 2, "updated_at": updated["updated_at"]}
    again = api.get(f"{res.path}/{created['id']}")
    assert again.json() == updated
    assert again.headers["etag"] == '"2"'

    r = api.delete(f"{res.path}/{created['id']}")
    assert r.status_code == 204
    assert r.content == b""
    assert_problem(api.get(f"{res.path}/{created['id']}"), 404)
    assert listing(api, res)["total"] == 0


@pytest.mark.parametrize("res, name", each(lambda r: r.required), ids=str)
def test_create_without_a_required_field_is_refused(api, tree, res: Resource, name: str):
    body = res.body(tree.ham_tri)
    body.pop(name)
    assert_invalid(api.post(res.path, json=body), name)
    assert listing(api, res)["total"] == 0


@pytest.mark.parametrize("res, name", each(lambda r: r.required), ids=str)
def test_patch_setting_a_required_field_to_null_is_refused(api, tree, res: Resource, name: str):
    created = create(api, res, res.body(tree.ham_tri))
    assert_invalid(api.patch(f"{res.path}/{created['id']}", json={name: None}), name)
    assert api.get(f"{res.path}/{created['id']}").json() == created


@pytest.mark.parametrize("day", ["1900-01-01", "1989-12-31", "2100-01-01", "2020-02-30",
                                 "15/03/2020"])
@pytest.mark.parametrize("res, name", each(lambda r: r.date_fields), ids=str)
def test_dates_outside_1990_2099_or_malformed_are_refused(api, tree, res, name, day):
    assert_invalid(api.post(res.path, json=res.body(tree.ham_tri, **{name: day})), name)
    assert listing(api, res)["total"] == 0


@by_name
def test_dates_on_the_lower_bound_are_accepted(api, tree, res: Resource):
    body = res.body(tree.ham_tri, **{f: "1990-01-01" for f in res.date_fields})
    assert create(api, res, body)[res.date_field] == "1990-01-01"


@by_name
def test_planned_dates_on_the_upper_bound_are_accepted(api, tree, res: Resource):
    """A planned start, end or period may lie years ahead; what has happened may not
    (tests/api/test_dates.py), so a record planned that far has not happened yet."""
    planned = {f: "2099-12-31" for f in res.date_fields if f not in res.happened}
    not_yet = {f: None for f in res.happened if f not in res.required}
    created = create(api, res, res.body(tree.ham_tri, **planned, **not_yet))
    assert {f: created[f] for f in planned} == planned


@pytest.mark.parametrize("res", RESOURCES, ids=str)
def test_patch_date_outside_range_is_refused_and_changes_nothing(api, tree, res: Resource):
    created = create(api, res, res.body(tree.ham_tri))
    r = api.patch(f"{res.path}/{created['id']}", json={res.date_field: "2100-01-01"})
    assert_invalid(r, res.date_field)
    assert api.get(f"{res.path}/{created['id']}").json() == created


@by_name
def test_unknown_unit_is_refused(api, tree, res: Resource):
    assert_invalid(api.post(res.path, json=res.body(99_999)), "unit_id")
    created = create(api, res, res.body(tree.ham_tri))
    assert_invalid(api.patch(f"{res.path}/{created['id']}", json={"unit_id": 99_999}), "unit_id")
    assert api.get(f"{res.path}/{created['id']}").json()["unit_id"] == tree.ham_tri


@pytest.mark.parametrize("value", ["abc", 1.5, [1], {"id": 1}])
@by_name
def test_unit_id_of_the_wrong_type_is_refused(api, tree, res: Resource, value):
    assert_invalid(api.post(res.path, json=res.body(tree.ham_tri, unit_id=value)), "unit_id")


@by_name
def test_unknown_fields_are_refused(api, tree, res: Resource):
    r = api.post(res.path, json=res.body(tree.ham_tri, colour="red"))
    assert_invalid(r, "colour")
    assert listing(api, res)["total"] == 0
    created = create(api, res, res.body(tree.ham_tri))
    assert_invalid(api.patch(f"{res.path}/{created['id']}", json={"unit": 1}), "unit")
    assert api.get(f"{res.path}/{created['id']}").json() == created


@by_name
def test_text_over_its_maximum_length_is_refused(api, tree, res: Resource):
    longest = "a" * res.max_len
    assert create(api, res, res.body(tree.ham_tri, **{res.text_field: longest}))[
        res.text_field] == longest
    r = api.post(res.path, json=res.body(tree.ham_tri, **{res.text_field: longest + "a"}))
    assert_invalid(r, res.text_field)
    assert listing(api, res)["total"] == 1


@by_name
def test_text_is_trimmed_and_nfc_normalised(api, tree, res: Resource):
    decomposed = "  Ha\u0300m Tri\u0301 \t"
    value = decomposed if res.name != "recognitions" else "  Ha\u0300m Tri\u0301 12/QĐ  "
    expected = unicodedata.normalize("NFC", value).strip()
    assert expected.startswith("Hàm Trí") and len(expected) < len(value.strip())
    created = create(api, res, res.body(tree.ham_tri, **{res.text_field: value}))
    assert created[res.text_field] == expected
    assert api.get(f"{res.path}/{created['id']}").json()[res.text_field] == expected
    r = api.patch(f"{res.path}/{created['id']}", json={res.text_field: " Hàm Lie\u0302m  "})
    assert r.status_code == 200, r.text
    assert r.json()[res.text_field] == "Hàm Liêm"
    assert [i[res.text_field] for i in listing(api, res)["items"]] == ["Hàm Liêm"]


@by_name
def test_missing_record_is_404_problem(api, tree, res: Resource):
    body = res.body(tree.ham_tri)
    assert_problem(api.get(f"{res.path}/424242"), 404)
    assert_problem(api.patch(f"{res.path}/424242", json=res.patch), 404)
    assert_problem(api.delete(f"{res.path}/424242"), 404)
    created = create(api, res, body)
    assert api.delete(f"{res.path}/{created['id']}").status_code == 204
    assert_problem(api.delete(f"{res.path}/{created['id']}"), 404)
    assert_problem(api.patch(f"{res.path}/{created['id']}", json=res.patch), 404)
    # An id that is no number matches no route: still told in Vietnamese, not "Not Found".
    wrong = api.get(f"{res.path}/abc")
    assert_problem(wrong, 404)
    assert "Not Found" not in wrong.text and "Không có tài nguyên" in wrong.json()["detail"]


@by_name
def test_read_only_fields_cannot_be_forged(api, tree, res: Resource):
    body = res.body(tree.ham_tri, id=777, version=9, created_at="2000-01-01T00:00:00Z")
    created = create(api, res, body)
    assert created["id"] != 777
    assert created["version"] == 1
    assert not created["created_at"].startswith("2000")
