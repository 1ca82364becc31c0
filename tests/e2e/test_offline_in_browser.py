"""A commune clerk whose link drops (issue 21), in Chromium with a profile on disk: signs in
once, loses the link, enters three records and an edit, closes the browser, opens it again
still offline, the server restarts, the session has ended and the outbox asks to sign in
again, then each record is saved exactly once; the refused one is corrected and sent; the edit
that met a newer version is resolved side by side; signing out with a record waiting asks
first, sends it, and leaves nothing on the machine."""

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import update

from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.users import ApiToken
from app.db.works import Work
from app.enums import Role
from app.services import auth
from tests.conftest import login
from tests.e2e.axe import audit
from tests.e2e.conftest import CLERK, shot
from tests.e2e.journey import _lock, nav
from tests.e2e.offline import (Server, app_server, count, kept, open_browser, open_edit,  # noqa: F401
                               pick_unit, saved_here, sign_in, waiting)
from tests.factories import PASSWORD, make_work


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
