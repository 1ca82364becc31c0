"""Direction controls (U+202E shows a name backwards) and zero-width characters (invisible:
two names that read alike and differ) are removed from every text a client sends: the API,
the pages' forms and the imports alike, by the one cleaning of input (app.db.fields.clean_text,
app.vn.visible). A lone surrogate in JSON is refused in Vietnamese."""

import json

import pytest

from app.db.fields import Normalized
from tests.api.helpers import CONTRIBUTIONS, assert_invalid, create
from tests.api.test_imports import post, xlsx
from tests.api.test_text_input import SCHEMA_FIELDS

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SPOOFED = f"\u202eTrần{ZERO_WIDTH}Văn\u200b Tư{BIDI}"
CLEAN = "TrầnVăn Tư"  # what is left


def test_the_api_stores_text_without_them(api, tree):
    made = create(api, CONTRIBUTIONS, CONTRIBUTIONS.body(tree.ham_tri, contributor_name=SPOOFED,
                                                         note=f"\ufeffghi chú\u200d"))
    assert (made["contributor_name"], made["note"]) == (CLEAN, "ghi chú")
    r = api.patch(f"{CONTRIBUTIONS.path}/{made['id']}", json={"note": "\u202egnol\u202c"},
                  headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["note"] == "gnol", r.text
    # Nothing but invisibles is nothing: an optional field left empty.
    r = api.patch(f"{CONTRIBUTIONS.path}/{made['id']}", json={"note": "\u200b\u202e"},
                  headers={"If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["note"] is None, r.text


def test_a_form_and_an_import_store_it_without_them(api, sign_in, tree):
    clerk = sign_in("canbo")
    r = clerk.post("/contributions", data={"unit_id": str(tree.ham_tri), "source": "people",
                                           "kind": "cash", "amount_vnd": "1.000.000\u200b",
                                           "date": "05/02/2021", "contributor_name": SPOOFED})
    assert r.status_code in (200, 303), r.text
    head = ["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Người, đơn vị đóng góp", "Ngày"]
    r = post(api, "contributions", xlsx([head, ["T-HT", "people", "cash", "2000000",
                                                "\u202eLê\u200b Thị\u2066 Nga", "05/02/2021"]]))
    assert r.status_code in (200, 201), r.text
    names = {c["contributor_name"] for c in api.get(CONTRIBUTIONS.path).json()["items"]}
    assert names == {CLEAN, "Lê Thị Nga"}


TEXT_FIELDS = [(s, n) for s, n, is_list in SCHEMA_FIELDS
               if issubclass(s, Normalized) and not is_list and "password" not in n]


@pytest.mark.parametrize(("schema", "name"), TEXT_FIELDS,
                         ids=lambda v: v.__name__ if isinstance(v, type) else str(v))
def test_every_input_schema_cleans_every_text_field(schema, name):
    """Every schema a write goes through (API, page, import) cleans before validating."""
    cleaned = schema._normalize_strings({name: f"H\u202e{ZERO_WIDTH}T{BIDI}"})
    assert cleaned[name] == "HT"


def test_a_lone_surrogate_in_json_is_refused_in_vietnamese(api, tree):
    body = {**CONTRIBUTIONS.body(tree.ham_tri), "contributor_name": "X"}
    raw = json.dumps(body).replace('"X"', '"Tr\\ud800n"')
    r = api.post(CONTRIBUTIONS.path, content=raw, headers={"Content-Type": "application/json"})
    problem = assert_invalid(r, "contributor_name")
    mine = [e for e in problem["errors"] if e["loc"][-1] == "contributor_name"]
    assert mine and "Input should" not in r.text and "ký tự" in mine[0]["msg"], r.text
