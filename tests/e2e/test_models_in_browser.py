"""A commune clerk, in a real browser: signs in, makes a mistake on the models form, sees it
explained next to the field, corrects it, and finds the new model in the list."""

import re

from app.enums import Role
from app.services import auth
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_tree


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
