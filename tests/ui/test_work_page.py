"""A work's page shows its money: by source, labour, land, and the non-state share."""

from collections.abc import Iterator

import httpx
import pytest

from app.enums import Role
from app.services import auth
from tests.conftest import carry_csrf
from tests.factories import PASSWORD, make_contribution, make_land_donation, make_tree, make_work


@pytest.fixture
def clerk(server: str, db) -> Iterator[httpx.Client]:
    with db() as s:
        make_tree(s)
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    with httpx.Client(base_url=server, timeout=30) as client:
        assert client.post("/login", data={"username": "canbo", "password": PASSWORD}).status_code == 303
        carry_csrf(client)
        yield client


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
