"""The HTTP side of writes, for every record resource: If-Match and ETags, Idempotency-Key,
body limits and bodies that are not JSON. Bad input is a 4xx problem, never a 500."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.api.helpers import (RESOURCES, Resource, assert_invalid, assert_problem, create,
                               ids, listing)

by_name = pytest.mark.parametrize("res", RESOURCES, ids=str)


def _at_version_2(api, tree, res: Resource) -> dict:
    created = create(api, res, res.body(tree.ham_tri))
    r = api.patch(f"{res.path}/{created['id']}", json=res.patch, headers={"If-Match": '"1"'})
    assert (r.status_code, r.headers["etag"]) == (200, '"2"'), r.text
    return r.json()


@by_name
def test_stale_if_match_is_412_and_changes_nothing(api, tree, res: Resource):
    current = _at_version_2(api, tree, res)
    url = f"{res.path}/{current['id']}"
    change = {res.text_field: "Sửa từ một bản cũ"}
    assert_problem(api.patch(url, json=change, headers={"If-Match": '"1"'}), 412)
    assert_problem(api.delete(url, headers={"If-Match": '"1"'}), 412)
    assert_problem(api.patch(url, json=change, headers={"If-Match": '"3"'}), 412)
    r = api.get(url)
    assert (r.status_code, r.headers["etag"]) == (200, '"2"')
    assert r.json() == current


@pytest.mark.parametrize("header", ["abc", '"x1"', '"-1"', '""', '"1", "2"'])
@by_name
def test_malformed_if_match_is_412(api, tree, res: Resource, header: str):
    created = create(api, res, res.body(tree.ham_tri))
    url = f"{res.path}/{created['id']}"
    assert_problem(api.patch(url, json=res.patch, headers={"If-Match": header}), 412)
    assert_problem(api.delete(url, headers={"If-Match": header}), 412)
    assert api.get(url).json() == created


@by_name
def test_if_match_current_or_star_is_accepted(api, tree, res: Resource):
    current = _at_version_2(api, tree, res)
    url = f"{res.path}/{current['id']}"
    r = api.patch(url, json={res.text_field: "Ghi với If-Match *"}, headers={"If-Match": "*"})
    assert (r.status_code, r.headers["etag"], r.json()["version"]) == (200, '"3"', 3), r.text
    r = api.patch(url, json={res.text_field: "Ghi với phiên bản 3"}, headers={"If-Match": '"3"'})
    assert (r.status_code, r.json()["version"]) == (200, 4), r.text
    assert api.delete(url, headers={"If-Match": '"4"'}).status_code == 204
    assert_problem(api.get(url), 404)


@by_name
def test_concurrent_writes_with_the_same_if_match_let_exactly_one_win(api, tree, res: Resource):
    created = create(api, res, res.body(tree.ham_tri))
    url = f"{res.path}/{created['id']}"

    def write(i: int) -> int:
        change = {res.text_field: f"Người sửa thứ {i}"}
        return api.patch(url, json=change, headers={"If-Match": '"1"'}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(write, range(6)))
    assert statuses == [200] + [412] * 5
    final = api.get(url).json()
    assert final["version"] == 2
    assert final[res.text_field].startswith("Người sửa thứ ")


@by_name
def test_concurrent_retries_with_one_idempotency_key_create_one_record(api, tree, res: Resource):
    body = res.body(tree.ham_tri)

    def post(_: int) -> tuple[int, int | None]:
        r = api.post(res.path, json=body, headers={"Idempotency-Key": "same-retry"})
        return r.status_code, r.json().get("id")

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(post, range(5)))
    assert {status for status, _ in answers} <= {201, 409}, answers
    page = listing(api, res)
    assert page["total"] == 1
    assert {i for status, i in answers if status == 201} == ids(page)


@by_name
def test_idempotency_key_replays_the_first_response(api, tree, res: Resource):
    body = res.body(tree.ham_tri)
    key = {"Idempotency-Key": f"retry-{res.name}-1"}
    first = api.post(res.path, json=body, headers=key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = api.post(res.path, json=body, headers=key)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == '"1"'
    page = listing(api, res)
    assert (page["total"], ids(page)) == (1, {first.json()["id"]})

    other = api.post(res.path, json=res.body(tree.ham_lien), headers=key)
    assert_invalid(other)
    assert listing(api, res)["total"] == 1
    fresh = api.post(res.path, json=body, headers={"Idempotency-Key": f"retry-{res.name}-2"})
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
    assert listing(api, res)["total"] == 2


@by_name
def test_idempotency_key_of_a_refused_post_can_be_reused(api, tree, res: Resource):
    key = {"Idempotency-Key": "k-refused"}
    assert_invalid(api.post(res.path, json=res.body(99_999), headers=key), "unit_id")
    r = api.post(res.path, json=res.body(tree.ham_tri), headers=key)
    assert r.status_code == 201, r.text
    assert listing(api, res)["total"] == 1


@by_name
def test_body_over_one_megabyte_is_413(api, tree, res: Resource):
    body = res.body(tree.ham_tri, note="x" * 1_100_000)
    r = api.post(res.path, content=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    assert listing(api, res)["total"] == 0


@by_name
def test_chunked_body_over_one_megabyte_is_413(api, tree, res: Resource):
    def chunks():  # no Content-Length: the limit must hold while reading
        yield json.dumps(res.body(tree.ham_tri))[:-1].encode() + b', "note": "'
        for _ in range(12):
            yield b"x" * 100_000
        yield b'"}'

    r = api.post(res.path, content=chunks(), headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    assert listing(api, res)["total"] == 0


@pytest.mark.parametrize("content, ctype", [
    (b"name=abc&unit_id=1", "application/x-www-form-urlencoded"),
    (b"{not json", "application/json"),
    (b'{"unit_id": 1,}', "application/json"),
    (b"", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
    (b"\xff\xfe\x00", "application/json"),
])
@by_name
def test_body_that_is_not_a_json_object_is_422(api, tree, res: Resource, content, ctype):
    assert_invalid(api.post(res.path, content=content, headers={"Content-Type": ctype}))
    created = create(api, res, res.body(tree.ham_tri))
    r = api.patch(f"{res.path}/{created['id']}", content=content,
                  headers={"Content-Type": ctype})
    assert_invalid(r)
    assert api.get(f"{res.path}/{created['id']}").json() == created


@pytest.mark.parametrize("path_id", ["abc", "1.5", "99999999999999999999999"])
@by_name
def test_bad_record_id_in_the_path_is_a_4xx(api, res: Resource, path_id: str):
    r = api.get(f"{res.path}/{path_id}")
    assert r.status_code in (404, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("change", [
    {"unit_id": 2**63}, {"unit_id": -1}, {"unit_id": 10**30},
])
@by_name
def test_out_of_range_numbers_are_a_4xx_not_a_500(api, tree, res: Resource, change):
    r = api.post(res.path, json=res.body(tree.ham_tri, **change))
    assert_invalid(r, "unit_id")


@pytest.mark.parametrize("params", [{"offset": 10**20}, {"unit_id": 2**64}, {"limit": 2**70}])
@by_name
def test_out_of_range_list_parameters_are_a_4xx_not_a_500(api, res: Resource, params):
    r = api.get(res.path, params=params)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert r.json()["items"] == []
    else:
        assert r.headers["content-type"].startswith("application/problem+json")


def test_absurd_ids_on_pages_and_lists_are_4xx(api):
    for path in ("/api/v1/approvals?unit_id=99999999999999999999",
                 "/api/v1/reports/issued?unit_id=99999999999999999999",
                 "/api/v1/reports/summary?unit_id=99999999999999999999"):
        assert api.get(path).status_code == 422, path
