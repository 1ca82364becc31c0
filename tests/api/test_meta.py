"""GET /api/v1/meta/enums: every code of the contract with its Vietnamese and English label."""

import pytest

from tests.api.helpers import API, assert_problem

# The enumerations of the record resources, as the contract (spec/api.md) lists them.
CONTRACT = {
    "models.field": {"economy", "culture_society", "defense_security", "party_building"},
    "models.kind": {"collective", "individual"},
    "org_type": {"party_committee", "government", "fatherland_front", "farmers_union",
                 "womens_union", "youth_union", "veterans_association", "trade_union",
                 "red_cross", "other"},
    "models.status": {"registered", "in_progress", "evaluated", "recognized", "not_recognized",
                      "discontinued"},
    "level": {"commune", "district", "province", "national"},
    "works.category": {"road_concrete", "road_other", "field_road", "canal", "lighting",
                       "gratitude_house_new", "gratitude_house_repair", "charity_house",
                       "health_insurance", "poor_fund", "social_support", "other"},
    "works.measure": {"km", "m", "house", "lamp", "person_time", "card", "item"},
    "works.status": {"planned", "in_progress", "completed"},
    "contributions.source": {"state_budget", "people", "business", "organization", "other"},
    "contributions.kind": {"cash", "labor", "in_kind"},
    "land-donations.status": {"pledged", "signed", "registered"},
    "commendations.recipient_type": {"collective", "individual"},
    "units.level": {"country", "province", "district", "commune", "village"},
    "petitions.type": {"complaint", "denunciation", "dispute", "request", "recommendation"},
    "petitions.channel": {"direct", "mail", "online", "reception", "voter_meeting", "dialogue",
                          "transferred_in"},
    "petitions.domain": {"land", "policy", "environment", "order", "other"},
    "petitions.status": {"received", "accepted", "in_progress", "resolved", "withdrawn",
                         "transferred", "rejected"},
    "users.role": {"admin", "manager", "clerk", "viewer"},
    "api-tokens.scope": {"read", "write"},
}


@pytest.fixture
def enums(api):
    r = api.get(f"{API}/meta/enums")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("name, codes", CONTRACT.items(), ids=list(CONTRACT))
def test_every_contract_enumeration_is_listed_exactly(enums, name, codes):
    listed = [{e["code"] for e in entries} for entries in enums.values()]
    assert codes in listed, f"no enumeration with exactly the codes of {name}"


def test_every_code_has_a_vietnamese_and_an_english_label(enums):
    assert len(enums) >= len({frozenset(c) for c in CONTRACT.values()})
    for name, entries in enums.items():
        assert entries, name
        codes = [e["code"] for e in entries]
        assert len(codes) == len(set(codes)), name
        for e in entries:
            assert set(e) >= {"code", "vi", "en"}, e
            assert e["vi"].strip() and e["en"].strip(), (name, e)


@pytest.mark.parametrize("code", ["canal", "complaint", "people", "economy", "new_rural_commune"])
def test_vietnamese_labels_are_vietnamese(enums, code):
    labels = [e for entries in enums.values() for e in entries if e["code"] == code]
    assert labels, code
    for e in labels:
        assert e["vi"] != e["en"] and not e["vi"].isascii(), e


def test_units_kinds_include_the_contract_codes(enums):
    kinds = {"tinh", "huyen", "xa", "phuong", "thi_tran", "dac_khu", "thon", "khu_pho"}
    assert any(kinds <= {e["code"] for e in entries} for entries in enums.values())


def test_enums_need_a_token(anon):
    assert_problem(anon.get(f"{API}/meta/enums"), 401)
