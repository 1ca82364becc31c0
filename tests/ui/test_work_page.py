"""A work's page shows its money: by source, labour, land, and the non-state share."""

import httpx
import pytest

from app.enums import Role
from tests.factories import make_contribution, make_land_donation, make_tree, make_work


@pytest.fixture
def clerk(sign_in, db) -> httpx.Client:
    with db() as s:
        make_tree(s)
    return sign_in("canbo", Role.clerk, "T-HT")


def test_work_money(clerk, db):
    with db() as s:
        from sqlalchemy import select

        from app.db.units import Unit

        ham_tri = s.exec(select(Unit.id).where(Unit.code == "T-HT")).scalar_one()
        village = s.exec(select(Unit.id).where(Unit.code == "T-LG")).scalar_one()
        w = make_work(s, unit_id=ham_tri, total_cost_vnd=1_000_000_000)
        make_contribution(s, unit_id=ham_tri, work_id=w.id, source="state_budget", amount_vnd=600_000_000)
        make_contribution(s, unit_id=village, work_id=w.id, source="people", amount_vnd=250_000_000)
        make_contribution(s, unit_id=village, work_id=w.id, source="people", kind="labor",
                          amount_vnd=None, labor_days=120)
        make_land_donation(s, unit_id=village, work_id=w.id, area_m2=500, value_vnd=150_000_000, households=2)
    page = clerk.get(f"/works/{w.id}").text
    assert "<strong>1 tỷ đồng</strong>" in page
    assert "400 triệu đồng" in page and "40,0%" in page  # 250 triệu + 150 triệu land
    assert "120" in page and "2 hộ, 500 m²" in page
    assert "600 triệu đồng" in page and "250 triệu đồng" in page


def test_work_page_names_its_place_and_adds_to_itself(clerk, db):
    """The work's page says where it is and opens the gift and land forms prefilled with it;
    a saved gift's notice leads back to the work."""
    from sqlalchemy import select

    from app.db.units import Unit

    with db() as s:
        village = s.exec(select(Unit.id).where(Unit.code == "T-LG")).scalar_one()
        w = make_work(s, unit_id=village, name="Đường thôn Lâm Giang")
    page = clerk.get(f"/works/{w.id}").text
    assert "Thôn Lâm Giang, xã Hàm Trí, huyện Hàm Thuận Bắc" in page
    for path, words in (("contributions", "Thêm đóng góp"), ("land-donations", "Thêm hiến đất")):
        link = f"/{path}/new?work_id={w.id}&amp;unit_id={village}"
        assert f'href="{link}">{words}</a>' in page
        form = clerk.get(link.replace("&amp;", "&")).text
        assert f'<option value="{village}" selected>' in form
        assert f'<option value="{w.id}" selected>' in form


def test_prefill_keeps_only_what_the_form_would_accept(clerk, db):
    from sqlalchemy import select

    from app.db.units import Unit

    with db() as s:
        ids = dict(s.exec(select(Unit.code, Unit.id)).all())
        mine = make_work(s, unit_id=ids["T-LG"], name="Đường của Hàm Trí")
        other = make_work(s, unit_id=ids["T-HL1"], name="Đường của Hàm Liêm")
    # Outside the clerk's commune: neither the unit nor its work is prefilled.
    form = clerk.get(f"/contributions/new?work_id={other.id}&unit_id={ids['T-HL1']}").text
    assert " selected>" not in form.split('id="f-unit_id"')[1].split("</select>")[0]
    assert f'value="{other.id}"' not in form
    # Unreadable or unknown values are ignored; the good ones stay.
    form = clerk.get(f"/contributions/new?unit_id={ids['T-LG']}&work_id=abc&amount_vnd=x"
                     f"&id=9&version=3&date=31/02/2025").text
    assert f'<option value="{ids["T-LG"]}" selected>' in form
    assert 'value="abc"' not in form and 'value="x"' not in form and "31/02/2025" not in form
    form = clerk.get(f"/contributions/new?unit_id={ids['T-LG']}&work_id={mine.id}"
                     "&amount_vnd=1500000&source=people").text
    assert f'<option value="{mine.id}" selected>' in form
    assert 'value="1500000"' in form
    # Saved, the notice leads back to the work.
    token = form.split('name="submission" value="')[1].split('"')[0]
    saved = clerk.post("/contributions", data={
        "unit_id": ids["T-LG"], "work_id": mine.id, "source": "people", "kind": "cash",
        "amount_vnd": "1500000", "date": "01/06/2025", "submission": token},
        headers={"HX-Request": "true"}).text
    assert f'<a href="/works/{mine.id}">Về công trình “Đường của Hàm Trí”</a>' in saved
