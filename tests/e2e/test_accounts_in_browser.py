"""A commune manager adds accounts only by clicking: the form offers no unit-less account and
their own role only for units below; chosen at their own unit anyway, the reason stands beside
the role. A clerk then reads a denunciation's history with no trace of its denouncer."""

import re

import pytest

from app.enums import Role
from app.services import auth
from tests.e2e.conftest import shot
from tests.e2e.journey import nav, sign_in
from tests.factories import PASSWORD, make_petition, make_tree


@pytest.fixture
def commune(db):
    with db() as s:
        tree = make_tree(s)
        auth.create_user(s, username="lanhdao.hamtri", password=PASSWORD, role=Role.manager,
                         unit_code="T-HT")
        auth.create_user(s, username="canbo.hamtri", password=PASSWORD, role=Role.clerk,
                         unit_code="T-HT")
    return tree


@pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)
def test_a_manager_cannot_make_a_peer_and_is_told_why(journey, commune, request):
    page = journey
    size = request.node.callspec.params["journey"]
    sign_in(page, "lanhdao.hamtri")
    nav(page, "Tài khoản")
    roles = page.locator("#f-role option").all_inner_texts()
    assert roles == ["Lãnh đạo (chỉ cho đơn vị cấp dưới)", "Cán bộ nhập liệu", "Xem"]
    units = page.locator("#f-unit_id option").all_inner_texts()
    assert units[0] == "— chọn đơn vị —" and not any("quản trị" in u for u in units)
    page.fill("#f-username", "phochutich")
    page.fill("#f-full_name", "Trần Văn Phó")
    page.select_option("#f-role", label="Lãnh đạo (chỉ cho đơn vị cấp dưới)")
    page.select_option("#f-unit_id", label="Hàm Trí")
    page.fill("#f-password", "mat-khau-dai-du")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.locator("#user-form").get_by_text("lãnh đạo cùng cấp").first.wait_for()
    reason = page.locator("#user-form").inner_text()
    assert "lãnh đạo cùng cấp" in reason, reason
    shot(page, f"accounts-peer-refused-{size}")
    # Below their unit, the same role is theirs to give.
    page.fill("#f-password", "mat-khau-dai-du")
    option = page.locator("#f-unit_id option").filter(has_text=re.compile(r"Lâm Giang")).first
    page.select_option("#f-unit_id", option.get_attribute("value"))
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.get_by_text("Đã tạo tài khoản “phochutich”.").wait_for()
    shot(page, f"accounts-created-below-{size}")


def test_a_clerk_reads_a_denunciations_history_without_its_denouncer(journey, commune, db, server):
    with db() as s:
        p = make_petition(s, unit_id=commune.ham_tri, type="denunciation", subject="Tố cáo cán bộ thôn",
                          petitioner_name="Người Tố Cáo Kín", petitioner_address="Nhà số 7")
    import httpx

    from tests.conftest import carry_csrf

    with httpx.Client(base_url=server) as manager:
        manager.post("/login", data={"username": "lanhdao.hamtri", "password": PASSWORD, "next": "/"})
        carry_csrf(manager)
        r = manager.post(f"/petitions/{p.id}", headers={"HX-Request": "true"}, data={
            "received_date": "06/05/2019", "unit_id": str(commune.ham_tri), "type": "denunciation",
            "subject": "Tố cáo cán bộ thôn", "petitioner_name": "Người Khác", "version": "1"})
        assert r.status_code == 200, r.text
    page = journey
    sign_in(page, "canbo.hamtri")
    nav(page, "Đơn thư")
    page.locator("tr", has_text="Tố cáo cán bộ thôn").get_by_role("link", name="Mở").click()
    page.wait_for_load_state()
    text = page.locator("body").inner_text()
    assert "Lịch sử thay đổi" in text, text[:2000]
    history = text[text.index("Lịch sử thay đổi"):]
    assert "Người gửi" not in history and "bảo mật" not in history and "sửa" not in history, history
    shot(page, "petition-history-clerk")
