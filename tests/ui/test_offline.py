"""The server's side of entry without a link (issue 21): the service worker served from the
root, the session the outbox sends with, the clerk's own subtree for the pickers (and nobody
else's), the outbox page, and what the pages tell the worker (whose page; never keep this)."""

import httpx
import pytest

from app.enums import Role
from tests.factories import make_model, make_tree, make_work

HX = {"HX-Request": "true"}


@pytest.fixture
def tree(db):
    with db() as s:
        t = make_tree(s)
        make_work(s, name="Cầu Lâm Giang", unit_id=t.lam_giang)
        make_work(s, name="Kênh thôn 1", unit_id=t.thon_1)
        make_model(s, name="Mô hình Hàm Trí", unit_id=t.ham_tri)
        return t


def test_the_worker_is_served_from_the_root_and_never_from_a_stale_cache(anon: httpx.Client) -> None:
    r = anon.get("/sw.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["service-worker-allowed"] == "/"
    assert r.headers["cache-control"] == "no-store"
    manifest = anon.get("/static/manifest.webmanifest").json()
    assert manifest["lang"] == "vi" and manifest["start_url"] == "/works"


def test_session_and_subtree_need_a_signed_in_user(anon: httpx.Client) -> None:
    for path in ("/offline/session", "/offline/subtree.json", "/outbox"):
        r = anon.get(path, headers=HX)
        assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/login"), path
        assert anon.get(path).headers["location"].startswith("/login"), path


def test_session_gives_the_user_and_the_form_token_that_a_save_accepts(sign_in, tree) -> None:
    clerk = sign_in("canbo.hamtri")
    got = clerk.get("/offline/session")
    assert got.status_code == 200 and got.headers["cache-control"] == "no-store"
    assert got.json()["user"] == "canbo.hamtri"
    assert got.json()["csrf"] == clerk.headers["X-CSRF-Token"]


def test_the_subtree_is_the_clerks_own(sign_in, tree) -> None:
    data = sign_in("canbo.hamtri").get("/offline/subtree.json").json()
    assert data["user"] == "canbo.hamtri"
    assert {u["name"] for u in data["units"]} == {"Hàm Trí", "Lâm Giang"}
    assert [w["name"] for w in data["works"]] == [f"Cầu Lâm Giang (số {data['works'][0]['id']})"]
    assert [m["unit_id"] for m in data["models"]] == [tree.ham_tri]
    assert {u["parent_id"] for u in data["units"]} >= {tree.ham_tri}


def test_an_admin_who_sees_every_unit_gets_them_all(sign_in, tree, db) -> None:
    """An admin's scope is the whole tree (counted from the tree in memory): under the cap,
    every unit is in the offline copy."""
    from sqlalchemy import func, select

    from app.db.units import Unit
    from app.enums import Role
    with db() as s:
        total = s.exec(select(func.count()).select_from(Unit)).scalar()
    data = sign_in("quantri.offline", Role.admin, None).get("/offline/subtree.json").json()
    assert len(data["units"]) == total > 2


def test_pages_say_whose_they_are_and_offer_the_outbox(sign_in, tree) -> None:
    clerk = sign_in("canbo.hamtri")
    page = clerk.get("/works").text
    assert '<meta name="dvk-user" content="canbo.hamtri">' in page
    assert 'rel="manifest"' in page and "/static/outbox.js" in page
    assert 'href="/outbox" data-outbox-badge' in page
    fragment = clerk.get("/works/new", headers=HX).text
    assert 'data-dvk-user="canbo.hamtri"' in fragment  # the worker keys an htmx form by it too
    outbox = clerk.get("/outbox")
    assert outbox.status_code == 200 and "Bản ghi chờ gửi" in outbox.text
    assert "/static/outbox_page.js" in outbox.text


def test_a_denouncers_identity_is_never_kept_offline(sign_in, tree) -> None:
    clerk, manager = sign_in("canbo.hamtri"), sign_in("lanhdao.hamtri", Role.manager)
    form = clerk.get("/petitions").text
    assert 'data-confidential="petitioner_name petitioner_address"' in form
    assert 'data-confidential-when="type=denunciation"' in form
    assert "không được lưu trên máy" in form
    # The clerk never reads a denouncer's name, so the page may be kept; a manager's may not.
    assert 'name="dvk-offline"' not in form
    assert '<meta name="dvk-offline" content="no-store">' in manager.get("/petitions").text
    assert 'name="dvk-offline"' not in manager.get("/works").text


def _offline_order(subtree: dict, typed: str) -> list[str]:
    """The offline picker's order (static/picker_offline.js `ordered`), run by Node on the
    subtree the server gives for offline use."""
    import base64
    import json
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed (make test installs npm, which brings it)")
    source = (Path(__file__).resolve().parents[2] / "app/ui/static/picker_offline.js").read_bytes()
    url = "data:text/javascript;base64," + base64.b64encode(source).decode()
    script = (f"const m = await import({json.dumps(url)});"
              "const [data, typed] = JSON.parse(process.argv[1]);"
              "console.log(JSON.stringify(m.ordered(data.units, typed, data.kind_words)"
              ".map((u) => u.name)));")
    out = subprocess.run([node, "--input-type=module", "-e", script, json.dumps([subtree, typed])],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("typed", ["an phu", "tan phu", "phuong 1", "xa an phu"])
def test_the_offline_picker_orders_units_as_the_server_does(sign_in, api, db, typed) -> None:
    """Without a link, the picker's search finds and orders the units of the offline copy by
    the server's rule (units in force first, then the name itself with or without its kind
    word, then names starting with it): the same units, in the same order of kinds of match,
    as /api/v1/units?q= for what is typed (folded, as the picker folds it)."""
    from app.enums import Role
    from tests.factories import make_named_tree

    with db() as s:
        make_named_tree(s)
    admin = sign_in("quantri.picker", Role.admin, None)
    offline = _offline_order(admin.get("/offline/subtree.json").json(), typed)
    r = api.get("/api/v1/units", params={"q": typed, "limit": 100})
    assert r.status_code == 200, r.text
    served = [u["name"] for u in r.json()["items"]]
    assert offline and sorted(offline) == sorted(served)
    # Names alike without their marks may stand in either order; the groups may not.
    assert [n.replace("Phụ", "Phú") for n in offline] == [n.replace("Phụ", "Phú") for n in served]
