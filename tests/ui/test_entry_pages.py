"""Every record type's entry page over real HTTP, as a clerk's browser would use it (a session
cookie, the CSRF token htmx sends, form-encoded bodies): what is typed the Vietnamese way is
what the JSON API then returns; mistakes come back next to their field with nothing saved; a
form sent twice saves once; typed HTML stays text everywhere it is shown; the work picker
offers only the works of the unit's line of the tree; the history panel tells who changed
what; a viewer reads but cannot write."""

import io
import re
from typing import Any

import httpx
import pytest

from app.enums import Role
from tests.factories import make_contribution, make_petition, make_tree, make_work

HX = {"HX-Request": "true"}


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


@pytest.fixture
def clerk(sign_in, tree) -> httpx.Client:
    return sign_in("canbo.hamtri")


@pytest.fixture
def manager(sign_in, tree) -> httpx.Client:
    return sign_in("lanhdao.hamtri", Role.manager)


# -- helpers ----------------------------------------------------------------------------------

def count(api: httpx.Client, path: str) -> int:
    r = api.get(f"/api/v1/{path}")
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def saved_id(response: httpx.Response) -> int:
    """The new record's number, from the form's notice ("Đã lưu công trình số 7.")."""
    assert response.status_code == 200, response.text
    match = re.search(r'<p class="notice ok" role="status">Đã (?:lưu|cập nhật) [^<]*?số (\d+)',
                      response.text)
    assert match, response.text
    return int(match.group(1))


def field_block(html: str, name: str) -> str:
    """The <div class="field ..."> of one form field: its input and the message under it."""
    for block in re.findall(r'<div class="field[^"]*">.*?</div>', html, flags=re.S):
        if f'name="{name}"' in block:
            return block
    raise AssertionError(f"no field {name!r} in the form:\n{html}")


def field_error(html: str, name: str) -> str | None:
    m = re.search(r'<small class="error" role="alert"[^>]*>(.*?)</small>', field_block(html, name), re.S)
    return m.group(1) if m else None


def units_of(tree) -> dict[str, int]:
    return {"commune": tree.ham_tri, "village": tree.lam_giang, "other": tree.ham_lien,
            "district": tree.district}


# -- the forms, filled in the Vietnamese way --------------------------------------------------

def form_for(path: str, tree, **kw: str) -> dict[str, str]:
    """A valid entry form of `path` as the page sends it (every field, blanks included)."""
    forms: dict[str, dict[str, str]] = {
        "models": {"name": "Tổ tự quản đường làng", "unit_id": str(tree.lam_giang),
                   "kind": "collective", "field": "culture_society", "org_type": "womens_union",
                   "org_name": "Chi hội Phụ nữ thôn Lâm Giang", "start_date": "05/02/2021",
                   "end_date": "31/12/2025", "members": "1.250", "status": "in_progress",
                   "replicated_from_id": "", "description": "Mỗi hộ giữ sạch 50 m đường",
                   "results": "Đường sạch, có đèn"},
        "works": {"name": "Đường bê tông thôn Lâm Giang", "unit_id": str(tree.lam_giang),
                  "category": "road_concrete", "quantity": "2,4", "measure": "km",
                  "total_cost_vnd": "1.500.000", "org_type": "government",
                  "start_date": "05/02/2021", "completed_date": "20/12/2021", "status": "",
                  "model_id": ""},
        "contributions": {"unit_id": str(tree.lam_giang), "source": "people", "kind": "cash",
                          "amount_vnd": "1.500.000", "labor_days": "12,5", "work_id": "",
                          "contributor_name": "Nguyễn Văn An", "date": "05/02/2021",
                          "note": "Góp làm đường"},
        "land-donations": {"unit_id": str(tree.lam_giang), "donor_name": "Hộ ông Trần Văn Bình",
                           "households": "3", "area_m2": "1.234,5", "value_vnd": "250.000.000",
                           "work_id": "", "date": "05/02/2021", "status": "registered",
                           "note": "Hiến đất mở đường"},
        "petitions": {"received_date": "05/02/2021", "unit_id": str(tree.ham_tri),
                      "type": "complaint", "channel": "reception", "subject": "Khiếu nại giá bồi thường",
                      "domain": "land", "petitioner_name": "Lê Thị Hoa",
                      "petitioner_address": "thôn Lâm Giang", "signers": "1.200",
                      "handler": "Phó Chủ tịch xã", "complex": "on", "note": "Đơn tập thể"},
        "commendations": {"unit_id": str(tree.ham_tri), "recipient_type": "individual",
                          "recipient_name": "Ông Phạm Văn Dũng", "level": "district",
                          "decision_no": "1.234/QĐ-UBND", "decision_date": "05/02/2021"},
        "targets": {"unit_id": str(tree.ham_tri), "name": "Bê tông hóa đường thôn",
                    "period_start": "01/01/2021", "period_end": "31/12/2025",
                    "target_value": "12,5", "actual_value": "1.234,75", "achieved": "on"},
        "recognitions": {"unit_id": str(tree.ham_tri), "title": "new_rural_commune",
                         "date": "05/02/2021", "decision_no": "56/QĐ-UBND"},
        "units": {"name": "Thôn Dân Hiệp", "code": "T-DH", "level": "village", "kind": "thon",
                  "parent_id": str(tree.ham_tri), "active_from": "05/02/2021", "active_to": "",
                  "merged_into_id": ""},
    }
    return {**forms[path], **kw}


# What the API returns for the form above: typed "1.500.000", "2,4", "05/02/2021".
STORED: dict[str, dict[str, Any]] = {
    "models": {"name": "Tổ tự quản đường làng", "kind": "collective", "field": "culture_society",
               "org_type": "womens_union", "org_name": "Chi hội Phụ nữ thôn Lâm Giang",
               "start_date": "2021-02-05", "end_date": "2025-12-31", "members": 1250,
               "status": "in_progress", "replicated_from_id": None,
               "description": "Mỗi hộ giữ sạch 50 m đường", "results": "Đường sạch, có đèn"},
    "works": {"name": "Đường bê tông thôn Lâm Giang", "category": "road_concrete",
              "quantity": 2.4, "measure": "km", "total_cost_vnd": 1_500_000,
              "org_type": "government", "start_date": "2021-02-05",
              "completed_date": "2021-12-20", "model_id": None},
    "contributions": {"source": "people", "kind": "cash", "amount_vnd": 1_500_000,
                      "labor_days": 12.5, "work_id": None, "contributor_name": "Nguyễn Văn An",
                      "date": "2021-02-05", "note": "Góp làm đường"},
    "land-donations": {"donor_name": "Hộ ông Trần Văn Bình", "households": 3, "area_m2": 1234.5,
                       "value_vnd": 250_000_000, "work_id": None, "date": "2021-02-05",
                       "status": "registered", "note": "Hiến đất mở đường"},
    "petitions": {"received_date": "2021-02-05", "type": "complaint", "channel": "reception",
                  "subject": "Khiếu nại giá bồi thường", "domain": "land",
                  "petitioner_name": "Lê Thị Hoa", "petitioner_address": "thôn Lâm Giang",
                  "signers": 1200, "handler": "Phó Chủ tịch xã", "complex": True,
                  "note": "Đơn tập thể", "status": "received"},
    "commendations": {"recipient_type": "individual", "recipient_name": "Ông Phạm Văn Dũng",
                      "level": "district", "decision_no": "1.234/QĐ-UBND",
                      "decision_date": "2021-02-05"},
    "targets": {"name": "Bê tông hóa đường thôn", "period_start": "2021-01-01",
                "period_end": "2025-12-31", "target_value": 12.5, "actual_value": 1234.75,
                "achieved": True},
    "recognitions": {"title": "new_rural_commune", "date": "2021-02-05", "decision_no": "56/QĐ-UBND"},
    "units": {"name": "Thôn Dân Hiệp", "code": "T-DH", "level": "village", "kind": "thon",
              "active_from": "2021-02-05", "active_to": None, "merged_into_id": None,
              "remote": False},
}
UNIT_FIELD = {"models": ("unit_id", "village"), "works": ("unit_id", "village"),
              "contributions": ("unit_id", "village"), "land-donations": ("unit_id", "village"),
              "petitions": ("unit_id", "commune"), "commendations": ("unit_id", "commune"),
              "targets": ("unit_id", "commune"), "recognitions": ("unit_id", "commune"),
              "units": ("parent_id", "commune")}
RECORD_PATHS = [p for p in STORED if p != "units"]


def writer(path: str, clerk: httpx.Client, manager: httpx.Client) -> httpx.Client:
    """Who fills the form: units are managed by managers, the rest by clerks."""
    return manager if path == "units" else clerk


# -- a valid form is stored as typed ------------------------------------------------------------

@pytest.mark.parametrize("path", list(STORED))
def test_a_form_typed_the_vietnamese_way_is_stored_as_typed(path, clerk, manager, api, tree):
    before = count(api, path)
    r = writer(path, clerk, manager).post(f"/{path}", headers=HX, data=form_for(path, tree))
    new_id = saved_id(r)
    assert count(api, path) == before + 1
    stored = api.get(f"/api/v1/{path}/{new_id}")
    assert stored.status_code == 200, stored.text
    record = stored.json()
    field, which = UNIT_FIELD[path]
    assert record[field] == units_of(tree)[which]
    assert {k: record[k] for k in STORED[path]} == STORED[path]
    assert record["version"] == 1
    # The fresh list shows the new record, and the form is emptied for the next one.
    assert f'id="{path}-{new_id}"' in r.text
    assert 'hx-swap-oob="true"' in r.text and 'name="submission"' in r.text


@pytest.mark.parametrize("path", RECORD_PATHS)
def test_the_edit_form_shows_the_stored_values_the_vietnamese_way(path, clerk, manager, api, tree):
    new_id = saved_id(writer(path, clerk, manager).post(f"/{path}", headers=HX,
                                                        data=form_for(path, tree)))
    form = writer(path, clerk, manager).get(f"/{path}/{new_id}/edit", headers=HX)
    assert form.status_code == 200
    typed = form_for(path, tree)
    for name in ("total_cost_vnd", "amount_vnd", "value_vnd", "quantity", "area_m2",
                 "start_date", "date", "received_date", "decision_date", "period_end"):
        if name in typed and name in STORED[path]:
            assert f'value="{typed[name]}"' in field_block(form.text, name), name
    assert 'name="version" value="1"' in form.text


def test_a_labour_gift_typed_with_a_decimal_comma(clerk, api, tree):
    r = clerk.post("/contributions", headers=HX, data=form_for(
        "contributions", tree, kind="labor", amount_vnd="", labor_days="1.234,5"))
    record = api.get(f"/api/v1/contributions/{saved_id(r)}").json()
    assert (record["kind"], record["amount_vnd"], record["labor_days"]) == ("labor", None, 1234.5)


def test_a_form_update_stores_the_typed_values(clerk, api, db, tree):
    with db() as s:
        work = make_work(s, unit_id=tree.ham_tri, total_cost_vnd=900_000_000)
    r = clerk.post(f"/works/{work.id}", headers=HX, data=form_for(
        "works", tree, total_cost_vnd="2.750.000.000", quantity="0,75", completed_date="1/3/2022",
        version="1"))
    assert r.status_code == 200, r.text
    assert f"Đã cập nhật công trình số {work.id}." in r.text
    record = api.get(f"/api/v1/works/{work.id}").json()
    assert (record["total_cost_vnd"], record["quantity"], record["completed_date"],
            record["version"]) == (2_750_000_000, 0.75, "2022-03-01", 2)


# -- mistakes: the field's message next to it, the typed values kept, nothing saved ------------

# (path, field, typed, the message shown under that field)
MISTAKES = [
    ("works", "name", "", "Bắt buộc nhập"),
    ("models", "name", "   ", "Bắt buộc nhập"),
    ("petitions", "subject", "", "Bắt buộc nhập"),
    ("land-donations", "donor_name", "", "Bắt buộc nhập"),
    ("commendations", "recipient_name", "", "Bắt buộc nhập"),
    ("targets", "name", "", "Bắt buộc nhập"),
    ("works", "name", "Đ" * 301, "Quá dài: tối đa 300 ký tự."),
    ("petitions", "subject", "x" * 501, "Quá dài: tối đa 500 ký tự."),
    ("commendations", "decision_no", "9" * 101, "Quá dài: tối đa 100 ký tự."),
    ("contributions", "note", "ghi chú " * 501, "Quá dài: tối đa 4.000 ký tự."),
    ("works", "total_cost_vnd", "-1.500.000", "Không được nhỏ hơn 0."),
    ("contributions", "amount_vnd", "-5", "Không được nhỏ hơn 0."),
    ("land-donations", "value_vnd", "-250.000", "Không được nhỏ hơn 0."),
    ("works", "quantity", "-2,4", "Không được nhỏ hơn 0."),
    ("models", "members", "-3", "Không được nhỏ hơn 0."),
    ("land-donations", "households", "0", "Không được nhỏ hơn 1."),
    ("land-donations", "area_m2", "0", "Phải lớn hơn 0."),
    ("works", "total_cost_vnd", "abc", "Phải là số nguyên."),
    ("contributions", "amount_vnd", "1,5 triệu", "Phải là số nguyên."),
    ("land-donations", "value_vnd", "abc", "Phải là số nguyên."),
    ("petitions", "signers", "mười", "Phải là số nguyên."),
    ("works", "quantity", "hai km", "Phải là số."),
    ("works", "total_cost_vnd", "1.000.000.000.000.000", "Không được lớn hơn 100.000.000.000.000."),
    ("works", "completed_date", "05/02/1900", "Ngày phải trong khoảng 01/01/1990 – 31/12/2099."),
    ("works", "completed_date", "05/02/2100", "Ngày phải trong khoảng 01/01/1990 – 31/12/2099."),
    ("contributions", "date", "01/01/1900", "Ngày phải trong khoảng 01/01/1990 – 31/12/2099."),
    ("contributions", "date", "01/01/2100", "Ngày phải trong khoảng 01/01/1990 – 31/12/2099."),
    ("petitions", "received_date", "1900-05-06", "Ngày phải trong khoảng 01/01/1990 – 31/12/2099."),
    ("targets", "period_end", "31/12/2100", "Ngày phải trong khoảng 01/01/1990 – 31/12/2099."),
    ("recognitions", "date", "20/12/1900", "Ngày phải trong khoảng 01/01/1990 – 31/12/2099."),
    ("models", "start_date", "31/02/2020", "Ngày không hợp lệ"),
    ("commendations", "decision_date", "hôm qua", "Ngày không hợp lệ"),
    ("contributions", "source", "ngan_sach", "Giá trị không hợp lệ; chọn một trong:"),
]


@pytest.mark.parametrize(("path", "name", "typed", "message"), MISTAKES,
                         ids=[f"{p}.{n}={t[:12]!r}" for p, n, t, _ in MISTAKES])
def test_a_mistake_is_explained_next_to_its_field_and_nothing_is_saved(
        path, name, typed, message, clerk, api, tree):
    data = form_for(path, tree, **{name: typed})
    r = clerk.post(f"/{path}", headers=HX, data=data)
    assert r.status_code == 422, r.text
    # The form alone comes back in place of the filled one, with its general notice ...
    assert r.text.lstrip().startswith('<form id="entry-form"')
    assert r.headers["HX-Retarget"] == "#entry-form"
    assert "Có ô nhập chưa đúng; xem thông báo đỏ cạnh từng ô." in r.text
    # ... the field's own message under that field, and no other field blamed.
    error = field_error(r.text, name)
    assert error is not None and error.startswith(message), (error, message)
    assert 'has-error' in field_block(r.text, name)
    assert r.text.count('<small class="error"') == 1
    # Everything typed is still there exactly as typed (the mistake, and the numbers and
    # dates typed the Vietnamese way), and every choice still chosen.
    for other, value in data.items():
        if not value.strip() or other in ("complex", "achieved"):
            continue
        block = field_block(r.text, other)
        if "<select" in block:
            if other != name:
                assert f'value="{value}" selected' in block, other
        else:
            shown = html_attr(value)
            assert f'value="{shown}"' in block or f">{shown}</textarea>" in block, (other, block)
    assert count(api, path) == 0


def html_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&#34;").replace("<", "&lt;").replace(">", "&gt;")


def test_numbers_and_dates_come_back_exactly_as_typed_after_a_mistake(clerk, tree):
    r = clerk.post("/works", headers=HX, data=form_for("works", tree, name="",
                                                       completed_date="05/02/1900"))
    assert r.status_code == 422
    assert 'value="2,4"' in field_block(r.text, "quantity")
    assert 'value="1.500.000"' in field_block(r.text, "total_cost_vnd")
    assert 'value="05/02/2021"' in field_block(r.text, "start_date")
    assert 'value="05/02/1900"' in field_block(r.text, "completed_date")


EMPTY_REQUIRED = [("contributions", "date"), ("land-donations", "area_m2"),
                  ("works", "category"), ("petitions", "type"), ("targets", "period_start")]


@pytest.mark.parametrize(("path", "name"), EMPTY_REQUIRED, ids=[f"{p}.{n}" for p, n in EMPTY_REQUIRED])
def test_an_empty_required_date_number_or_choice_says_it_is_required(path, name, clerk, api, tree):
    r = clerk.post(f"/{path}", headers=HX, data=form_for(path, tree, **{name: ""}))
    assert r.status_code == 422
    assert count(api, path) == 0
    assert (field_error(r.text, name) or "").startswith("Bắt buộc nhập")


def test_an_impossible_date_is_explained_in_the_forms_own_format(clerk, tree):
    r = clerk.post("/models", headers=HX, data=form_for("models", tree, start_date="31/02/2020"))
    assert r.status_code == 422
    error = field_error(r.text, "start_date") or ""
    assert error.startswith("Ngày không hợp lệ") and "YYYY-MM-DD" not in error


LIMITS = [("works", "total_cost_vnd", "1.000.000.000.000.000",
           "Không được lớn hơn 100.000.000.000.000."),
          ("works", "quantity", "-2,4", "Không được nhỏ hơn 0.")]


@pytest.mark.parametrize(("path", "name", "typed", "message"), LIMITS,
                         ids=[f"{p}.{n}" for p, n, _, _ in LIMITS])
def test_a_limit_is_written_the_vietnamese_way(path, name, typed, message, clerk, tree):
    r = clerk.post(f"/{path}", headers=HX, data=form_for(path, tree, **{name: typed}))
    assert r.status_code == 422
    assert field_error(r.text, name) == message


def test_the_same_mistake_on_an_edit_form_keeps_the_record(clerk, api, db, tree):
    with db() as s:
        work = make_work(s, unit_id=tree.ham_tri, name="Đường cũ", total_cost_vnd=900_000_000)
    r = clerk.post(f"/works/{work.id}", headers=HX, data=form_for(
        "works", tree, name="Đường mới", total_cost_vnd="abc", version="1"))
    assert r.status_code == 422
    assert field_error(r.text, "total_cost_vnd") == "Phải là số nguyên. Ví dụ: 1.500.000."
    assert 'value="Đường mới"' in r.text and 'value="abc"' in r.text
    assert 'name="version" value="1"' in r.text  # the retry still checks the same version
    record = api.get(f"/api/v1/works/{work.id}").json()
    assert (record["name"], record["total_cost_vnd"], record["version"]) == ("Đường cũ", 900_000_000, 1)


OPTIONAL_WITH_DEFAULT = [("land-donations", "status", "signed"), ("land-donations", "households", 1),
                         ("petitions", "signers", 1)]


@pytest.mark.parametrize(("path", "name", "default"), OPTIONAL_WITH_DEFAULT,
                         ids=[f"{p}.{n}" for p, n, _ in OPTIONAL_WITH_DEFAULT])
def test_an_optional_field_left_empty_takes_its_default(path, name, default, clerk, api, tree):
    new = clerk.get(f"/{path}/new", headers=HX).text
    assert "<abbr" not in field_block(new, name)  # shown as optional
    r = clerk.post(f"/{path}", headers=HX, data=form_for(path, tree, **{name: ""}))
    assert r.status_code == 200, field_error(r.text, name)
    assert api.get(f"/api/v1/{path}/{saved_id(r)}").json()[name] == default


def test_a_business_rule_is_explained_next_to_its_field(clerk, api, tree):
    r = clerk.post("/contributions", headers=HX, data=form_for(
        "contributions", tree, kind="cash", amount_vnd=""))
    assert r.status_code == 422
    assert field_error(r.text, "amount_vnd") == ("Đóng góp tiền hoặc hiện vật cần có số tiền "
                                                 "(quy ra đồng).")
    assert count(api, "contributions") == 0


def test_a_period_ending_before_it_starts_is_refused(clerk, api, tree):
    r = clerk.post("/targets", headers=HX, data=form_for(
        "targets", tree, period_start="01/01/2025", period_end="31/12/2021"))
    assert r.status_code == 422
    assert "Không được trước “Từ ngày” (01/01/2025)" in (field_error(r.text, "period_end") or "")
    assert count(api, "targets") == 0


@pytest.mark.parametrize("path", list(STORED))
def test_a_unit_outside_the_subtree_is_refused_and_nothing_saved(path, clerk, manager, api, tree):
    field, _ = UNIT_FIELD[path]
    data = form_for(path, tree, **{field: str(tree.ham_lien)})
    before = count(api, path)
    r = writer(path, clerk, manager).post(f"/{path}", headers=HX, data=data)
    assert r.status_code == 403, r.text
    assert r.text.lstrip().startswith('<form id="entry-form"')
    assert "Đơn vị này nằm ngoài phạm vi đơn vị bạn phụ trách." in r.text
    first_text = next(v for k, v in data.items() if k in ("name", "subject", "donor_name",
                                                          "recipient_name", "contributor_name",
                                                          "decision_no"))
    assert first_text in r.text  # typed values kept
    assert count(api, path) == before


@pytest.mark.parametrize("path", [
    *RECORD_PATHS,
    "units",
])
def test_a_unit_outside_the_subtree_is_named_next_to_the_unit_field(path, clerk, manager, tree):
    field, _ = UNIT_FIELD[path]
    r = writer(path, clerk, manager).post(f"/{path}", headers=HX, data=form_for(
        path, tree, **{field: str(tree.ham_lien)}))
    assert r.status_code == 403
    assert "ngoài phạm vi" in (field_error(r.text, field) or "")


def test_a_unit_that_does_not_exist_is_named_next_to_the_unit_field(clerk, api, tree):
    r = clerk.post("/works", headers=HX, data=form_for("works", tree, unit_id="999999"))
    assert r.status_code == 422
    assert field_error(r.text, "unit_id") == "Đơn vị số 999999 không tồn tại."
    assert count(api, "works") == 0


# -- a form sent twice saves one record -------------------------------------------------------

def _submission(html: str) -> str:
    match = re.search(r'name="submission" value="([^"]+)"', html)
    assert match, "the new-record form carries no submission token"
    return match.group(1)


@pytest.mark.parametrize("path", ["works", "contributions", "petitions", "units"])
def test_the_same_form_sent_twice_saves_one_record(path, clerk, manager, api, tree):
    client = writer(path, clerk, manager)
    token = _submission(client.get(f"/{path}").text)
    assert token != _submission(client.get(f"/{path}/new", headers=HX).text)  # one per form
    before = count(api, path)
    data = {**form_for(path, tree), "submission": token}
    first = client.post(f"/{path}", headers=HX, data=data)
    new_id = saved_id(first)
    again = client.post(f"/{path}", headers=HX, data=data)
    assert again.status_code == 200, again.text
    assert "được gửi trước đó, không lưu lần hai" in again.text
    assert f"số {new_id}" in again.text
    assert count(api, path) == before + 1
    # The fresh form after saving carries a new token: the next record is saved.
    fresh = _submission(first.text.split('<form id="entry-form"', 1)[1])
    assert fresh != token
    second = form_for(path, tree, name="Thôn Dân Hòa", code="T-DH2") if path == "units" \
        else form_for(path, tree)
    other = {**second, "submission": fresh}
    assert saved_id(client.post(f"/{path}", headers=HX, data=other)) != new_id
    assert count(api, path) == before + 2


def test_a_form_sent_twice_after_a_mistake_still_saves_once(clerk, api, tree):
    token = _submission(clerk.get("/works").text)
    wrong = clerk.post("/works", headers=HX, data={**form_for("works", tree, name=""),
                                                   "submission": token})
    assert wrong.status_code == 422
    assert _submission(wrong.text) == token  # the corrected form is the same submission
    data = {**form_for("works", tree), "submission": token}
    saved_id(clerk.post("/works", headers=HX, data=data))
    assert clerk.post("/works", headers=HX, data=data).status_code == 200
    assert count(api, "works") == 1


def test_the_same_form_sent_at_once_from_two_tabs_saves_one_record(clerk, api, tree):
    from concurrent.futures import ThreadPoolExecutor

    token = _submission(clerk.get("/contributions").text)
    data = {**form_for("contributions", tree), "submission": token}
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: clerk.post("/contributions", headers=HX, data=data),
                                range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text[:300] for a in answers]
    assert len({saved_id(a) for a in answers}) == 1
    assert count(api, "contributions") == 1


def test_two_clerks_tokens_do_not_collide(clerk, sign_in, api, tree):
    other = sign_in("canbo2.hamtri")
    data = {**form_for("works", tree), "submission": "cung-mot-ma"}
    saved_id(clerk.post("/works", headers=HX, data=data))
    saved_id(other.post("/works", headers=HX, data=data))
    assert count(api, "works") == 2


# -- typed HTML stays text --------------------------------------------------------------------

EVIL = "<script>alert(1)</script><b>x</b>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"
EVIL_FIELD = {"models": "name", "works": "name", "contributions": "contributor_name",
              "land-donations": "donor_name", "petitions": "subject",
              "commendations": "recipient_name", "targets": "name", "units": "name"}


def assert_escaped(html: str, where: str) -> None:
    assert ESCAPED in html, f"{where}: the typed text is not shown"
    assert "<script>alert(1)" not in html and "<b>x</b>" not in html, f"{where}: raw HTML"


@pytest.mark.parametrize("path", list(EVIL_FIELD))
def test_typed_html_is_shown_as_text_in_the_list_the_form_and_the_history(
        path, clerk, manager, api, tree):
    client = writer(path, clerk, manager)
    name = EVIL_FIELD[path]
    created = client.post(f"/{path}", headers=HX, data=form_for(path, tree, **{name: EVIL}))
    new_id = saved_id(created)
    assert api.get(f"/api/v1/{path}/{new_id}").json()[name] == EVIL  # stored literally
    assert_escaped(created.text, "the answer to the form")
    assert_escaped(client.get(f"/{path}").text, "the list page")
    # Edited, so that the history panel shows the old and the new text.
    edit = client.get(f"/{path}/{new_id}/edit", headers=HX).text
    assert_escaped(edit, "the edit form")
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    changed = client.post(f"/{path}/{new_id}", headers=HX, data=form_for(
        path, tree, **{name: EVIL + " (sửa)", "version": version}))
    assert changed.status_code == 200, changed.text
    edit = client.get(f"/{path}/{new_id}/edit", headers=HX).text
    assert "Lịch sử thay đổi" in edit
    history = edit[edit.index("Lịch sử thay đổi"):]
    assert f"“{ESCAPED}” → “{ESCAPED} (sửa)”" in history
    assert "<script>" not in edit and "<b>x</b>" not in edit


def test_typed_html_in_every_text_field_of_a_form_stays_text(clerk, api, tree):
    texts = {"name": EVIL, "org_name": EVIL}
    r = clerk.post("/models", headers=HX, data=form_for(
        "models", tree, description=EVIL, results=EVIL, **texts))
    new_id = saved_id(r)
    edit = clerk.get(f"/models/{new_id}/edit", headers=HX).text
    assert edit.count(ESCAPED) >= 4 and "<script>" not in edit
    # A mistake elsewhere: the form comes back with the typed HTML escaped too.
    wrong = clerk.post("/models", headers=HX, data=form_for(
        "models", tree, description=EVIL, members="abc", **texts))
    assert wrong.status_code == 422
    assert wrong.text.count(ESCAPED) >= 3 and "<script>" not in wrong.text


@pytest.mark.parametrize("path", ["works", "petitions", "models"])
def test_typed_html_is_shown_as_text_on_the_record_page(path, clerk, tree):
    name = EVIL_FIELD[path]
    new_id = saved_id(clerk.post(f"/{path}", headers=HX, data=form_for(path, tree, **{name: EVIL})))
    edit = clerk.get(f"/{path}/{new_id}/edit", headers=HX).text
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    assert clerk.post(f"/{path}/{new_id}", headers=HX, data=form_for(
        path, tree, **{name: EVIL + "!", "version": version})).status_code == 200
    page = clerk.get(f"/{path}/{new_id}")
    assert page.status_code == 200
    assert_escaped(page.text, f"/{path}/{new_id}")
    assert "Lịch sử thay đổi" in page.text and f"“{ESCAPED}” → “{ESCAPED}!”" in page.text
    title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
    assert "<script>" not in title


def test_typed_html_in_a_work_name_stays_text_in_the_picker(clerk, tree):
    saved_id(clerk.post("/works", headers=HX, data=form_for("works", tree, name=EVIL,
                                                            unit_id=str(tree.ham_tri))))
    options = clerk.get("/contributions/choices", params={"field": "work_id",
                                                           "unit_id": tree.lam_giang})
    assert options.status_code == 200
    assert_escaped(options.text, "the work picker")


def test_typed_html_is_stored_literally_in_the_excel_export(clerk, api, tree):
    from openpyxl import load_workbook

    saved_id(clerk.post("/works", headers=HX, data=form_for("works", tree, name=EVIL)))
    saved_id(clerk.post("/petitions", headers=HX, data=form_for("petitions", tree, subject=EVIL)))
    params = {"unit_id": tree.ham_tri, "date_from": "2021-01-01", "date_to": "2021-12-31"}
    for client, url in ((clerk, "/reports/summary.xlsx"), (api, "/api/v1/reports/summary.xlsx")):
        r = client.get(url, params=params)
        assert r.status_code == 200, r.text
        book = load_workbook(io.BytesIO(r.content))
        cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                 if c.value is not None}
        assert EVIL in cells, url  # the text itself, not its escaped or interpreted form
        assert ESCAPED not in " ".join(cells)
        assert all(not str(c).startswith("=") for c in cells if "script" in str(c))


def test_typed_html_in_a_unit_name_is_stored_literally_in_the_word_report(manager, api, tree):
    from docx import Document

    unit_id = saved_id(manager.post("/units", headers=HX, data=form_for("units", tree, name=EVIL)))
    assert api.post("/api/v1/recognitions", json={"unit_id": unit_id, "title": "cultural_village",
                                                   "date": "2021-06-01"}).status_code == 201
    params = {"unit_id": tree.ham_tri, "date_from": "2021-01-01", "date_to": "2021-12-31"}
    for client, url in ((manager, "/reports/summary.docx"), (api, "/api/v1/reports/summary.docx")):
        r = client.get(url, params=params)
        assert r.status_code == 200, r.text
        doc = Document(io.BytesIO(r.content))
        text = "\n".join(p.text for p in doc.paragraphs)
        text += "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
        assert EVIL in text, url
        assert ESCAPED not in text
    page = manager.get("/reports/summary", params=params)
    assert page.status_code == 200
    assert_escaped(page.text, "the report page")
    assert_escaped(manager.get("/units").text, "the unit tree")


# -- the work picker -----------------------------------------------------------------------------

@pytest.fixture
def works_around(db, tree) -> dict[str, int]:
    with db() as s:
        return {
            "commune": make_work(s, unit_id=tree.ham_tri, name="Đường trục xã Hàm Trí").id,
            "village": make_work(s, unit_id=tree.lam_giang, name="Đèn đường Lâm Giang").id,
            "district": make_work(s, unit_id=tree.district, name="Kênh huyện Hàm Thuận Bắc").id,
            "other": make_work(s, unit_id=tree.ham_lien, name="Đường xã Hàm Liêm").id,
            "other_village": make_work(s, unit_id=tree.thon_1, name="Cầu Thôn 1 Hàm Liêm").id,
        }


def _options(html: str) -> dict[str, str]:
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html))


def test_the_work_picker_offers_the_works_of_the_communes_line(clerk, api, tree, works_around):
    r = clerk.get("/contributions/choices", params={"field": "work_id", "unit_id": tree.ham_tri})
    assert r.status_code == 200
    offered = _options(r.text)
    w = works_around
    assert str(w["commune"]) in offered and str(w["village"]) in offered
    assert offered[str(w["commune"])] == f"Đường trục xã Hàm Trí (số {w['commune']})"
    assert str(w["other"]) not in offered and str(w["other_village"]) not in offered
    assert str(w["district"]) not in offered  # above the clerk's own subtree: not theirs to see
    assert "Hàm Liêm" not in r.text
    assert "— không gắn —" in r.text


def test_the_work_picker_of_a_village_offers_its_own_and_the_works_above(sign_in, tree, works_around):
    district = sign_in("lanhdao.huyen", Role.manager, "T-HTB")
    w = works_around
    for path, unit, mine, not_mine in (
            ("land-donations", tree.lam_giang, ("village", "commune", "district"),
             ("other", "other_village")),
            ("contributions", tree.thon_1, ("other_village", "other", "district"),
             ("village", "commune")),
            ("contributions", tree.ham_tri, ("village", "commune", "district"),
             ("other", "other_village")),
            ("contributions", tree.district, tuple(w), ())):
        r = district.get(f"/{path}/choices", params={"field": "work_id", "unit_id": unit})
        assert set(_options(r.text)) == {str(w[k]) for k in mine}, (path, unit)
        assert not {str(w[k]) for k in not_mine} & set(_options(r.text))


def test_the_work_picker_offers_nothing_outside_the_clerks_subtree(clerk, tree, works_around):
    for unit in (tree.ham_lien, tree.thon_1, 999_999, "abc", ""):
        r = clerk.get("/contributions/choices", params={"field": "work_id", "unit_id": unit})
        assert r.status_code == 200
        assert _options(r.text) == {}, unit
        assert "Hàm Liêm" not in r.text
    r = clerk.get("/contributions/choices", params={"field": "unit_id", "unit_id": tree.ham_tri})
    assert r.status_code == 404


def test_every_work_the_picker_offers_is_accepted(clerk, api, tree, works_around):
    offered = _options(clerk.get("/contributions/choices", params={
        "field": "work_id", "unit_id": tree.lam_giang}).text)
    for work_id in offered:
        r = clerk.post("/contributions", headers=HX, data=form_for(
            "contributions", tree, unit_id=str(tree.lam_giang), work_id=work_id))
        assert r.status_code == 200, r.text
    assert count(api, "contributions") == len(offered) == 2


def test_a_work_of_another_commune_is_refused_next_to_the_picker(clerk, api, tree, works_around):
    r = clerk.post("/contributions", headers=HX, data=form_for(
        "contributions", tree, unit_id=str(tree.ham_tri), work_id=str(works_around["other"])))
    assert r.status_code == 422
    assert "Không có công trình" in (field_error(r.text, "work_id") or "")
    assert count(api, "contributions") == 0


def test_the_contribution_forms_pre_select_the_stored_work(clerk, api, db, tree, works_around):
    w = works_around
    with db() as s:
        c = make_contribution(s, unit_id=tree.lam_giang, work_id=w["village"])
    form = clerk.get(f"/contributions/{c.id}/edit", headers=HX).text
    picker = field_block(form, "work_id")
    assert re.search(rf'<option value="{w["village"]}" selected>', picker)
    assert picker.count(" selected>") == 1
    assert str(w["other"]) not in _options(picker)
    # Saving the edit form unchanged keeps the link.
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    r = clerk.post(f"/contributions/{c.id}", headers=HX, data=form_for(
        "contributions", tree, work_id=str(w["village"]), version=version))
    assert r.status_code == 200, r.text
    assert api.get(f"/api/v1/contributions/{c.id}").json()["work_id"] == w["village"]
    # A new form that came back with a mistake keeps the chosen work selected.
    wrong = clerk.post("/contributions", headers=HX, data=form_for(
        "contributions", tree, work_id=str(w["commune"]), amount_vnd="abc"))
    assert wrong.status_code == 422
    assert re.search(rf'<option value="{w["commune"]}" selected>', field_block(wrong.text, "work_id"))
    # And the picker itself, refetched for the same unit, keeps its value.
    again = clerk.get("/contributions/choices", params={
        "field": "work_id", "unit_id": tree.lam_giang, "work_id": w["village"]}).text
    assert re.search(rf'<option value="{w["village"]}" selected>', again)


def test_a_new_form_asks_for_the_unit_before_the_work(clerk, tree, works_around):
    form = field_block(clerk.get("/contributions").text, "work_id")
    assert "— chọn đơn vị trước —" in form and _options(form) == {}
    assert 'hx-get="/contributions/choices?field=work_id"' in form
    # The unit's <select>, or a large tree's picker: the radio chosen in its list.
    assert 'hx-include="#f-unit_id, #f-unit_id-list"' in form


# -- history ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "field", "label", "old", "new"), [
    ("works", "total_cost_vnd", "Tổng kinh phí (đồng)", "1.500.000", "2.750.000"),
    ("works", "name", "Tên công trình, phần việc", "Đường bê tông thôn Lâm Giang", "Đường liên thôn"),
    ("contributions", "contributor_name", "Người, đơn vị đóng góp", "Nguyễn Văn An", "Trần Văn Bảy"),
    ("land-donations", "donor_name", "Hộ hiến đất", "Hộ ông Trần Văn Bình", "Hộ bà Lê Thị Cúc"),
    ("commendations", "recipient_name", "Tập thể, cá nhân", "Ông Phạm Văn Dũng", "Bà Hồ Thị Én"),
    ("targets", "name", "Chỉ tiêu", "Bê tông hóa đường thôn", "Bê tông hóa 100% đường thôn"),
    ("recognitions", "decision_no", "Số quyết định", "56/QĐ-UBND", "57/QĐ-UBND"),
    ("models", "name", "Tên mô hình, điển hình", "Tổ tự quản đường làng", "Tổ tự quản xanh"),
    ("petitions", "subject", "Nội dung", "Khiếu nại giá bồi thường", "Khiếu nại đơn giá đất"),
])
def test_the_history_tells_who_changed_what(path, field, label, old, new, clerk, api, tree):
    new_id = saved_id(clerk.post(f"/{path}", headers=HX, data=form_for(path, tree)))
    first = clerk.get(f"/{path}/{new_id}/edit", headers=HX).text
    assert "canbo.hamtri" in first and "· thêm" in first
    typed = {"total_cost_vnd": "2.750.000"}.get(field, new)
    r = clerk.post(f"/{path}/{new_id}", headers=HX, data=form_for(
        path, tree, **{field: typed, "version": "1"}))
    assert r.status_code == 200, r.text
    assert api.get(f"/api/v1/{path}/{new_id}").json()["version"] == 2
    form = clerk.get(f"/{path}/{new_id}/edit", headers=HX).text
    assert "Lịch sử thay đổi" in form
    history = form[form.index("Lịch sử thay đổi"):]
    entries = re.findall(r"<li>(.*?)</li>", history, re.S)
    assert len(entries) == 2  # newest first: the change, then the creation
    assert "<strong>canbo.hamtri</strong> · sửa" in entries[0]
    assert f"{label} “{old}” → “{new}”" in entries[0]
    assert "· thêm" in entries[1]
    if path != "works":  # works: see the next test
        assert entries[0].count("→") == 1  # only what changed is listed


def test_a_work_edit_logs_only_what_changed(clerk, api, tree):
    new_id = saved_id(clerk.post("/works", headers=HX, data=form_for("works", tree)))
    r = clerk.post(f"/works/{new_id}", headers=HX, data=form_for(
        "works", tree, name="Đường liên thôn", version="1"))
    assert r.status_code == 200, r.text
    assert api.get(f"/api/v1/works/{new_id}").json()["status"] == "completed"  # unchanged ...
    entry = api.get("/api/v1/audit", params={"resource": "works", "record_id": new_id,
                                             "action": "update"}).json()["items"][0]
    assert set(entry["changes"]) == {"name"}  # ... so not logged as changed
    form = clerk.get(f"/works/{new_id}/edit", headers=HX).text
    assert "Tình trạng" not in form[form.index("Lịch sử thay đổi"):]


def test_the_history_of_a_unit_is_shown_to_its_manager(manager, tree):
    r = manager.post(f"/units/{tree.lam_giang}", headers=HX, data={
        "name": "Thôn Lâm Giang", "code": "T-LG", "level": "village", "kind": "thon",
        "parent_id": str(tree.ham_tri), "active_from": "", "active_to": "", "merged_into_id": "",
        "version": "1"})
    assert r.status_code == 200, r.text
    form = manager.get(f"/units/{tree.lam_giang}/edit", headers=HX).text
    assert "Lịch sử thay đổi" in form and "lanhdao.hamtri" in form
    assert "Tên đơn vị “Lâm Giang” → “Thôn Lâm Giang”" in form


def test_a_clerk_never_reads_a_denouncers_name_in_the_history(clerk, manager, api, db, tree):
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", subject="Tố cáo cán bộ thôn",
                          petitioner_name="Người Tố Cáo Kín", petitioner_address="Nhà số 7")
    # The manager corrects the denouncer's name; the clerk then corrects the subject.
    base = {"received_date": "06/05/2019", "unit_id": str(tree.ham_tri), "type": "denunciation",
            "subject": "Tố cáo cán bộ thôn"}
    r = manager.post(f"/petitions/{p.id}", headers=HX, data={
        **base, "petitioner_name": "Người Tố Cáo Thật", "petitioner_address": "Nhà số 9",
        "version": "1"})
    assert r.status_code == 200, r.text
    r = clerk.post(f"/petitions/{p.id}", headers=HX, data={
        **base, "subject": "Tố cáo cán bộ thôn (bổ sung)", "version": "2"})
    assert r.status_code == 200, r.text
    stored = api.get(f"/api/v1/petitions/{p.id}").json()
    assert (stored["petitioner_name"], stored["subject"]) == ("Người Tố Cáo Thật",
                                                              "Tố cáo cán bộ thôn (bổ sung)")
    for page in (clerk.get(f"/petitions/{p.id}/edit", headers=HX).text,
                 clerk.get(f"/petitions/{p.id}/edit").text,
                 clerk.get(f"/petitions/{p.id}").text,
                 clerk.get("/petitions").text):
        for secret in ("Người Tố Cáo", "Nhà số 7", "Nhà số 9"):
            assert secret not in page
    form = clerk.get(f"/petitions/{p.id}/edit", headers=HX).text
    history = form[form.index("Lịch sử thay đổi"):]
    # No trace of the identity: not its label, nor the manager's entry that changed only it.
    assert "Người gửi" not in history and "bảo mật" not in history
    assert history.count("· sửa") == 1, history
    assert "Nội dung “Tố cáo cán bộ thôn” → “Tố cáo cán bộ thôn (bổ sung)”" in history
    # The manager sees what was corrected.
    managers = manager.get(f"/petitions/{p.id}/edit", headers=HX).text
    assert "“Người Tố Cáo Kín” → “Người Tố Cáo Thật”" in managers


def test_a_complaint_turned_denunciation_hides_its_petitioner_from_the_clerk(
        clerk, manager, api, db, tree):
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="complaint", subject="Phản ánh sai phạm",
                          petitioner_name="Ông Minh Bạch")
    r = manager.post(f"/petitions/{p.id}", headers=HX, data={
        "received_date": "06/05/2019", "unit_id": str(tree.ham_tri), "type": "complaint",
        "subject": "Phản ánh sai phạm", "petitioner_name": "Ông Minh Bạch Sửa", "version": "1"})
    assert r.status_code == 200, r.text
    r = manager.post(f"/petitions/{p.id}", headers=HX, data={
        "received_date": "06/05/2019", "unit_id": str(tree.ham_tri), "type": "denunciation",
        "subject": "Phản ánh sai phạm", "petitioner_name": "Ông Minh Bạch Sửa", "version": "2"})
    assert r.status_code == 200, r.text
    for page in (clerk.get(f"/petitions/{p.id}/edit", headers=HX).text,
                 clerk.get(f"/petitions/{p.id}").text):
        assert "Minh Bạch" not in page


# -- a viewer reads, never writes ---------------------------------------------------------------

@pytest.fixture
def viewer(sign_in, tree) -> httpx.Client:
    return sign_in("xem.hamtri", Role.viewer)


@pytest.mark.parametrize("path", list(STORED))
def test_a_viewer_sees_the_list_without_a_form_and_cannot_post(path, viewer, api, db, tree):
    with db() as s:
        make_work(s, unit_id=tree.ham_tri, name="Đường trục xã Hàm Trí")
    page = viewer.get(f"/{path}")
    assert page.status_code == 200
    assert 'id="list"' in page.text
    assert 'id="entry-form"' not in page.text and 'name="submission"' not in page.text
    if path == "works":
        assert "Đường trục xã Hàm Trí" in page.text
    before = count(api, path)
    r = viewer.post(f"/{path}", headers=HX, data=form_for(path, tree))
    assert r.status_code == 403, r.text
    assert count(api, path) == before


def test_a_viewer_cannot_change_a_record(viewer, api, db, tree):
    with db() as s:
        work = make_work(s, unit_id=tree.ham_tri, name="Đường trục xã Hàm Trí")
    r = viewer.post(f"/works/{work.id}", headers=HX, data=form_for(
        "works", tree, name="Đổi tên", unit_id=str(tree.ham_tri), version="1"))
    assert r.status_code == 403
    record = api.get(f"/api/v1/works/{work.id}").json()
    assert (record["name"], record["version"]) == ("Đường trục xã Hàm Trí", 1)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_viewer_is_refused_a_new_form(headers, viewer, tree):
    r = viewer.get("/works/new", headers=headers)
    assert r.status_code == 403
    # The error page keeps the menu (its sign-out is a button); the page itself offers no form.
    main = re.search(r"<main.*?</main>", r.text, re.S)
    assert main and 'name="submission"' not in r.text and 'type="submit"' not in main.group(0)


def _read_only(html: str) -> str:
    form = re.search(r'<form id="entry-form".*?</form>', html, re.S)
    assert form, "no record view"
    return form.group(0)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_viewer_sees_a_record_read_only_with_its_history(headers, viewer, clerk, db, tree):
    with db() as s:
        c = make_contribution(s, unit_id=tree.ham_tri, contributor_name="Nguyễn Văn An",
                              amount_vnd=1_500_000)
    assert clerk.post(f"/contributions/{c.id}", headers=HX, data=form_for(
        "contributions", tree, unit_id=str(tree.ham_tri), contributor_name="Nguyễn Văn Ân",
        version="1")).status_code == 200
    # The list's link for a viewer is "Xem, lịch sử", to the record's own view.
    listing = viewer.get("/contributions").text
    link = re.search(rf'<a href="(/contributions/{c.id}/edit)" title="Xem, lịch sử">', listing)
    assert link, "the viewer's list has no link to the record's history"
    r = viewer.get(link.group(1), headers=headers)
    assert r.status_code == 200
    view = _read_only(r.text)
    assert f"Xem khoản đóng góp số {c.id}" in view and "Sửa khoản đóng góp" not in view
    assert '<fieldset class="plain" disabled>' in view  # every field shown, none editable
    assert 'value="Nguyễn Văn Ân"' in view and 'value="1.500.000"' in view
    assert 'type="submit"' not in view and 'name="submission"' not in view
    assert "Lịch sử thay đổi" in view and "“Nguyễn Văn An” → “Nguyễn Văn Ân”" in view


def test_a_clerk_sees_no_units_form_and_cannot_add_a_unit(clerk, api, tree):
    page = clerk.get("/units")
    assert page.status_code == 200 and "Hàm Trí" in page.text
    assert 'id="entry-form"' not in page.text
    r = clerk.post("/units", headers=HX, data=form_for("units", tree))
    assert r.status_code == 403
    assert count(api, "units") == 6


def test_a_manager_sees_the_units_form(manager, tree):
    page = manager.get("/units").text
    assert 'id="entry-form"' in page and 'name="code"' in page
