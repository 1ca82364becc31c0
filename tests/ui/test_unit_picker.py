"""The unit picker searching as one types (/units/pick, app/ui/unit_picker.py) on a tree named
as the country's is (tests/factories.make_named_tree): the units in force on the record's date
first, never hidden behind the ended ones of a better name; the name itself first, the marks
typed preferred; each with where it lies."""

import re

import pytest

from app.enums import Role
from tests.factories import make_named_tree

HX = {"HX-Request": "true"}
FOUND = re.compile(r'<input type="radio" name="unit_id" value="(\d+)"> <strong>([^<]+)</strong>'
                   r'(?: <span class="muted">([^<]+)</span>)?')


@pytest.fixture
def named(db):
    with db() as s:
        return make_named_tree(s)


@pytest.fixture
def admin(sign_in, named):
    return sign_in("quantri", Role.admin, None)


def pick(client, typed: str, day: str = "01/09/2025") -> tuple[list[tuple[str, str, str]], str]:
    r = client.get("/units/pick", params={"field": "unit_id", "prefix": "f-", "unit_id_q": typed,
                                          "date_field": "date", "date": day}, headers=HX)
    assert r.status_code == 200, r.text
    return FOUND.findall(r.text), r.text


def test_the_unit_in_force_on_the_records_date_comes_first(admin, named):
    found, page = pick(admin, "phuong 1")
    # 22 units match; the one in force on 01/09/2025 first, then the ended ones of the name.
    assert found[0][:2] == (str(named["Phường 1 Bảo Lộc"]), "Phường 1 Bảo Lộc")
    assert found[0][2] == "Phường · Việt Nam › Tỉnh Lâm Đồng"  # its kind and where it lies
    assert [name for _, name, _ in found[1:]] == ["Phường 1"] * 19
    assert "còn nữa" in page
    # On a date before the mergers the old wards were in force, and come first.
    before, _ = pick(admin, "phuong 1", "01/05/2025")
    assert [name for _, name, _ in before] == ["Phường 1"] * 20


@pytest.mark.parametrize(("typed", "first"), [("an phu", "Xã An Phụ"), ("an phú", "Xã An Phú"),
                                              ("an phụ", "Xã An Phụ")])
def test_the_name_itself_comes_first_the_marks_typed_preferred(admin, named, typed, first):
    found, _ = pick(admin, typed)
    shown = [name for _, name, _ in found]
    assert shown[0] == first
    assert shown[:4] == [first, *({"Xã An Phú", "Xã An Phụ"} - {first}), "Phường An Phú Đông",
                         "Phường Bắc An Phụ"]
    tan, _ = pick(admin, "tan phu")
    assert [name for _, name, _ in tan] == ["Xã Tân Phú", "Phường Tân Phước"]
