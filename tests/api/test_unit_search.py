"""/api/v1/units?q=: the units found, best first, as the pickers order them (services/
unit_search.py) on a tree named as the country's is (tests/factories.make_named_tree): the
units in force first; the name itself, with or without its kind word, before names that merely
start with the words typed; the marks typed preferred; the query's text trimmed."""

import pytest

from tests.factories import make_named_tree

U = "/api/v1/units"
AFTER = "2025-09-01"


@pytest.fixture
def named(db):
    with db() as s:
        return make_named_tree(s)


def names(api, **params):
    r = api.get(U, params=params)
    assert r.status_code == 200, r.text
    return [u["name"] for u in r.json()["items"]]


def test_the_name_itself_comes_before_names_that_start_with_it(api, named):
    # "an phu" is the name of "Xã An Phú" (and, without marks, of "Xã An Phụ"): both before
    # the wards whose names merely hold the words.
    # (then the names that hold both words somewhere: Tân Phước, Tân Phú)
    assert names(api, q="an phu", on=AFTER)[:4] == [
        "Xã An Phụ", "Xã An Phú", "Phường An Phú Đông", "Phường Bắc An Phụ"]
    assert names(api, q="tan phu", on=AFTER) == ["Xã Tân Phú", "Phường Tân Phước"]
    # Typed with its kind word, it is the name still.
    assert names(api, q="Xa an phu", on=AFTER)[:2] == ["Xã An Phụ", "Xã An Phú"]


@pytest.mark.parametrize(("typed", "first"), [
    ("an phú", "Xã An Phú"), ("An Phụ", "Xã An Phụ"), ("AN PHÚ", "Xã An Phú")])
def test_the_marks_typed_come_first_among_names_alike_without_them(api, named, typed, first):
    found = names(api, q=typed)
    assert found[0] == first
    assert set(found[:2]) == {"Xã An Phú", "Xã An Phụ"}
    assert found[2:4] == ["Phường An Phú Đông", "Phường Bắc An Phụ"]
    # With its kind word: the communes only, the one spelt as typed first.
    other = ({"Xã An Phú", "Xã An Phụ"} - {first}).pop()
    assert names(api, q="xã " + typed.lower())[:2] == [first, other]


def test_units_in_force_come_before_the_ended_ones_of_a_better_name(api, named):
    # Without `on`, every unit is listed; those in force today come first, "Phường 1 Bảo Lộc"
    # before the 21 ended wards named "Phường 1" exactly.
    found = names(api, q="phuong 1", limit=5)
    assert found[0] == "Phường 1 Bảo Lộc"
    assert found[1:] == ["Phường 1"] * 4


@pytest.mark.parametrize("code", [" LD-APH ", "\tLD-APH", "ld-aph\t "])
def test_a_code_with_spaces_around_it_is_the_code(api, named, code):
    # A query string's text is trimmed, as a body's is (README): a code pasted with a space
    # or a tab around it finds its unit.
    r = api.get(U, params={"code": code, "on": AFTER})
    assert r.status_code == 200, r.text
    assert [u["id"] for u in r.json()["items"]] == [named["Xã An Phú"]]
    assert names(api, q=f" {code} ") == ["Xã An Phú"]


def test_each_unit_carries_its_path_as_the_picker_shows_it(api, named):
    found = api.get(U, params={"q": "an phu", "on": AFTER}).json()["items"]
    assert {u["path"] for u in found} == {"Việt Nam › Tỉnh Lâm Đồng"}
    ward = api.get(f"{U}/{named['Phường 1'][0]}").json()
    assert ward["path"] == "Việt Nam › Tỉnh Lâm Đồng › Thành phố Bảo Lộc"
    assert api.get(f"{U}/{named['Việt Nam']}").json()["path"] == ""
    # The same on a write's answer, and in an export of the list with the API's field names.
    moved = api.patch(f"{U}/{named['Xã An Phú']}", json={"parent_id": named["Việt Nam"]},
                      headers={"If-Match": '"1"'})
    assert moved.status_code == 200, moved.text
    assert moved.json()["path"] == "Việt Nam"
    csv = api.get(f"{U}.csv", params={"columns": "fields", "q": "an phu", "on": AFTER}).text
    assert "path" in csv.splitlines()[0] and "Việt Nam › Tỉnh Lâm Đồng" in csv
    feed = api.get("/api/v1/changes", params={"resource": "units", "limit": 5000}).json()
    last = [c["record"] for c in feed["items"]
            if c["record"] and c["record"]["name"] == "Xã An Phú"]
    assert last and last[-1]["path"] == "Việt Nam"  # the changes feed shows the unit as it is
    # Read only: a read sent back whole is a write still, its path set aside.
    again = api.patch(f"{U}/{named['Xã An Phú']}", json={**moved.json(), "path": "Somewhere"},
                      headers={"If-Match": '"2"'})
    assert again.status_code == 200, again.text
    assert again.json()["path"] == "Việt Nam"
    schema = api.get("/openapi.json").json()["components"]["schemas"]["UnitRead"]
    assert "Việt Nam › Tỉnh Lâm Đồng" in schema["properties"]["path"]["description"]
