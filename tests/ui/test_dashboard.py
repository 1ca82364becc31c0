"""The dashboard pages over HTTP: the signed-in page and its live parts, the wall screen opened
by a display token, and the page where managers make and revoke screens."""

import re
import time

import httpx
import pytest

from app.enums import Role
from app.services import display_tokens
from app.services.actor import SYSTEM
from tests.factories import make_petition, make_tree, make_unit


@pytest.fixture
def tree(db):
    with db() as s:
        t = make_tree(s)
        make_petition(s, unit_id=t.lam_giang, type="denunciation", received_date="2020-01-06",
                      subject="Tố cáo cán bộ thôn", petitioner_name="Phạm Văn Tố")
    return t


@pytest.fixture
def clerk(sign_in, tree) -> httpx.Client:
    return sign_in("canbo", Role.clerk)


@pytest.fixture
def manager(sign_in, tree) -> httpx.Client:
    return sign_in("lanhdao", Role.manager)


def _screen(db, unit_id: int) -> str:
    with db() as s:
        data = display_tokens.DisplayTokenCreate(name="Phòng họp", unit_id=unit_id)
        return display_tokens.create(s, actor=SYSTEM, data=data)[1]


def test_home_is_the_dashboard_of_ones_own_unit(clerk):
    r = clerk.get("/", follow_redirects=True)
    assert r.url.path == "/dashboard"
    assert "Bảng theo dõi trực tiếp · Hàm Trí" in r.text
    assert 'src="/static/live.js"' in r.text
    assert re.search(r'data-live="/dashboard/live\?unit_id=\d+"', r.text)
    assert "Đơn số" in r.text and "Tố cáo cán bộ thôn" in r.text  # a signed-in user sees subjects
    assert "Phạm Văn Tố" not in r.text  # never the denouncer


def test_live_parts_answer_304_until_a_change(clerk, api, tree):
    page = clerk.get("/dashboard").text
    etag = re.search(r'data-etag="([^"]+)"', page).group(1)
    url = re.search(r'data-live="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert clerk.get(url, headers={"If-None-Match": f'"{etag}"'}).status_code == 304
    r = api.post("/api/v1/works", json={"name": "Đường <b>bê tông</b> xóm 3", "unit_id": tree.lam_giang,
                                        "category": "road_concrete", "quantity": 1.5, "measure": "km",
                                        "completed_date": time.strftime("%Y-%m-%d")})
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 30  # a bound on the wait, not a timing
    while (fresh := clerk.get(url, headers={"If-None-Match": f'"{etag}"'})).status_code == 304 \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fresh.status_code == 200 and fresh.headers["ETag"] != f'"{etag}"'
    assert 'data-part="year"' in fresh.text and "<html" not in fresh.text
    assert "Đường &lt;b&gt;bê tông&lt;/b&gt; xóm 3" in fresh.text  # escaped in the feed
    assert "<b>bê tông</b>" not in fresh.text


def test_outside_the_subtree_is_not_found(clerk, tree):
    assert clerk.get(f"/dashboard?unit_id={tree.ham_lien}").status_code == 404
    assert clerk.get(f"/dashboard/live?unit_id={tree.ham_lien}").status_code == 404
    assert clerk.get("/dashboard?year=1800").status_code == 422


def test_the_wall_screen_needs_no_sign_in_and_shows_no_subjects(anon, db, tree):
    secret = _screen(db, tree.ham_tri)
    r = anon.get(f"/screen/{secret}")
    assert r.status_code == 200
    assert "Hàm Trí" in r.text and "cập nhật lúc" in r.text
    assert "Tố cáo cán bộ thôn" not in r.text and "Phạm Văn Tố" not in r.text
    assert "<a " not in r.text.split("<main", 1)[1]  # no links, no controls
    assert "<form" not in r.text
    live = anon.get(f"/screen/{secret}/live")
    assert live.status_code == 200 and live.headers["ETag"].endswith('-screen"')
    assert anon.get(f"/screen/{secret}/live", headers={"If-None-Match": live.headers["ETag"]}).status_code == 304
    assert anon.get("/screen/dvk_nonsense/live").status_code == 401
    assert anon.get("/screen/" + "x" * 500).status_code == 401


def test_screens_of_a_unit_share_the_figures_not_the_pages_subjects(clerk, anon, db, tree):
    """Two screens of a unit get the same parts and ETag; a screen never gets the signed-in
    page's parts (with petition subjects)."""
    page = clerk.get("/dashboard/live").text
    assert "Tố cáo cán bộ thôn" in page
    first, second = _screen(db, tree.ham_tri), _screen(db, tree.ham_tri)
    a, b = anon.get(f"/screen/{first}/live"), anon.get(f"/screen/{second}/live")
    assert a.status_code == b.status_code == 200 and a.text == b.text
    assert a.headers["ETag"] == b.headers["ETag"] and a.headers["ETag"].endswith('-screen"')
    assert "Tố cáo cán bộ thôn" not in b.text


def test_a_page_lists_twelve_units_and_a_screen_all_it_may_fit(sign_in, anon, db, tree):
    """The league of a district of 15 communes: the signed-in page shows 12 and says 3 more;
    a wall screen gets all 15, with their count for static/live.js, which shows the rows that
    fit and fills in the note (tests/e2e/test_screen_in_browser.py)."""
    with db() as s:
        for i in range(13):
            make_unit(s, code=f"T-X{i}", name=f"Xã số {i}", kind="xa", parent_id=tree.district)
    page = sign_in("huyen", Role.manager, "T-HTB").get("/dashboard").text
    league = page[page.index('data-part="league"'):]
    league = league[:league.index("</section>")]
    assert league.count("<tr>") == 1 + 12  # the head and 12 units
    assert '<p class="muted more">và <span data-left>3</span> đơn vị khác</p>' in league

    screen = anon.get(f"/screen/{_screen(db, tree.district)}").text
    league = screen[screen.index('data-part="league"'):]
    league = league[:league.index("</section>")]
    assert league.count("<tr>") == 1 + 15 and '<tbody data-fit="15">' in league
    assert '<p class="muted more" hidden>và <span data-left>0</span> đơn vị khác</p>' in league
    assert "<a " not in league  # no links on a wall screen


def test_managers_make_and_revoke_screens(manager, anon, tree):
    r = manager.post("/screens", data={"name": "Màn hình hội trường", "unit_id": str(tree.ham_tri),
                                       "rotate_seconds": "15"})
    assert r.status_code == 200
    url = re.search(r'<code id="screen-url">([^<]+)</code>', r.text).group(1)
    path = httpx.URL(url).path
    assert anon.get(path).status_code == 200
    assert "Màn hình hội trường" in manager.get("/screens").text
    assert path not in manager.get("/screens").text  # the secret is shown once only
    screen_id = re.search(r'action="/screens/(\d+)/revoke"', r.text).group(1)
    revoked = manager.post(f"/screens/{screen_id}/revoke")
    assert revoked.status_code == 200 and "Đã thu hồi" in revoked.text
    assert anon.get(path + "/live").status_code == 401
    bad = manager.post("/screens", data={"name": "", "unit_id": str(tree.ham_lien)})
    assert bad.status_code in (403, 422)


def test_clerks_cannot_manage_screens(clerk, tree):
    assert clerk.get("/screens").status_code == 403
    assert clerk.post("/screens", data={"name": "X", "unit_id": str(tree.ham_tri)}).status_code == 403


def _count_renders(monkeypatch) -> list[int]:
    from app.ui import dashboard as ui

    calls: list[int] = []
    real = ui._render_parts

    def counted(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(ui, "_render_parts", counted)
    ui._rendered.clear()
    return calls


def test_screens_of_a_unit_get_the_parts_rendered_once(anon, db, tree, monkeypatch):
    """The parts of one set of figures are rendered once per process and way of showing them;
    every other screen of the unit gets the same bytes, and its own ETag answers 304."""
    renders = _count_renders(monkeypatch)
    first, second = _screen(db, tree.ham_tri), _screen(db, tree.ham_tri)
    a = anon.get(f"/screen/{first}/live")
    b = anon.get(f"/screen/{second}/live")
    assert a.status_code == b.status_code == 200 and a.content == b.content
    assert a.headers["ETag"] == b.headers["ETag"] and len(renders) == 1
    assert anon.get(f"/screen/{second}/live", headers={"If-None-Match": b.headers["ETag"]}).status_code == 304
    # Another way of showing the same figures is rendered on its own: a past year's screen,
    # and the current year named in the URL (its links would carry the year).
    year = time.localtime().tm_year
    named = anon.get(f"/screen/{first}/live?year={year}")
    assert named.status_code == 200 and len(renders) == 2
    past = anon.get(f"/screen/{first}/live?year=2020")
    assert past.status_code == 200 and past.headers["ETag"] != a.headers["ETag"] and len(renders) == 3
    assert "Năm 2020" in past.text and "Năm 2020" not in a.text


def test_parts_dropped_by_the_memo_are_read_and_rendered_again(anon, db, tree, monkeypatch):
    from app.ui import dashboard as ui

    renders = _count_renders(monkeypatch)
    secret = _screen(db, tree.ham_tri)
    a = anon.get(f"/screen/{secret}/live")
    # The memo still has the parts when the figures are looked up, and no longer when they
    # are to be sent (another request's parts pushed them out in between).
    real, lookups = ui._memo, []

    def forgetful(key):
        lookups.append(key)
        return real(key) if len(lookups) == 1 else None

    monkeypatch.setattr(ui, "_memo", forgetful)
    b = anon.get(f"/screen/{secret}/live")
    assert len(lookups) == 2 and len(renders) == 2
    assert b.status_code == 200 and b.content == a.content and b.headers["ETag"] == a.headers["ETag"]


def test_the_memo_keeps_the_newest_parts(monkeypatch):
    from app.ui import dashboard as ui

    monkeypatch.setattr(ui, "RENDERED_MAX", 3)
    monkeypatch.setattr(ui, "_rendered", ui.OrderedDict())
    for n in range(4):
        ui._remember((f"e{n}", "screen", False, None), f"<p>{n}</p>".encode())
    assert ui._memo(("e0", "screen", False, None)) is None
    assert ui._memo(("e1", "screen", False, None)) == b"<p>1</p>"  # now the newest used
    ui._remember(("e4", "screen", False, None), b"<p>4</p>")
    assert [k[0] for k in ui._rendered] == ["e3", "e1", "e4"]


def test_the_due_list_names_each_deadline(clerk, db, tree):
    """A petition never accepted is late to be accepted, one accepted late to be resolved: the
    due list says which deadline each date is (services/petitions/rules.py term_label)."""
    with db() as s:
        make_petition(s, unit_id=tree.ham_tri, received_date="2024-03-01", subject="Chưa thụ lý")
        make_petition(s, unit_id=tree.ham_tri, received_date="2024-03-01", subject="Đã thụ lý",
                      status="accepted", accepted_date="2024-03-05")
    due = clerk.get("/dashboard").text.split('id="part-due"')[1].split("</section>")[0]
    waiting = next(li for li in due.split("<li") if "Chưa thụ lý" in li)
    accepted = next(li for li in due.split("<li") if "Đã thụ lý" in li)
    assert "hạn thụ lý 11/03/2024" in waiting and "hạn giải quyết" not in waiting
    assert "hạn giải quyết 04/04/2024" in accepted and "hạn thụ lý" not in accepted
