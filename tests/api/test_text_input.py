"""Characters that are no text (NUL, U+0005, U+001F, ...) are refused wherever a client sends
text: every text field of every input schema, found by walking the schemas and the OpenAPI
document (so a field added tomorrow is covered), the query strings, the sign-in. A 422 naming
the field, the same on SQLite and PostgreSQL; never a 500, never stored."""

import typing
from enum import Enum
from typing import Any

import pytest
from pydantic import ValidationError

from app.db.fields import Input, Printable
from app.enums import Role
from app.main import app
from tests.api.helpers import API, CONTRIBUTIONS, assert_invalid, create, listing

BAD = ("\x00", "\x05", "\x1f")
UNPRINTABLE = "text_unprintable"
PATTERNED = "string_pattern_mismatch"  # a code's own pattern may speak first (username)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _holds_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return False
    return any(_holds_text(a) for a in typing.get_args(annotation))


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or any(
        _is_list(a) for a in typing.get_args(annotation))


SCHEMA_FIELDS = sorted(
    ((schema, name, _is_list(info.annotation))
     for schema in _subclasses(Input) | _subclasses(Printable) if not schema.__name__.startswith("_")
     for name, info in schema.model_fields.items() if _holds_text(info.annotation)),
    key=lambda t: (t[0].__module__, t[0].__name__, t[1]))


def test_the_walk_finds_the_schemas_of_every_kind_of_input():
    names = {schema.__name__ for schema, _, _ in SCHEMA_FIELDS}
    assert {"ContributionCreate", "ContributionUpdate", "UnitCreate", "UserCreate", "UserUpdate",
            "IssueRequest", "ApiTokenCreate", "DisplayTokenCreate", "PetitionCreate",
            "TransitionIn", "ApprovalCreate", "ListParams", "AuditFilters"} <= names
    assert len(SCHEMA_FIELDS) > 60


@pytest.mark.parametrize("char", BAD, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(("schema", "name", "is_list"), SCHEMA_FIELDS,
                         ids=lambda v: v.__name__ if isinstance(v, type) else str(v))
def test_every_text_field_of_every_schema_refuses_it(schema, name, is_list, char):
    for text in (f"H{char}T", f"HT{char}", f"{char}HT"):  # inside, at either end
        value = [text] if is_list else text
        with pytest.raises(ValidationError) as caught:
            schema.model_validate({name: value})
        kinds = {e["type"] for e in caught.value.errors() if e["loc"][:1] == (name,)}
        assert kinds & {UNPRINTABLE, PATTERNED}, (name, caught.value.errors())


def test_tab_and_line_breaks_are_text(api, tree):
    body = CONTRIBUTIONS.body(tree.ham_tri, note="Dòng một\r\nDòng hai\tcột", contributor_name="Hàm Trí")
    assert create(api, CONTRIBUTIONS, body)["note"] == "Dòng một\r\nDòng hai\tcột"


# -- through HTTP: every JSON body of the OpenAPI document -------------------------------------
def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _text_kind(spec: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """'text', 'list' (of text) or None: free text, not an enum, a date or a patterned code."""
    schema = _resolve(spec, schema)
    for option in schema.get("anyOf", [schema]):
        option = _resolve(spec, option)
        if option.get("type") == "array" and _text_kind(spec, option.get("items", {})) == "text":
            return "list"
        if (option.get("type") == "string" and "enum" not in option and "format" not in option
                and "pattern" not in option):
            return "text"
    return None


def _body_fields() -> list[tuple[str, str, str, str]]:
    spec = app.openapi()
    out = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            schema = _resolve(spec, content["application/json"]["schema"])
            for name, prop in schema.get("properties", {}).items():
                kind = _text_kind(spec, prop)
                if kind:
                    out.append((method.upper(), path, name, kind))
    return out


BODY_FIELDS = _body_fields()


def test_the_walk_finds_every_resource_s_create_endpoint():
    posted = {path for method, path, _, _ in BODY_FIELDS if method == "POST"}
    for name in ("units", "models", "works", "contributions", "land-donations", "petitions",
                 "commendations", "targets", "recognitions", "users", "api-tokens",
                 "display-tokens", "reports/issued", "approvals"):
        assert f"{API}/{name}" in posted, name


@pytest.mark.parametrize(("method", "path", "name", "kind"), BODY_FIELDS,
                         ids=lambda v: str(v))
def test_every_text_field_of_every_body_is_refused_over_http(api, method, path, name, kind):
    url = path.replace("{id}", "1")
    for char in BAD:
        text = f"Hàm{char}Trí"
        r = api.request(method, url, json={name: [text] if kind == "list" else text},
                        headers={"If-Match": '"1"'})
        body = assert_invalid(r, name)
        mine = [e for e in body["errors"] if e["loc"][-1] == name]
        assert [e["type"] for e in mine] == [UNPRINTABLE], body
        assert "ký tự ẩn" in mine[0]["msg"] and f"U+{ord(char):04X}" in mine[0]["msg"]


@pytest.mark.parametrize("char", BAD, ids=lambda c: f"U+{ord(c):04X}")
def test_a_valid_record_with_it_is_refused_and_nothing_is_stored(api, tree, char):
    for field in ("contributor_name", "note"):
        body = CONTRIBUTIONS.body(tree.ham_tri, **{field: f"Trần{char}Văn Tư"})
        assert_invalid(api.post(CONTRIBUTIONS.path, json=body), field)
    assert listing(api, CONTRIBUTIONS)["total"] == 0
    made = create(api, CONTRIBUTIONS, CONTRIBUTIONS.body(tree.ham_tri))
    r = api.patch(f"{CONTRIBUTIONS.path}/{made['id']}", json={"note": f"ghi{char}"})
    assert_invalid(r, "note")
    assert api.get(f"{CONTRIBUTIONS.path}/{made['id']}").json() == made


# -- query strings -----------------------------------------------------------------------------
def _query_params() -> list[tuple[str, str]]:
    spec = app.openapi()
    return sorted({(path, p["name"])
                   for path, operations in spec["paths"].items()
                   for method, op in operations.items() if method == "get"
                   for p in op.get("parameters", [])
                   if p["in"] == "query" and _text_kind(spec, p["schema"])})


QUERY_PARAMS = _query_params()


def test_the_walk_finds_the_text_query_parameters():
    assert (f"{API}/contributions", "q") in QUERY_PARAMS
    assert (f"{API}/users", "q") in QUERY_PARAMS
    assert (f"{API}/audit", "user") in QUERY_PARAMS


@pytest.mark.parametrize(("path", "name"), QUERY_PARAMS, ids=lambda v: str(v))
def test_every_text_query_parameter_refuses_it(api, tree, path, name):
    for char in BAD:
        r = api.get(path.replace("{id}", "1"), params={name: f"Hàm{char}"})
        body = assert_invalid(r, name)
        assert UNPRINTABLE in {e["type"] for e in body["errors"] if e["loc"][-1] == name}, body


def test_a_list_page_s_search_with_nul_is_a_refused_filter_not_an_error(sign_in, tree):
    page = sign_in("clerk1").get("/contributions", params={"q": "Trần\x00"})
    assert page.status_code == 200
    assert "Bộ lọc không hợp lệ" in page.text


# -- sign-in -----------------------------------------------------------------------------------
def test_sign_in_with_it_in_the_username_is_refused(anon, make_user):
    make_user(Role.admin)
    for char in BAD:
        r = anon.post(f"{API}/auth/token", data={"username": f"adm{char}in1", "password": "x"})
        assert_invalid(r, "username")
        page = anon.post("/login", data={"username": f"adm{char}in1", "password": "x"})
        assert page.status_code == 422 and "ký tự ẩn" in page.text, (repr(char), page.text[-3000:])
