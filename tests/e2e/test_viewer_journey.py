"""A viewer's journey, only by clicking: the dashboard, the petitions' list and its filter bar,
a petition, its record view, and a model. On every page, each control that would write is
absent (signing out aside): a viewer is offered nothing that would refuse them."""

import pytest

from app.enums import Role
from app.services import auth
from tests.e2e.conftest import shot
from tests.e2e.journey import nav, sign_in
from tests.factories import PASSWORD, make_model, make_petition, make_tree

# Every control that would send a write: a submit button of a form that posts (by method or
# htmx), or an element other than a form with an htmx write (a form sends only by its buttons,
# or by Enter in a field, and a form with neither is a read-only view). Hidden ones count too
# (a click may reveal them).
WRITE_CONTROLS = """() => [...document.querySelectorAll(
    'button, input[type=submit], input[type=image], :not(form):is([hx-post], [hx-put], [hx-patch], [hx-delete])')]
  .filter(e => !e.disabled && !e.closest('fieldset[disabled]'))
  .map(e => {
    const own = ['hx-post', 'hx-put', 'hx-patch', 'hx-delete'].map(a => e.getAttribute(a)).find(Boolean);
    const f = (e.tagName === 'BUTTON' || e.tagName === 'INPUT') && e.type !== 'button' ? e.form : null;
    const posts = f && ((f.getAttribute('method') || 'get').toLowerCase() === 'post' || f.hasAttribute('hx-post'));
    const to = own || (posts ? (f.getAttribute('hx-post') || f.getAttribute('action')) : null);
    return to ? `${(e.innerText || e.value || e.tagName).trim()} → ${to}` : null;
  }).filter(Boolean)"""
OWN = ("→ /logout",)  # signing out is theirs to use


def writes_offered(page) -> list[str]:
    return [c for c in page.evaluate(WRITE_CONTROLS) if not c.endswith(OWN)]


@pytest.fixture
def viewer(db) -> str:
    with db() as s:
        tree = make_tree(s)
        make_petition(s, unit_id=tree.ham_tri, subject="Tranh chấp lối đi chung", received_date="2026-11-20")
        make_model(s, unit_id=tree.ham_tri, name="Đội dân phòng")
        auth.create_user(s, username="nguoixem", password=PASSWORD, role=Role.viewer, unit_code="T-HT")
    return "nguoixem"


def test_viewer_reads_a_petition_and_meets_no_control_that_would_fail(journey, viewer):
    page = journey
    sign_in(page, viewer)
    assert writes_offered(page) == []
    nav(page, "Đơn thư")
    assert writes_offered(page) == []
    page.select_option("#q-type", label="Khiếu nại")  # the filter bar answers by itself (htmx)
    page.wait_for_load_state("networkidle")
    assert "Tranh chấp lối đi chung" in page.locator("#list").inner_text()
    page.locator("#list").get_by_role("link", name="Mở").first.click()
    page.wait_for_load_state()
    assert "Tranh chấp lối đi chung" in page.locator("h1").inner_text()
    facts = page.locator(".facts").inner_text()  # not yet accepted: the deadline to accept
    assert "Hạn thụ lý" in facts and "Hạn giải quyết" not in facts
    assert writes_offered(page) == []
    assert page.get_by_role("button", name="Thụ lý").count() == 0
    assert page.locator("text=Gia hạn giải quyết").count() == 0
    assert "Tài khoản của bạn chỉ được xem" in page.locator("aside").inner_text()  # told why
    shot(page, "viewer-petition")

    page.get_by_role("link", name="← Danh sách đơn thư").click()
    page.wait_for_load_state()
    page.locator("#list").get_by_title("Xem, lịch sử").first.click()
    page.wait_for_load_state()
    assert "Xem đơn thư số" in page.locator("#entry-form h2").inner_text()
    assert writes_offered(page) == []
    shot(page, "viewer-petition-record")

    nav(page, "Mô hình")
    page.locator("#list").get_by_role("link", name="Mở").first.click()
    page.wait_for_load_state()
    assert "Đội dân phòng" in page.locator("h1").inner_text()
    assert writes_offered(page) == []
    shot(page, "viewer-model")
