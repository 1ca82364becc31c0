"""A commune clerk, in a real browser: signs in, makes a mistake on the models form, sees it
explained next to the field, corrects it, and finds the new model in the list."""

import re

from playwright.sync_api import expect

from app.enums import Role
from app.services import auth
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_model, make_tree


def test_clerk_adds_a_model(page, db):
    with db() as s:
        make_tree(s)
        auth.create_user(s, username="canbo.hamtri", password=PASSWORD, role=Role.clerk,
                         unit_code="T-HT")
    page.goto("/models")
    assert "/login" in page.url  # sent to sign in first
    page.fill("#username", "canbo.hamtri")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/models$"))
    shot(page, "models-empty")
    form = page.locator("#entry-form")
    form.locator("#f-name").fill("Chức sắc tham gia giữ gìn an ninh – trật tự")
    village = form.locator("#f-unit_id option", has_text="Lâm Giang").get_attribute("value")
    form.locator("#f-unit_id").select_option(village)
    form.locator("#f-field").select_option("defense_security")
    form.locator("#f-org_type").select_option("fatherland_front")
    form.locator("#f-start_date").fill("1900-01-01")  # a typing mistake
    form.locator("#f-members").fill("27")
    form.locator("button[type=submit]").click()
    error = page.locator("#entry-form small.error")
    error.first.wait_for()
    assert "01/01/1990" in error.first.inner_text()
    assert page.locator("#entry-form #f-name").input_value().startswith("Chức sắc")  # kept
    shot(page, "models-error")
    page.locator("#entry-form #f-start_date").fill("02/03/2017")
    page.locator("#entry-form button[type=submit]").click()
    page.locator("#list").get_by_text("Chức sắc tham gia giữ gìn an ninh – trật tự").wait_for()
    assert "Đã lưu mô hình" in page.locator("#entry-form .notice.ok").inner_text()
    assert page.url.endswith("/models")  # no full reload
    shot(page, "models-saved")


def test_a_refused_score_sheet_leaves_the_address_of_the_models_page(page, db):
    """A manager scores a model, one score over its maximum: the sheet comes back with the
    message in place, the address is still the model's page, and a reload only reloads it
    (no form sent again, no 405); the corrected sheet is saved."""
    with db() as s:
        tree = make_tree(s)
        model = make_model(s, unit_id=tree.ham_tri, status="in_progress",
                           name="Dân vận khéo trong xây dựng đường giao thông")
        auth.create_user(s, username="lanhdao.hamtri", password=PASSWORD, role=Role.manager,
                         unit_code="T-HT")
    page.goto("/models")
    page.fill("#username", "lanhdao.hamtri")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/models$"))
    page.locator(f'#list a[href="/models/{model.id}"]').click()
    page.wait_for_url(re.compile(rf"/models/{model.id}$"))
    sheet = page.locator("form.evaluate")
    scores = sheet.locator("input[name^=score_]")
    for i in range(scores.count()):
        scores.nth(i).fill("1")
    scores.last.fill("1000")
    sheet.get_by_role("button", name="Lưu điểm").click()
    page.locator("p.notice.error").wait_for()
    assert "từ 0 đến" in page.locator("p.notice.error").inner_text()
    assert page.locator("form.evaluate input[name^=score_]").last.input_value() == "1000"  # kept
    assert page.url.endswith(f"/models/{model.id}")
    # Beside the score it is about, which takes the focus and is brought into view.
    refused = page.locator("form.evaluate input[name^=score_]").last
    assert refused.get_attribute("aria-invalid") == "true"
    beside = page.locator("form.evaluate .field.has-error small.error")
    assert beside.count() == 1 and "từ 0 đến" in beside.inner_text()
    expect(refused).to_be_focused()
    shot(page, "model-score-refused")
    response = page.reload()
    assert response is not None and response.status == 200 and response.request.method == "GET"
    assert page.locator("h1").inner_text() == "Dân vận khéo trong xây dựng đường giao thông"
    assert page.locator("p.notice.error").count() == 0
    page.locator("form.evaluate input[name^=score_]").last.fill("1")
    for i in range(page.locator("form.evaluate input[name^=score_]").count() - 1):
        page.locator("form.evaluate input[name^=score_]").nth(i).fill("1")
    page.locator("form.evaluate").get_by_role("button", name="Lưu điểm").click()
    page.locator("ul.history li").first.wait_for()
    assert page.url.endswith(f"/models/{model.id}")
    # A step's button is sent through htmx too, with its own value (the step it takes).
    page.locator("form").filter(has_text="Bước tiếp theo").get_by_role(
        "button", name="Kết luận không công nhận").click()
    page.get_by_text("Không công nhận", exact=True).wait_for()
    assert page.url.endswith(f"/models/{model.id}")


def test_on_a_phone_a_refused_extension_is_shown_where_the_eye_is(chromium, server, db):
    """390 px wide: the petition page's extension form is far down; refused, the field it
    is about is marked, focused and scrolled into view, with its message beside it."""
    from tests.factories import make_petition

    with db() as s:
        tree = make_tree(s)
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03")
        auth.create_user(s, username="canbo.giahan", password=PASSWORD, role=Role.clerk,
                         unit_code="T-HT")
    context = chromium.new_context(base_url=server, viewport={"width": 390, "height": 844},
                                   locale="vi-VN", is_mobile=True)
    page = context.new_page()
    try:
        page.goto("/petitions")
        page.fill("#username", "canbo.giahan")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/petitions$"))
        page.locator(f'#list a[href="/petitions/{p.id}"]').first.click()
        page.wait_for_url(re.compile(rf"/petitions/{p.id}$"))
        extend = page.locator("form.extend")
        extend.get_by_label("Số ngày", exact=False).fill("45")
        extend.get_by_label("Ngày quyết định").fill("05/01/2024")
        extend.get_by_role("button", name="Gia hạn").click()
        days = page.locator("form.extend input[name=days]")
        expect(days).to_be_focused()
        assert days.get_attribute("aria-invalid") == "true"
        assert "từ 1 đến 30 ngày" in page.locator("form.extend .has-error small.error").inner_text()
        assert page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight; }""")
        assert page.url.endswith(f"/petitions/{p.id}")
        shot(page, "petition-extension-refused-phone")
    finally:
        context.close()
