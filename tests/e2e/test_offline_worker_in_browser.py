"""The service worker in Chromium (issue 21): a second clerk on the same machine never gets
the first one's pages, and a sign-out without a link leaves nothing and ends the session once
the link is back; a large tree's unit search works offline; a send cut in the middle saves
once."""

import re
import time
from typing import Any

from sqlalchemy import select

from app.db.land_donations import LandDonation
from app.db.users import ApiToken
from app.enums import Role
from app.services import auth
from tests.e2e.conftest import CLERK, shot
from tests.e2e.journey import _lock, nav
from tests.e2e.offline import (Server, app_server, count, kept, open_browser,  # noqa: F401
                               saved_here, sign_in, waiting)
from tests.factories import PASSWORD, make_work


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
