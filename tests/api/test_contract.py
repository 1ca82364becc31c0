"""The API's contract beyond each resource: methods and Allow, unknown query parameters,
what the OpenAPI promises for files and throttling, the audit log's date filter, and no
cache of anything a signed-in user was shown."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from app.db.audit import AuditEntry
from app.enums import Role

UNKNOWN = "khong_co_tham_so_nay"


def operations(client: httpx.Client) -> list[tuple[str, str, dict[str, Any]]]:
    spec = client.get("/openapi.json").json()
    return [(method.upper(), path, op) for path, item in spec["paths"].items()
            for method, op in item.items()]


def concrete(path: str) -> str:
    return (path.replace("{id}", "1").replace("{resource}", "works").replace("{kind}", "csv"))


def test_every_path_answers_options_with_all_its_methods(api):
    documented: dict[str, set[str]] = {}
    for method, path, _ in operations(api):
        documented.setdefault(path, {"OPTIONS"}).add(method)
    for path, methods in documented.items():
        r = api.options(concrete(path))
        assert r.status_code == 204, (path, r.text)
        assert set(r.headers["allow"].split(", ")) == methods, path


def test_a_method_the_path_lacks_is_405_naming_every_method_it_has(api):
    r = api.patch("/api/v1/users/me", json={"full_name": "Tên mới"})
    assert r.status_code == 405, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["allow"] == "GET, OPTIONS"
    r = api.put("/api/v1/units")
    assert r.status_code == 405 and r.headers["allow"] == "GET, OPTIONS, POST"
    r = api.put("/api/v1/units/1")
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, GET, OPTIONS, PATCH"


def test_a_page_says_its_methods_too(anon):
    r = anon.options("/login")
    assert r.status_code == 204 and r.headers["allow"] == "GET, OPTIONS, POST"


def test_an_unknown_query_parameter_is_refused_on_every_operation(api):
    """Every operation of the OpenAPI, lists first among them: a parameter it does not
    document is a 422 that names it, never silently ignored."""
    for method, path, _ in operations(api):
        r = api.request(method, concrete(path), params={UNKNOWN: "1"})
        assert r.status_code == 422, (method, path, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["loc"] for e in r.json()["errors"]] == [["query", UNKNOWN]], (method, path)


def test_a_misspelt_filter_does_not_answer_with_everything(api, tree):
    r = api.get("/api/v1/units", params={"name": "Hàm Trí"})
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["query", "name"]
    assert "name" in problem["detail"] and "q" in problem["errors"][0]["msg"]
    assert api.get("/api/v1/units", params={"q": "T-HT"}).status_code == 200


def test_the_openapi_documents_files_and_throttling(api):
    spec = api.get("/openapi.json").json()["paths"]
    template = spec["/api/v1/imports/{resource}/template.{kind}"]["get"]["responses"]["200"]
    assert set(template["content"]) == {"text/csv", "application/vnd.openxmlformats-"
                                        "officedocument.spreadsheetml.sheet"}
    assert "429" in spec["/api/v1/auth/token"]["post"]["responses"]
    for method, path, op in operations(api):
        if path.endswith((".csv", ".xlsx", ".docx")):
            content = op["responses"]["200"].get("content", {})
            assert content and "application/json" not in content, path


def test_the_template_is_served_as_documented(api):
    r = api.get("/api/v1/imports/works/template.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")


def test_the_audit_log_filters_by_day_in_vietnams_time(api, tree, db):
    """An entry at 23:30 UTC on 5 December is on 6 December in Vietnam."""
    api.post("/api/v1/models", json={"name": "Tổ hòa giải", "unit_id": tree.ham_tri,
                                     "field": "defense_security", "org_type": "government",
                                     "start_date": "2019-03-01", "members": 9})
    moment = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    with db() as s:
        s.exec(update(AuditEntry).where(AuditEntry.resource == "models").values(at=moment))

    def count(**params: str) -> int:
        r = api.get("/api/v1/audit", params={"resource": "models", **params})
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert count(date_from="2026-12-06") == count(date_to="2026-12-06") == 1
    assert count(date_from="2026-12-06", date_to="2026-12-06") == 1
    assert count(date_to="2026-12-05") == count(date_from="2026-12-07") == 0
    assert count(date_from="0001-01-01", date_to="9999-12-31") == 1
    assert (moment + timedelta(hours=7)).date().isoformat() == "2026-12-06"


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/users/me", "/api/v1/units.csv",
                                  "/api/v1/nothing-here"])
def test_answers_to_a_bearer_are_not_stored(api, path):
    assert api.get(path).headers["cache-control"] == "no-store"


def test_answers_to_a_signed_in_page_are_not_stored(sign_in, anon, tree):
    clerk = sign_in("thu-ky-cache", Role.clerk)
    for path in ("/units", "/dashboard", "/nothing-here"):
        assert clerk.get(path).headers["cache-control"] == "no-store", path
    token = anon.post("/api/v1/auth/token", data={"username": "thu-ky-cache",
                                                   "password": "mat-khau-thu-nghiem"})
    assert token.status_code == 200 and token.headers["cache-control"] == "no-store"
    # The same for everyone: left to their own caching.
    assert clerk.get("/static/app.css").headers.get("cache-control") != "no-store"
    assert "cache-control" not in anon.get("/health").headers


def test_every_operation_documents_its_422_problem(api):
    """Any operation may refuse an unknown parameter; the OpenAPI says so for each."""
    for method, path, op in operations(api):
        assert "application/problem+json" in op["responses"]["422"]["content"], (method, path)


def test_every_number_at_its_documented_maximum_is_answered(api, tree):
    """A number the OpenAPI allows fits the column it is compared with, on both databases
    (schemathesis found /changes?since= above PostgreSQL's 32-bit ids answering 500)."""
    for method, path, op in operations(api):
        if method != "GET":
            continue
        for param in op.get("parameters", []):
            schema = param.get("schema", {})
            options = schema.get("anyOf", [schema])
            top = [s["maximum"] for s in options if s.get("type") == "integer" and "maximum" in s]
            if param["in"] == "query" and top:
                r = api.get(concrete(path), params={param["name"]: top[0]})
                assert r.status_code < 500, (path, param["name"], r.text)
