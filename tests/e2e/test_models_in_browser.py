"""A commune clerk, in a real browser: signs in, makes a mistake on the models form, sees it
explained next to the field, corrects it, and finds the new model in the list."""

import re

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
