"""In a real browser: a manager takes a model through evaluation to recognition, and a clerk
walks a complaint from received to resolved, using only the buttons the pages offer."""

import re

from app import vn
from app.enums import Role
from app.services import auth
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_model, make_petition, make_tree


def _sign_in(page, username: str, to: str) -> None:
    page.goto(to)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(to) + "$"))


def test_manager_recognises_a_model(page, db):
    with db() as s:
        tree = make_tree(s)
        m = make_model(s, unit_id=tree.lam_giang, name="Đội dân phòng", start_date="2019-03-01")
        auth.create_user(s, username="lanhdao", password=PASSWORD, role=Role.manager, unit_code="T-HT")
    _sign_in(page, "lanhdao", f"/models/{m.id}")
    page.get_by_role("button", name="Bắt đầu thực hiện").click()
    # The page's forms go by htmx: wait for what the reloaded page shows, not for a navigation.
    page.locator(".facts").get_by_text("Đang thực hiện").wait_for()
    form = page.locator("form.evaluate")
    for i, field in enumerate(form.locator("input[name^=score_]").all()):
        field.fill(str(10 + i))
    form.get_by_role("button", name="Lưu điểm").click()
    page.locator(".facts").get_by_text("60 điểm").wait_for()  # 10+11+12+13+14
    assert page.locator(".notice.error").count() == 0, page.locator(".notice.error").inner_text()
    shot(page, "model-evaluated")
    page.select_option("#f-level", "district")
    page.fill("#f-decision_no", "125/QĐ-UBND")
    page.get_by_role("button", name="Công nhận", exact=True).click()
    page.locator(".facts").get_by_text("125/QĐ-UBND").wait_for()
    facts = page.locator(".facts").inner_text()
    assert "Được công nhận" in facts and "125/QĐ-UBND" in facts
    shot(page, "model-recognised")


def test_clerk_walks_a_complaint_to_resolved(page, db):
    today = vn.today()  # the page counts in Vietnam's date
    with db() as s:
        tree = make_tree(s)
        p = make_petition(s, unit_id=tree.ham_tri, received_date=str(today), subject="Tranh chấp lối đi")
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    _sign_in(page, "canbo", f"/petitions/{p.id}")
    assert "còn 10 ngày" in page.content()
    page.get_by_role("button", name="Thụ lý", exact=True).click()
    # The page's forms go by htmx: wait for what the reloaded page shows, not for a navigation.
    page.locator(".facts").get_by_text("Đã thụ lý").wait_for()
    page.fill("#f-outcome", "Hai hộ đã thống nhất lối đi chung")
    page.get_by_role("button", name="Đã giải quyết xong").click()
    page.get_by_text("Hồ sơ đã kết thúc").wait_for()
    shot(page, "petition-resolved")
