"""A commune clerk in a real browser (Chromium through Playwright): records a work, typing its
cost as plain digits and watching them grouped the Vietnamese way; gives to it, choosing the
work from a picker that offers only the works of the chosen unit's line of the tree; records
the land donated for it; opens the work's page and finds the totals; makes a mistake on a form,
reads what is wrong next to the field, corrects it; and searches lists without diacritics."""

import re
from typing import Any

import pytest

from app.enums import Role
from app.services import auth
from tests.e2e.conftest import shot
from tests.factories import PASSWORD, make_petition, make_tree, make_work

CLERK = "canbo.hamtri"


def check(condition: Any, what: str) -> None:
    assert condition, what


def _sign_in(page: Any, to: str) -> None:
    page.goto(to)
    check("/login" in page.url, "not sent to sign in first")
    page.fill("#username", CLERK)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(to) + "$"))


def _console_errors(page: Any) -> list[str]:
    """What the page logs as errors; a 4xx answer to a form is the form working."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _saved_number(page: Any, one: str) -> int:
    page.locator("#entry-form .notice").first.wait_for()
    text = page.locator("#entry-form").inner_text()
    match = re.search(rf"Đã lưu {one} số (\d+)\.", text)
    check(match, f"no saved notice for {one}: {text!r}")
    return int(match.group(1))


def _pick_unit(form: Any, name: str) -> None:
    value = form.locator("#f-unit_id option", has_text=name).first.get_attribute("value")
    form.locator("#f-unit_id").select_option(value)


def _pick_unit_for_picker(page: Any, name: str) -> dict[str, str]:
    """Choose the form's unit and wait for the work picker to be filled again for it."""
    with page.expect_response(lambda r: "/choices?" in r.url and "field=work_id" in r.url) as answer:
        _pick_unit(page.locator("#entry-form"), name)
    check(answer.value.status == 200, f"the picker's request failed: {answer.value.status}")
    page.wait_for_selector("#entry-form #f-work_id:not(.htmx-request)")
    page.wait_for_function("() => !document.querySelector('#f-work_id')"
                           ".textContent.includes('chọn đơn vị trước')")
    return _offered(page)


def _type_money(page: Any, selector: str, digits: str, expect: dict[int, str]) -> None:
    """Type digits one key at a time, checking the grouping after some of them."""
    field = page.locator(selector)
    field.click()
    for i, digit in enumerate(digits, start=1):
        field.press(digit)
        if i in expect:
            shown = field.input_value()
            check(shown == expect[i], f"after {digits[:i]!r} the field shows {shown!r}, "
                                      f"not {expect[i]!r}")


def _offered(page: Any) -> dict[str, str]:
    options = page.locator("#entry-form #f-work_id option").all()
    return {o.get_attribute("value"): o.inner_text() for o in options if o.get_attribute("value")}


@pytest.fixture
def hamtri(db) -> Any:
    with db() as s:
        tree = make_tree(s)
        other = make_work(s, unit_id=tree.ham_lien, name="Đường xã Hàm Liêm",
                          completed_date="2021-05-01")
        auth.create_user(s, username=CLERK, password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    return tree, other.id


def _record_work_gifts_and_land(page: Any, other_work: int) -> int:
    _sign_in(page, "/works")
    shot(page, "records-works-empty")
    form = page.locator("#entry-form")
    form.locator("#f-name").fill("Đường bê tông thôn Lâm Giang")
    _pick_unit(form, "Lâm Giang")
    form.locator("#f-category").select_option("road_concrete")
    form.locator("#f-quantity").fill("2,4")
    form.locator("#f-measure").select_option("km")
    # 1500000 shows as 1.500.000 while it is typed; three more zeros make it 1,5 tỷ.
    _type_money(page, "#entry-form #f-total_cost_vnd", "1500000000",
                {1: "1", 4: "1.500", 5: "15.000", 7: "1.500.000", 10: "1.500.000.000"})
    shot(page, "records-work-typed")
    form.locator("#f-completed_date").fill("20/12/2021")
    form.locator("button[type=submit]").click()
    work_id = _saved_number(page, "công trình")
    check(page.locator(f"#list #works-{work_id}").count() == 1, "the new work is not listed")
    row = page.locator(f"#list #works-{work_id}").inner_text()
    check("1.500.000.000" in row and "Đường bê tông thôn Lâm Giang" in row, row)
    shot(page, "records-work-saved")

    # A gift to it: the picker is filled once the unit is chosen.
    page.goto("/contributions")
    form = page.locator("#entry-form")
    check("chọn đơn vị trước" in form.locator("#f-work_id").inner_text(), "picker before a unit")
    check(_offered(page) == {}, "works offered before a unit is chosen")
    offered = _pick_unit_for_picker(page, "Lâm Giang")
    check(offered == {str(work_id): f"Đường bê tông thôn Lâm Giang (số {work_id})"}, offered)
    # The commune's picker offers its village's work too, and still not Hàm Liêm's.
    offered = _pick_unit_for_picker(page, "Hàm Trí")
    check(str(work_id) in offered, offered)
    check(str(other_work) not in offered, f"another commune's work is offered: {offered}")
    _pick_unit_for_picker(page, "Lâm Giang")
    form.locator("#f-work_id").select_option(str(work_id))
    form.locator("#f-source").select_option("people")
    form.locator("#f-kind").select_option("cash")
    _type_money(page, "#entry-form #f-amount_vnd", "250000000", {9: "250.000.000"})
    form.locator("#f-contributor_name").fill("Nhân dân thôn Lâm Giang")
    form.locator("#f-date").fill("01/06/2021")
    shot(page, "records-contribution-typed")
    form.locator("button[type=submit]").click()
    _saved_number(page, "khoản đóng góp")
    listed = page.locator("#list").inner_text()
    check("250.000.000" in listed and "Nhân dân thôn Lâm Giang" in listed, listed)
    shot(page, "records-contribution-saved")

    # The land given for it.
    page.goto("/land-donations")
    form = page.locator("#entry-form")
    offered = _pick_unit_for_picker(page, "Lâm Giang")
    check(set(offered) == {str(work_id)}, offered)
    form.locator("#f-work_id").select_option(str(work_id))
    form.locator("#f-donor_name").fill("Hộ ông Trần Văn Bình")
    form.locator("#f-households").fill("2")
    form.locator("#f-area_m2").fill("500")
    _type_money(page, "#entry-form #f-value_vnd", "150000000", {9: "150.000.000"})
    form.locator("#f-date").fill("15/03/2021")
    # "Hồ sơ" (its status) left empty: it takes its default.
    form.locator("button[type=submit]").click()
    _saved_number(page, "hồ sơ hiến đất")
    shot(page, "records-land-saved")

    # The work's page adds it all up.
    page.goto(f"/works/{work_id}")
    facts = page.locator(".facts").inner_text()
    check("1,5 tỷ đồng" in facts, facts)  # the cost
    check("400 triệu đồng" in facts and "26,7%" in facts, facts)  # 250 triệu + 150 triệu of land
    check("2 hộ, 500 m², trị giá 150 triệu đồng" in facts, facts)
    by_source = page.locator("body").inner_text()
    check("Nhân dân" in by_source and "250 triệu đồng" in by_source, by_source)
    shot(page, "records-work-page")
    return work_id


def test_clerk_records_a_work_its_gift_and_its_land(page, hamtri):
    errors = _console_errors(page)
    _record_work_gifts_and_land(page, other_work=hamtri[1])
    assert not errors, errors


def test_clerk_makes_a_mistake_and_corrects_it(page, hamtri):
    errors = _console_errors(page)
    _sign_in(page, "/petitions")
    form = page.locator("#entry-form")
    form.locator("#f-received_date").fill("05/02/1900")  # 1900 for 2019: a slip of the keys
    _pick_unit(form, "Hàm Trí")
    form.locator("#f-type").select_option("complaint")
    form.locator("#f-subject").fill("Khiếu nại về lối đi chung")
    form.locator("#f-handler").fill("Nguyễn Văn Tâm")
    form.locator("#f-signers").fill("3")
    form.locator("button[type=submit]").click()
    error = page.locator("#entry-form .has-error small.error")
    error.first.wait_for()
    assert error.count() == 1
    assert page.locator("#entry-form .has-error #f-received_date").count() == 1  # next to it
    assert "01/01/1990" in error.first.inner_text()
    assert "Có ô nhập chưa đúng" in page.locator("#entry-form .notice.error").inner_text()
    kept = page.locator("#entry-form")
    assert kept.locator("#f-subject").input_value() == "Khiếu nại về lối đi chung"
    assert kept.locator("#f-handler").input_value() == "Nguyễn Văn Tâm"
    assert kept.locator("#f-type").input_value() == "complaint"
    assert kept.locator("#f-received_date").input_value() == "05/02/1900"  # as typed
    assert page.locator("#list table").count() == 0  # nothing saved
    shot(page, "records-petition-mistake")
    kept.locator("#f-received_date").fill("05/02/2019")
    kept.locator("button[type=submit]").click()
    page.locator("#list").get_by_text("Khiếu nại về lối đi chung").wait_for()
    assert "Đã lưu đơn thư số" in page.locator("#entry-form .notice.ok").inner_text()
    assert page.locator("#entry-form small.error").count() == 0
    assert page.locator("#entry-form #f-subject").input_value() == ""  # a fresh form
    assert "05/02/2019" in page.locator("#list").inner_text()
    assert page.url.endswith("/petitions")  # no full reload
    shot(page, "records-petition-saved")
    assert not errors, errors


def test_clerk_searches_without_diacritics(page, db, hamtri):
    tree = hamtri[0]
    with db() as s:
        make_work(s, unit_id=tree.ham_tri, name="Nhà văn hóa xã Hàm Trí")
        make_work(s, unit_id=tree.lam_giang, name="Đèn đường thôn Lâm Giang")
        make_petition(s, unit_id=tree.ham_tri, subject="Tranh chấp ranh giới đất",
                      handler="Nguyễn Văn Tâm")
        make_petition(s, unit_id=tree.ham_tri, subject="Phản ánh tiếng ồn", handler="Trần Thị Bình")
    errors = _console_errors(page)
    _sign_in(page, "/works")
    page.fill("#f-q", "ham tri")
    page.press("#f-q", "Enter")
    page.wait_for_url(re.compile(r"q=ham(\+|%20)tri"))
    listed = page.locator("#list")
    listed.get_by_text("Nhà văn hóa xã Hàm Trí").wait_for()
    assert "Đèn đường thôn Lâm Giang" not in listed.inner_text()
    assert "1 bản ghi" in listed.inner_text()
    shot(page, "records-works-search")

    page.goto("/petitions")
    page.fill("#f-q", "nguyen van")
    page.press("#f-q", "Enter")
    page.wait_for_url(re.compile(r"q=nguyen(\+|%20)van"))
    listed = page.locator("#list")
    listed.get_by_text("Tranh chấp ranh giới đất").wait_for()
    assert "Phản ánh tiếng ồn" not in listed.inner_text()
    assert "1 bản ghi" in listed.inner_text()
    shot(page, "records-petitions-search")
    # The search survives a reload: it is in the address.
    page.reload()
    assert page.locator("#f-q").input_value() == "nguyen van"
    assert "Phản ánh tiếng ồn" not in page.locator("#list").inner_text()
    assert not errors, errors
