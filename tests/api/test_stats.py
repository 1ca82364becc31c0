"""GET /api/v1/stats/dashboard and /api/v1/display-tokens, over real HTTP."""

import time
from datetime import date

import pytest

from app.enums import Role
from app.services import dashboards
from tests.factories import make_tree

API = "/api/v1"


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


def _gift(api, unit_id, amount):
    r = api.post(f"{API}/contributions", json={"unit_id": unit_id, "source": "people", "kind": "cash",
                                               "amount_vnd": amount, "date": date.today().isoformat()})
    assert r.status_code == 201, r.text


def _poll(client, unit_id, etag, seconds=5.0):
    """Ask every 0.2 s with the ETag held until the figures change (or time runs out)."""
    deadline = time.monotonic() + seconds
    while True:
        r = client.get(f"{API}/stats/dashboard", params={"unit_id": unit_id},
                       headers={"If-None-Match": etag})
        if r.status_code != 304 or time.monotonic() > deadline:
            return r
        time.sleep(0.2)


def test_dashboard_json_etag_and_a_change(api, tree):
    r = api.get(f"{API}/stats/dashboard", params={"unit_id": tree.ham_tri})
    assert r.status_code == 200
    body, etag = r.json(), r.headers["ETag"]
    assert body["unit"]["name"] == "Hàm Trí" and body["year"]["money_vnd"] == 0
    assert set(body) >= {"year", "phase", "league", "due", "feed", "trend", "by_source"}
    same = api.get(f"{API}/stats/dashboard", params={"unit_id": tree.ham_tri},
                   headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    _gift(api, tree.lam_giang, 2_500_000)
    changed = _poll(api, tree.ham_tri, etag)  # as a screen does: within a few seconds
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json()["year"]["money_vnd"] == 2_500_000
    assert changed.json()["feed"][0]["what"] == "khoản đóng góp"
    # A change elsewhere leaves Hàm Trí's figures (and ETag) alone.
    _gift(api, tree.ham_lien, 1_000)
    again = _poll(api, tree.ham_tri, changed.headers["ETag"], seconds=2 * dashboards.MIN_AGE.total_seconds())
    assert again.status_code == 304


def test_dashboard_scope_and_bad_input(make_user, tree):
    clerk = make_user(Role.clerk, "T-HT")
    assert clerk.get(f"{API}/stats/dashboard").json()["unit"]["name"] == "Hàm Trí"  # own unit
    assert clerk.get(f"{API}/stats/dashboard", params={"unit_id": tree.ham_lien}).status_code == 404
    assert clerk.get(f"{API}/stats/dashboard", params={"unit_id": "abc"}).status_code == 422
    assert clerk.get(f"{API}/stats/dashboard", params={"year": date.today().year + 1}).status_code == 422
    past = clerk.get(f"{API}/stats/dashboard", params={"year": 2019})
    assert past.status_code == 200 and past.json()["today"] == "2019-12-31"
    assert past.json()["phase"]["label"] == "2016–2020"


def test_display_tokens_lifecycle(make_user, anon, tree):
    manager = make_user(Role.manager, "T-HT")
    r = manager.post(f"{API}/display-tokens", json={"name": "Phòng họp xã", "unit_id": tree.ham_tri,
                                                    "rotate_seconds": 20})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["screen_url"] == f"/screen/{made['token']}" and r.headers["Cache-Control"] == "no-store"
    assert "token" not in manager.get(f"{API}/display-tokens/{made['id']}").json()
    # The secret opens the screen and nothing else.
    assert manager.get(f"{API}/display-tokens/{made['id']}").json()["last_seen_at"] is None
    assert anon.get(made["screen_url"]).status_code == 200
    # When it was last seen is written a moment after the answer, by the server's own thread.
    deadline = time.monotonic() + 5
    while manager.get(f"{API}/display-tokens/{made['id']}").json()["last_seen_at"] is None:
        assert time.monotonic() < deadline, "the screen's last-seen stamp was never written"
        time.sleep(0.05)
    assert anon.get(f"{API}/models", headers={"Authorization": f"Bearer {made['token']}"}).status_code == 401
    anon.cookies.set("dvk_session", made["token"])
    assert anon.get("/models").status_code in (303, 401)
    anon.cookies.clear()
    # Outside the manager's subtree, and below manager: refused.
    assert manager.post(f"{API}/display-tokens", json={"name": "X", "unit_id": tree.ham_lien}).status_code == 403
    clerk = make_user(Role.clerk, "T-HT")
    assert clerk.post(f"{API}/display-tokens", json={"name": "X", "unit_id": tree.ham_tri}).status_code == 403
    assert clerk.get(f"{API}/display-tokens").json()["items"] == []
    bad = manager.post(f"{API}/display-tokens", json={"name": "", "unit_id": tree.ham_tri, "rotate_seconds": 1})
    assert bad.status_code == 422
    assert {e["loc"][-1] for e in bad.json()["errors"]} == {"name", "rotate_seconds"}
    # Revoked: the screen is refused from its next request on.
    assert manager.delete(f"{API}/display-tokens/{made['id']}").status_code == 204
    assert anon.get(made["screen_url"] + "/live").status_code == 401
    page = anon.get(made["screen_url"])
    assert page.status_code == 401 and "không còn được phép" in page.text
    assert manager.get(f"{API}/display-tokens/{made['id']}").json()["revoked_at"] is not None
