"""The demo district's generated 2016–2020 report reproduces every figure of the published
article (shared/seed/figures.md), read through the API as a provincial system would."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.conftest import login
from tests.demo import ADMIN, ADMIN_PASSWORD, _clean, demo_loaded  # noqa: F401

PERIOD = {"date_from": "2016-01-01", "date_to": "2020-12-31"}
MASS_ORGS = ("fatherland_front", "farmers_union", "womens_union", "youth_union",
             "veterans_association", "trade_union", "red_cross")


def more_than(value: float, floor: float) -> bool:
    """'hơn X': strictly above X and at most 2 % above it (the demo's rule)."""
    return floor < value <= floor * 1.02


@pytest.fixture(scope="module")
def client(server: str, demo_loaded: None) -> Iterator[httpx.Client]:
    c = login(server, ADMIN, ADMIN_PASSWORD)
    yield c
    c.close()


def unit_id(client: httpx.Client, code: str) -> int:
    items = client.get("/api/v1/units", params={"q": code, "limit": 500}).json()["items"]
    return next(u["id"] for u in items if u["code"] == code)


def summary(client: httpx.Client, code: str) -> dict[str, Any]:
    r = client.get("/api/v1/reports/summary", params={"unit_id": unit_id(client, code), **PERIOD})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def district(client: httpx.Client) -> dict[str, Any]:
    return summary(client, "BTH.HTB")


def test_d1_targets(district):
    assert district["targets"] == {"total": 11, "achieved": 11}


def test_d2_models(district):
    assert more_than(district["models"]["total"], 290)


def test_d3_to_d8_roads_and_land(district):
    roads, land = district["roads"], district["land_donations"]
    assert more_than(roads["km"], 540)
    assert more_than(roads["total_cost_vnd"], 500e9)
    assert more_than(roads["non_state_vnd"], 230e9)
    assert land["area_m2"] == 175_000 and land["value_vnd"] == 8_500_000_000
    assert roads["concrete_km"] == 126.8 and roads["concrete_cost_vnd"] == 103_600_000_000
    assert more_than(roads["concrete_non_state_vnd"], 36.7e9)


def test_d6_all_land_of_the_period_serves_roads(client):
    items = client.get("/api/v1/land-donations", params={
        "unit_id": unit_id(client, "BTH.HTB"), **PERIOD, "limit": 500}).json()
    assert 0 < items["total"] == len(items["items"])
    assert sum(d["area_m2"] for d in items["items"]) == 175_000
    for wid in {d["work_id"] for d in items["items"]}:
        assert client.get(f"/api/v1/works/{wid}").json()["category"] in ("road_concrete", "road_other")


def test_d9_d10_canals_and_labour(district):
    assert district["works"]["by_category"]["canal"]["quantity"] == 155.3
    assert 10_000 <= district["contributions"]["labor_days"] <= 99_999


def test_d11_new_rural_communes(district):
    assert sorted(district["recognitions"]["by_title"]["new_rural_commune"]) == sorted(
        ["Hàm Chính", "Hàm Hiệp", "Hàm Liêm", "Thuận Minh", "Hàm Thắng"])


def test_d12_front_and_mass_organisations(district):
    by_org = district["works"]["by_org_type"]
    assert sum(by_org[o]["count"] for o in MASS_ORGS) == 510
    assert sum(by_org[o]["total_cost_vnd"] for o in MASS_ORGS) == 71_660_000_000
    assert district["works"]["mass_organizations"] == {"count": 510, "total_cost_vnd": 71_660_000_000}


def test_d13_to_d18_houses_cards_funds(district):
    cat = district["works"]["by_category"]
    assert cat["gratitude_house_new"]["quantity"] == 165
    assert cat["gratitude_house_repair"]["quantity"] == 336
    assert (cat["gratitude_house_new"]["total_cost_vnd"]
            + cat["gratitude_house_repair"]["total_cost_vnd"]) == 15_750_000_000
    assert cat["health_insurance"]["quantity"] == 19_500
    assert more_than(cat["poor_fund"]["total_cost_vnd"], 4.2e9)
    assert cat["charity_house"]["quantity"] == 234
    assert cat["charity_house"]["total_cost_vnd"] == 6_650_000_000
    assert cat["social_support"]["total_cost_vnd"] == 20_200_000_000
    assert cat["social_support"]["quantity"] == 88_296


def test_d17_charity_houses_from_mobilised_funds(client):
    items = client.get("/api/v1/works", params={
        "unit_id": unit_id(client, "BTH.HTB"), **PERIOD, "category": "charity_house",
        "limit": 500}).json()["items"]
    mobilised = [w for w in items if w["org_type"] != "government"]
    assert sum(w["quantity"] for w in mobilised) == 129
    assert sum(w["total_cost_vnd"] for w in mobilised) == 4_340_000_000


def test_d19_petitions(district):
    p = district["petitions"]
    assert (p["in_competence"], p["resolved"]) == (1827, 1823)
    assert round(p["resolution_rate"] * 100, 2) == 99.78


def test_d20_dialogues(client):
    r = client.get("/api/v1/petitions", params={
        "unit_id": unit_id(client, "BTH.HTB"), **PERIOD, "channel": "dialogue"}).json()
    assert r["total"] >= 1


def test_v1_to_v8_lam_giang(client):
    village = summary(client, "BTH.HTB.HAMTRI.01")
    assert village["unit"]["name"] == "Lâm Giang"
    cat = village["works"]["by_category"]
    assert cat["road_concrete"]["quantity"] == 2.4
    assert cat["canal"]["quantity"] == 4.9
    assert cat["field_road"]["quantity"] == 5.55
    assert cat["field_road"]["total_cost_vnd"] == 91_900_000
    assert cat["lighting"]["quantity"] == 174 and cat["lighting"]["total_cost_vnd"] == 197_000_000
    land = village["land_donations"]
    assert (land["households"], land["area_m2"]) == (58, 25_043)
    assert village["models"]["by_field"]["economy"] == 4
    models = client.get("/api/v1/models", params={
        "unit_id": village["unit"]["id"], **PERIOD}).json()["items"]
    members = {m["name"]: m["members"] for m in models}
    assert members["Đội dân phòng"] == 7
    assert members["Chức sắc tham gia giữ gìn an ninh – trật tự"] == 27


def test_v9_to_v11_ham_liem(client):
    commune = summary(client, "BTH.HTB.HAMLIEM")
    cat = commune["works"]["by_category"]
    assert cat["road_concrete"]["count"] == 51
    assert cat["road_concrete"]["quantity"] == 16.935
    assert cat["road_other"]["quantity"] == 16.045
    assert more_than(commune["roads"]["total_cost_vnd"], 10e9)
    assert more_than(commune["roads"]["non_state_vnd"], 5e9)


def test_v12_thuan_hoa(client):
    models = client.get("/api/v1/models", params={
        "unit_id": unit_id(client, "BTH.HTB.THUANHOA"), **PERIOD, "field": "economy",
        "limit": 500}).json()["items"]
    names = {m["name"] for m in models}
    assert {"Trồng bắp lai", "Trồng mè", "Nuôi cá nước ngọt"} <= names


def test_successor_report_includes_predecessors(client):
    """After the 2025 merger, the new xã Hàm Liêm's report over 2016–2020 is the old Hàm Chính's
    and Hàm Liêm's together."""
    new = summary(client, "LDG.HAMLIEM")
    old = [summary(client, c) for c in ("BTH.HTB.HAMCHINH", "BTH.HTB.HAMLIEM")]
    assert new["roads"]["km"] == round(sum(o["roads"]["km"] for o in old), 3)
    assert new["petitions"]["received"] == sum(o["petitions"]["received"] for o in old)
    assert sorted(new["recognitions"]["by_title"]["new_rural_commune"]) == ["Hàm Chính", "Hàm Liêm"]
