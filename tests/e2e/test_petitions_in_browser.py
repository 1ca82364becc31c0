"""A manager, in a real browser, on a petition's page: a refused step comes back in place and
the address stays the petition's, so a reload only reloads; the corrected step is taken."""

import re
from datetime import timedelta

from app import vn
from app.enums import Role
from app.services import auth
from tests.e2e.conftest import shot
from tests.e2e.journey import nav, sign_in
from tests.factories import PASSWORD, make_petition, make_tree


def test_a_refused_step_leaves_the_address_of_the_petitions_page(journey, db):
    page = journey
    received = vn.today() - timedelta(days=3)  # the page counts in Vietnam's date
    with db() as s:
        tree = make_tree(s)
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date=str(received),
                          subject="Tố cáo việc lấn chiếm lối đi chung", petitioner_name="Người Tố Cáo")
        auth.create_user(s, username="lanhdao.hamtri", password=PASSWORD, role=Role.manager,
                         unit_code="T-HT")
    sign_in(page, "lanhdao.hamtri")
    nav(page, "Đơn thư")
    page.locator(f"#list #petitions-{p.id}").get_by_role("link", name="Mở").click()
    page.wait_for_url(re.compile(rf"/petitions/{p.id}$"))
    facts = page.locator(".facts")
    assert "Người Tố Cáo" in facts.inner_text()  # a manager sees who denounced
    form = page.locator("form.step")
    form.locator("#f-date").fill("hôm qua")  # not a date
    form.locator("#f-note").fill("Đã mời hai hộ lên làm việc")
    form.get_by_role("button", name="Thụ lý", exact=True).click()
    page.locator("p.notice.error").wait_for()
    assert "Ngày không hợp lệ" in page.locator("p.notice.error").inner_text()
    assert page.url.endswith(f"/petitions/{p.id}")  # not the form's /steps
    assert page.locator("form.step #f-note").input_value() == "Đã mời hai hộ lên làm việc"  # kept
    assert "Người Tố Cáo" in page.locator(".facts").inner_text()  # the page shown again is the same
    shot(page, "petition-step-refused")
    response = page.reload()
    assert response is not None and response.status == 200 and response.request.method == "GET"
    assert page.locator("h1").inner_text().endswith("Tố cáo việc lấn chiếm lối đi chung")
    assert page.locator("p.notice.error").count() == 0
    form = page.locator("form.step")
    assert form.locator("#f-date").input_value() == vn.print_date(vn.today())
    form.locator("#f-note").fill("Đã mời hai hộ lên làm việc")
    form.get_by_role("button", name="Thụ lý", exact=True).click()
    page.locator(".facts").get_by_text("Đã thụ lý").wait_for()
    assert page.url.endswith(f"/petitions/{p.id}")
    assert page.locator("p.notice.error").count() == 0
    assert "Đã mời hai hộ lên làm việc" in page.locator("ul.history").inner_text()
    shot(page, "petition-step-taken")
