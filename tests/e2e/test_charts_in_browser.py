"""The dashboards' month chart and the wall screen, measured in Chromium: the chart's value
labels keep clear of the neighbouring bars and of each other (1366×768 and 390×844), and the
wall screen is read across a room at 1920×1080: its headers at least 24 px, its month chart
with its values, and in a phase's first year the year's figures said once."""

from typing import Any

import pytest

from app.enums import Role
from app.services import auth, display_tokens
from app.services.actor import SYSTEM
from tests.e2e.conftest import shot
from tests.e2e.journey import sign_in
from tests.factories import PASSWORD, make_contribution, make_tree

# 2021 (a phase's first year), month → amount: large and small side by side (4,23 tỷ beside
# 972 triệu beside 7,88 tỷ), two small neighbours of the same height, a month of nothing.
AMOUNTS = {1: 7_880_000_000, 2: 972_000_000, 3: 4_230_000_000, 4: 3_360_000_000,
           5: 4_730_000_000, 6: 3_690_000_000, 7: 1_110_000_000, 8: 3_090_000_000,
           10: 620_000_000, 11: 690_000_000, 12: 1_050_000_000}


def _district(db: Any) -> Any:
    with db() as s:
        tree = make_tree(s)
        for month, amount in AMOUNTS.items():
            make_contribution(s, unit_id=tree.ham_tri, amount_vnd=amount, date=f"2021-{month:02}-15")
        make_contribution(s, unit_id=tree.lam_giang, amount_vnd=5_000_000, date="2024-03-01")
        auth.create_user(s, username="lanhdao.huyen", password=PASSWORD, role=Role.manager,
                         unit_code="T-HTB")
    return tree


# The month chart's boxes, as drawn: each value label with its month's bar.
_CHART = """() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const svg = document.querySelector('#part-trend svg');
  return {svg: box(svg), months: [...svg.querySelectorAll('g')].map(g => ({
    bar: box(g.querySelector('rect.bar')),
    label: g.querySelector('text.value') && {text: g.querySelector('text.value').textContent,
      shown: getComputedStyle(g.querySelector('text.value')).display !== 'none',
      ...box(g.querySelector('text.value'))}}))};
}"""


def _apart(a: dict[str, float], b: dict[str, float], gap: float = 1) -> bool:
    return (a["right"] + gap <= b["left"] or b["right"] + gap <= a["left"]
            or a["bottom"] + gap <= b["top"] or b["bottom"] + gap <= a["top"])


def _labels_clear(page: Any) -> list[str]:
    """Every value label shown, inside the chart, over its own bar, and clear of every other
    bar and label; returns the labels' texts."""
    chart = page.evaluate(_CHART)
    months = chart["months"]
    labelled = [(i, m["label"]) for i, m in enumerate(months) if m["label"]]
    for i, label in labelled:
        assert label["shown"] and label["text"].strip(), label
        assert chart["svg"]["left"] <= label["left"] and label["right"] <= chart["svg"]["right"], label
        assert label["bottom"] <= months[i]["bar"]["top"] + 1, (label, months[i]["bar"])
        for j, other in enumerate(months):
            if j != i and other["bar"]["right"] > other["bar"]["left"]:
                assert _apart(label, other["bar"]), (label["text"], "runs into the bar of month", j + 1)
        for j, other in labelled:
            if j != i:
                assert _apart(label, other), (label["text"], "runs into", other["text"])
    return [label["text"] for _, label in labelled]


@pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)
def test_the_month_chart_s_labels_clear_the_neighbouring_bars(journey, db):
    _district(db)
    page = journey
    sign_in(page, "lanhdao.huyen")  # lands on the district's dashboard
    page.select_option("#f-year", label="Năm 2021")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    trend = page.locator("#part-trend")
    assert "đơn vị: tỷ đồng" in trend.locator("h2").inner_text()
    texts = _labels_clear(page)
    assert texts == ["7,88", "0,97", "4,23", "3,36", "4,73", "3,69", "1,11", "3,09", "0,62",
                     "0,69", "1,05"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, f"dashboard-chart-{page.viewport_size['width']}")


def _screen(chromium: Any, server: str, secret: str, year: int) -> Any:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server}/screen/{secret}?year={year}")
    page.locator("#part-trend").wait_for()
    return page


# Every header on show (panel titles, their dates, the tables' column heads) and its size.
_HEADERS = """() => [...document.querySelectorAll('[data-part] h2, [data-part] h2 small, [data-part] th')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])"""


def test_the_wall_screen_is_read_across_a_room(chromium, server, db):
    tree = _district(db)
    with db() as s:
        _, secret = display_tokens.create(s, actor=SYSTEM, data=display_tokens.DisplayTokenCreate(
            name="Phòng họp huyện", unit_id=tree.district))
    page = _screen(chromium, server, secret, 2021)
    headers = page.evaluate(_HEADERS)
    assert len(headers) >= 10 and any("Huy động" in text for text, _ in headers)
    assert [h for h in headers if h[1] < 24] == [], "headers under 24 px at 1920×1080"
    assert _labels_clear(page)[:3] == ["7,9", "1", "4,2"]  # its values, shown, on the wall too
    # 2021 opens the phase 2021–2025: the year's figures once, the phase in one line.
    assert page.locator("#part-year .tile").count() == 6
    assert page.locator("#part-phase .tile").count() == 0
    assert "năm đầu của giai đoạn" in page.locator("#part-phase").inner_text()
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    shot(page, "screen-first-year-1920x1080")
    page.context.close()

    later = _screen(chromium, server, secret, 2024)  # the phase has years of its own
    assert later.locator("#part-phase .tile").count() == 6
    assert "Giai đoạn 2021–2025" in later.locator("#part-phase h2").inner_text()
    later.context.close()
