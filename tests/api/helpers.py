"""What the record resources of the API contract have in common, as data the tests run over:
a valid body for each resource, its date field, its required fields, a text field and its
length limit; plus small assertions on problem+json answers.

The table's names and paths are the registry's (app.services.registry): each entry names its
registered resource, and tests/api/test_helpers.py fails when a registered record resource
has no entry here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.services import registry

PROBLEM = "application/problem+json"
API = "/api/v1"


@dataclass(frozen=True)
class Resource:
    declared: registry.Resource = field(repr=False)  # registry.get("land-donations")
    date_field: str  # the field date_from/date_to filter on
    required: tuple[str, ...]  # `*` in the contract
    text_field: str  # a free-text field: trimmed, NFC-normalised, with a maximum length
    max_len: int
    make: Callable[[int, str], dict[str, Any]] = field(repr=False)  # (unit_id, date) -> body
    patch: dict[str, Any] = field(default_factory=dict, repr=False)  # a valid partial update
    date_fields: tuple[str, ...] = ()  # every date field of the resource
    happened: tuple[str, ...] = ()  # those that say something happened: not after today

    @property
    def name(self) -> str:
        """The API's path segment, the audit log's name: "land-donations"."""
        return self.declared.name

    @property
    def path(self) -> str:
        return f"{API}/{self.name}"

    def body(self, unit: int, day: str = "2020-03-15", **overrides: Any) -> dict[str, Any]:
        return {**self.make(unit, day), **overrides}

    def __str__(self) -> str:
        return self.name


MODELS = Resource(
    registry.get("models"), "start_date", ("name", "unit_id", "field", "org_type", "start_date"), "name", 300,
    lambda u, d: {"name": "Mô hình nuôi bò sinh sản", "unit_id": u, "field": "economy",
                  "org_type": "farmers_union", "start_date": d},
    patch={"members": 40, "status": "in_progress"}, date_fields=("start_date", "end_date"),
    happened=("recognition_date",),
)
WORKS = Resource(
    registry.get("works"), "completed_date", ("name", "unit_id", "category"), "name", 300,
    lambda u, d: {"name": "Đường bê tông thôn 2", "unit_id": u, "category": "road_concrete",
                  "quantity": 0.8, "measure": "km", "total_cost_vnd": 500_000_000,
                  "completed_date": d},
    patch={"total_cost_vnd": 750_000_000}, date_fields=("start_date", "completed_date"),
    happened=("completed_date",),
)
CONTRIBUTIONS = Resource(
    registry.get("contributions"), "date", ("unit_id", "source", "kind", "date"), "contributor_name", 300,
    lambda u, d: {"unit_id": u, "source": "people", "kind": "cash", "amount_vnd": 2_000_000,
                  "date": d, "contributor_name": "Trần Văn Tư"},
    patch={"amount_vnd": 3_000_000}, date_fields=("date",), happened=("date",),
)
LAND_DONATIONS = Resource(
    registry.get("land-donations"), "date", ("unit_id", "donor_name", "area_m2", "date"), "donor_name", 300,
    lambda u, d: {"unit_id": u, "donor_name": "Nguyễn Văn Ba", "area_m2": 85.5, "date": d},
    patch={"status": "registered", "households": 2}, date_fields=("date",), happened=("date",),
)
COMMENDATIONS = Resource(
    registry.get("commendations"), "decision_date", ("unit_id", "recipient_type", "recipient_name",
                                       "decision_date"), "recipient_name", 300,
    lambda u, d: {"unit_id": u, "recipient_type": "individual", "recipient_name": "Lê Thị Hoa",
                  "decision_date": d},
    patch={"level": "province", "decision_no": "12/QĐ-UBND"}, date_fields=("decision_date",),
    happened=("decision_date",),
)
TARGETS = Resource(
    registry.get("targets"), "period_end", ("unit_id", "name", "period_start", "period_end"), "name", 500,
    lambda u, d: {"unit_id": u, "name": "Bê tông hóa 100% đường thôn",
                  "period_start": "2016-01-01", "period_end": d},
    patch={"achieved": True, "actual_value": 100.0}, date_fields=("period_start", "period_end"),
)
RECOGNITIONS = Resource(
    registry.get("recognitions"), "date", ("unit_id", "title", "date"), "decision_no", 100,
    lambda u, d: {"unit_id": u, "title": "new_rural_commune", "date": d,
                  "decision_no": "45/QĐ-UBND"},
    patch={"decision_no": "46/QĐ-UBND"}, date_fields=("date",), happened=("date",),
)

PETITIONS = Resource(
    registry.get("petitions"), "received_date", ("received_date", "unit_id", "type", "subject"),
    "subject", 500,
    lambda u, d: {"received_date": d, "unit_id": u, "type": "complaint",
                  "subject": "Khiếu nại giá bồi thường"},
    patch={"subject": "Khiếu nại giá bồi thường (đã bổ sung)"},
    # Its acceptance and closing dates come with their steps' statuses: test_dates.py gives
    # them one at a time, with the status each needs.
    date_fields=("received_date",),
    happened=("received_date", "accepted_date", "closed_date"),
)

RESOURCES = (MODELS, WORKS, CONTRIBUTIONS, LAND_DONATIONS, COMMENDATIONS, TARGETS, RECOGNITIONS,
             PETITIONS)
BY_NAME = {r.name: r for r in RESOURCES}


def each(pairs: Callable[[Resource], Any]) -> list[tuple[Resource, Any]]:
    """(resource, item) for every item pairs(resource) gives, over every resource."""
    return [(r, item) for r in RESOURCES for item in pairs(r)]


def create(api: httpx.Client, res: Resource, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    r = api.post(res.path, json=body, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def listing(api: httpx.Client, res: Resource, **params: Any) -> dict[str, Any]:
    r = api.get(res.path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ids(page: dict[str, Any]) -> set[int]:
    return {item["id"] for item in page["items"]}


def assert_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body = r.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def assert_invalid(r: httpx.Response, field_name: str | None = None) -> dict[str, Any]:
    """422 problem+json whose errors[].loc names `field_name`."""
    body = assert_problem(r, 422)
    assert body["errors"], body
    assert all(e["msg"] for e in body["errors"])
    if field_name is not None:
        locs = [e["loc"] for e in body["errors"]]
        assert any(field_name in loc for loc in locs), locs
    return body
