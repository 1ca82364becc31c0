"""A commune clerk whose link drops (issue 21), in Chromium with a profile on disk: signs in
once, loses the link, enters three records and an edit, closes the browser, opens it again
still offline, the server restarts, the session has ended and the outbox asks to sign in
again, then each record is saved exactly once;
the refused one is corrected and sent; the edit that met a newer version is resolved side by
side; signing out with a record waiting asks first. And a second user on the same machine
never gets the first one's pages from the service worker."""

import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.users import ApiToken
from app.db.works import Work
from app.enums import Role
from app.services import auth
from tests.conftest import _free_port, login
from tests.e2e.axe import audit
from tests.e2e.conftest import CLERK, shot
from tests.e2e.journey import _lock, nav
from tests.e2e.offline import WARM, Server, open_browser
from tests.factories import PASSWORD, make_work


@pytest.fixture
def app_server(engine: Any) -> Any:
    server = Server(_free_port())
    server.start()
    yield server
    server.stop()


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    kept(page, WARM, username)


def kept(page: Any, check: str, arg: Any) -> None:
    """Wait until the async `check` holds (wait_for_function takes a promise for true)."""
    deadline = time.monotonic() + 20
    while not page.evaluate(check, arg):
        assert time.monotonic() < deadline, f"never held: {check}"
        time.sleep(0.1)


def count(db: Any, table: Any, **where: Any) -> int:
    with db() as s:
        stmt = select(func.count()).select_from(table)
        for k, v in where.items():
            stmt = stmt.where(getattr(table, k) == v)
        return int(s.execute(stmt).scalar_one())


def pick_unit(form: Any, name: str) -> None:
    value = form.locator("#f-unit_id option", has_text=name).first.get_attribute("value")
    form.locator("#f-unit_id").select_option(value)


def waiting(page: Any, n: int) -> None:
    badge = page.locator("[data-outbox-badge]")
    if n:
        badge.filter(has_text=f"Chờ gửi: {n}").wait_for()
    else:
        badge.wait_for(state="hidden")


def open_edit(page: Any, name: str) -> None:
    """The list's row of `name`: its number opens the record's edit form."""
    row = page.locator("#list tr", has_text=name).first
    row.get_by_role("link", name=re.compile(r"^#\d+$")).click()
    page.locator("#entry-form h2", has_text="Sửa").wait_for()


def saved_here(page: Any) -> None:
    page.locator("#entry-form [data-outbox-notice]", has_text="Đã lưu trên máy này").wait_for()


def enter_offline(page: Any, road: str) -> None:
    """Three new records and one edit, with the link down."""
    nav(page, "Công trình")
    form = page.locator("#entry-form")
    form.locator("#f-name").fill(road)
    pick_unit(form, "Lâm Giang")
    form.locator("#f-category").select_option("road_concrete")
    form.locator("#f-total_cost_vnd").fill("350000000")
    form.get_by_role("button", name="Lưu").click()
    saved_here(page)
    waiting(page, 1)

    nav(page, "Đóng góp")
    form = page.locator("#entry-form")
    pick_unit(form, "Hàm Trí")  # the work picker fills from the clerk's subtree kept offline
    offered = form.locator("#f-work_id option", has_text="Cầu Lâm Giang")
    offered.wait_for(state="attached")
    form.locator("#f-work_id").select_option(offered.get_attribute("value"))
    form.locator("#f-source").select_option("people")
    form.locator("#f-kind").select_option("cash")
    form.locator("#f-amount_vnd").fill("5000000")
    form.locator("#f-contributor_name").fill("Nhân dân thôn Lâm Giang")
    form.locator("#f-date").fill("01/06/2021")
    form.get_by_role("button", name="Lưu").click()
    saved_here(page)
    waiting(page, 2)

    nav(page, "Hiến đất")  # a slip: a date years ahead, which the server will refuse
    form = page.locator("#entry-form")
    pick_unit(form, "Lâm Giang")
    form.locator("#f-donor_name").fill("Hộ ông Trần Văn Bình")
    form.locator("#f-area_m2").fill("500")
    form.locator("#f-date").fill("15/03/2091")
    form.get_by_role("button", name="Lưu").click()
    saved_here(page)
    waiting(page, 3)

    nav(page, "Đơn thư")  # a denunciation's petitioner is never kept on the machine
    form = page.locator("#entry-form")
    form.locator("[data-offline-note]").wait_for()
    form.locator("#f-received_date").fill("05/02/2021")
    pick_unit(form, "Hàm Trí")
    form.locator("#f-type").select_option("denunciation")
    form.locator("#f-subject").fill("Tố cáo lấn chiếm đất công")
    form.locator("#f-petitioner_name").fill("Nguyễn Văn Tố")
    form.get_by_role("button", name="Lưu").click()
    page.locator("#entry-form [data-outbox-notice]", has_text="được bảo mật").wait_for()
    waiting(page, 3)

    nav(page, "Công trình")  # the edit of a work opened online before the link dropped
    open_edit(page, "Cầu Lâm Giang")
    form = page.locator("#entry-form")
    form.locator("#f-name").fill("Cầu Lâm Giang (bản của xã)")
    form.get_by_role("button", name="Lưu thay đổi").click()
    saved_here(page)
    waiting(page, 4)


def test_offline_entry_survives_close_restart_and_is_saved_once(chromium: Any, app_server: Server,
                                                                 db: Any, tmp_path: Any) -> None:
    from tests.factories import make_tree

    with db() as s:
        tree = make_tree(s)
        auth.create_user(s, username=CLERK, password=PASSWORD, role=Role.clerk, unit_code="T-HT")
        bridge = make_work(s, name="Cầu Lâm Giang", unit_id=tree.lam_giang).id
    profile = str(tmp_path / "profile")
    road = "Đường bê tông xóm Bàu (nhập khi mất mạng)"

    context, page, errors = open_browser(chromium, profile, app_server.url)
    sign_in(page, CLERK)
    _lock(page)
    nav(page, "Công trình")  # the edit form of the bridge, opened once with the link up
    open_edit(page, "Cầu Lâm Giang")
    kept(page, "async (p) => !!(await (await caches.open('dvk-pages:" + CLERK
         + "')).match(location.origin + p))", f"/works/{bridge}/edit?__hx=1")

    context.set_offline(True)
    app_server.stop()  # the link is down for the worker too
    enter_offline(page, road)
    shot(page, "offline-badge-desktop")
    context.close()
    first_errors = errors

    # Reopened while still offline: the outbox is still there.
    context, page, errors = open_browser(chromium, profile, app_server.url)
    context.set_offline(True)
    page.goto("/works")  # the installed app's start page (manifest start_url)
    _lock(page)
    waiting(page, 4)

    app_server.start()  # the server restarts; someone at the district corrects the bridge
    with db() as s:
        auth.create_user(s, username="quanly", password=PASSWORD, role=Role.manager,
                         unit_code="T-HTB")
    api = login(app_server.url, "quanly")
    etag = api.get(f"/api/v1/works/{bridge}").headers["ETag"]
    r = api.patch(f"/api/v1/works/{bridge}", json={"name": "Cầu Lâm Giang (huyện sửa)"},
                  headers={"If-Match": etag})
    api.close()
    assert r.status_code == 200, r.text

    # The clerk's session ended while the link was down: the outbox asks to sign in again,
    # keeps everything meanwhile, and goes on after.
    with db() as s:
        s.execute(update(ApiToken).where(ApiToken.name == f"login {CLERK}")
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    context.set_offline(False)  # the link returns
    page.get_by_role("link", name="Phiên đăng nhập đã hết: đăng nhập lại để gửi").click()
    page.fill("#username", CLERK)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Bản ghi chờ gửi").wait_for()
    waiting(page, 2)  # two go, two stay
    assert count(db, Work, name=road) == 1
    assert count(db, Contribution, contributor_name="Nhân dân thôn Lâm Giang", work_id=bridge) == 1
    assert count(db, LandDonation) == 0

    refused = page.locator(".outbox-item.refused")
    refused.locator(".notice.error").first.wait_for()
    assert "sau hôm nay" in refused.inner_text() or "tương lai" in refused.inner_text(), refused.inner_text()
    conflict = page.locator(".outbox-item.conflict")
    assert "Cầu Lâm Giang (huyện sửa)" in conflict.inner_text(), conflict.inner_text()
    assert "Cầu Lâm Giang (bản của xã)" in conflict.inner_text()
    shot(page, "offline-outbox-desktop")
    problems = audit(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "offline-outbox-phone")
    problems += audit(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    assert not problems, problems

    conflict.get_by_role("button", name="Giữ bản của tôi").click()
    page.locator(".outbox-item.conflict").wait_for(state="detached")
    with db() as s:
        assert s.get(Work, bridge).name == "Cầu Lâm Giang (bản của xã)"

    refused.get_by_role("link", name=re.compile("Sửa bản ghi")).click()
    form = page.locator("#entry-form")
    form.locator("[data-outbox-notice]", has_text="Sửa bản ghi chờ gửi").wait_for()
    assert form.locator("#f-donor_name").input_value() == "Hộ ông Trần Văn Bình"
    shot(page, "offline-correct-desktop")
    form.locator("#f-date").fill("15/03/2021")
    form.get_by_role("button", name="Lưu").click()
    page.get_by_role("heading", name="Bản ghi chờ gửi").wait_for()
    page.locator("#outbox-empty").wait_for()
    waiting(page, 0)
    assert count(db, LandDonation, donor_name="Hộ ông Trần Văn Bình") == 1
    assert count(db, Work, name=road) == 1

    # Signing out with a record waiting asks first; sending it then signs out.
    context.set_offline(True)
    nav(page, "Đóng góp")
    form = page.locator("#entry-form")
    pick_unit(form, "Hàm Trí")
    form.locator("#f-source").select_option("business")
    form.locator("#f-kind").select_option("cash")
    form.locator("#f-amount_vnd").fill("2000000")
    form.locator("#f-contributor_name").fill("Công ty Bình Minh")
    form.locator("#f-date").fill("02/06/2021")
    form.get_by_role("button", name="Lưu").click()
    saved_here(page)
    waiting(page, 1)
    page.get_by_role("button", name="Đăng xuất").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("heading", name="Còn 1 bản ghi chờ gửi trên máy này").wait_for()
    shot(page, "offline-signout-desktop")
    assert not audit(page), audit(page)
    dialog.get_by_role("button", name="Gửi rồi đăng xuất").click()
    dialog.get_by_text("Chưa có kết nối").wait_for()
    context.set_offline(False)
    dialog.get_by_role("button", name="Gửi rồi đăng xuất").click()
    page.wait_for_url(re.compile("/login"))
    assert count(db, Contribution, contributor_name="Công ty Bình Minh") == 1
    left = page.evaluate("""async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('dvk-pages:'));
      const db = await new Promise((ok) => { const r = indexedDB.open('dvk-outbox', 1); r.onsuccess = () => ok(r.result); });
      const rows = await new Promise((ok) => { const q = db.transaction('records').objectStore('records').getAll(); q.onsuccess = () => ok(q.result); });
      return {names, rows: rows.length};
    }""")
    assert left == {"names": [], "rows": 0}, left
    context.close()
    # A 4xx answer to a form is the outbox at work; a request the link refused is the link.
    assert not [e for e in first_errors + errors if "Failed to load resource" not in e], errors


PAGES_KEPT = "async () => (await caches.keys()).filter((n) => n.startsWith('dvk-pages:'))"


def test_the_worker_never_serves_another_users_page(chromium: Any, app_server: Server, db: Any,
                                                    tmp_path: Any) -> None:
    from tests.factories import make_tree

    other = "canbo.hamliem"
    with db() as s:
        tree = make_tree(s)
        auth.create_user(s, username=CLERK, password=PASSWORD, role=Role.clerk, unit_code="T-HT")
        auth.create_user(s, username=other, password=PASSWORD, role=Role.clerk, unit_code="T-HL")
        make_work(s, name="Cầu Lâm Giang", unit_id=tree.lam_giang)
        make_work(s, name="Kênh thôn 1", unit_id=tree.thon_1)
    context, page, errors = open_browser(chromium, str(tmp_path / "profile"), app_server.url)
    sign_in(page, CLERK)
    nav(page, "Công trình")
    assert "Cầu Lâm Giang" in page.locator("#list").inner_text()

    # Another clerk signs in on the same machine, without the first signing out.
    sign_in(page, other)
    assert page.evaluate(PAGES_KEPT) == [f"dvk-pages:{other}"]
    context.set_offline(True)
    app_server.stop()
    nav(page, "Công trình")
    assert page.locator('meta[name="dvk-user"]').get_attribute("content") == other
    shown = page.locator("main").inner_text()
    assert "Kênh thôn 1" in shown and "Cầu Lâm Giang" not in shown, shown

    # Signed out without a link: nothing of the clerk's stays on the machine, the app opened
    # from its icon shows no one's page, and the server ends the session once the link is back.
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("heading", name="Mất kết nối").wait_for()
    assert page.evaluate(PAGES_KEPT) == []
    page.goto("/works")  # the manifest's start_url, as the installed app opens
    page.get_by_role("heading", name="Mất kết nối").wait_for()
    assert page.locator('meta[name="dvk-user"]').count() == 0
    assert "Kênh thôn 1" not in page.locator("body").inner_text()
    app_server.start()
    context.set_offline(False)
    page.goto("/works")
    page.wait_for_url(re.compile("/login"))
    with db() as s:
        tokens = s.execute(select(ApiToken).where(ApiToken.name == f"login {other}")).scalars().all()
        assert tokens and all(t.revoked_at is not None for t in tokens)
    kept(page, "async () => (await caches.keys()).filter((n) => n.startsWith('dvk-pages:')).length === 0", None)
    context.close()
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def test_a_large_trees_unit_search_works_offline(chromium: Any, app_server: Server, db: Any,
                                                 tmp_path: Any, monkeypatch: Any) -> None:
    """A province's clerk picks units by searching (the server's search, online); offline the
    search runs on the subtree kept on the machine; the link is cut in the middle of the send,
    and the record is still saved once."""
    from app.ui import unit_picker
    from tests.factories import make_tree

    monkeypatch.setattr(unit_picker, "THRESHOLD", 1)  # two units make a "large" tree here
    with db() as s:
        tree = make_tree(s)
        auth.create_user(s, username=CLERK, password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    context, page, errors = open_browser(chromium, str(tmp_path / "profile"), app_server.url)
    sign_in(page, CLERK)
    _lock(page)
    context.set_offline(True)
    app_server.stop()
    nav(page, "Hiến đất")
    form = page.locator("#entry-form")
    form.locator("#f-unit_id").fill("lam giang")
    form.get_by_role("radio", name=re.compile("Lâm Giang")).check()
    form.locator("#f-donor_name").fill("Hộ bà Lê Thị Hoa")
    form.locator("#f-area_m2").fill("120")
    form.locator("#f-date").fill("10/04/2021")
    form.get_by_role("button", name="Lưu", exact=True).click()
    saved_here(page)
    waiting(page, 1)
    shot(page, "offline-picker-search-desktop")

    # The link is cut in the middle of the send: the server saves the record, its answer is
    # lost on the way. The record stays, and sent again with its key it is not saved twice.
    lost: list[int] = []

    def cut(route: Any) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route(re.compile(r"/land-donations$"), cut)
    app_server.start()
    context.set_offline(False)
    deadline = time.monotonic() + 20
    while not lost:
        assert time.monotonic() < deadline, "the outbox never sent"
        page.wait_for_timeout(100)
    assert lost == [200]
    assert count(db, LandDonation, donor_name="Hộ bà Lê Thị Hoa") == 1
    waiting(page, 1)
    page.locator("[data-outbox-badge]").click()
    page.get_by_role("button", name="Gửi ngay").click()
    page.locator("#outbox-empty").wait_for()
    waiting(page, 0)
    assert count(db, LandDonation, donor_name="Hộ bà Lê Thị Hoa", unit_id=tree.lam_giang) == 1
    context.close()
    assert not [e for e in errors if "Failed to load resource" not in e], errors
