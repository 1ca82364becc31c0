"""bench/summary.py on a tree whose provinces hang under a national root, as `dvk units
load-official` builds it: the benchmark must still find its province case, and its report
and plain SQL must agree there. Runs on the test database (SQLite, or PostgreSQL)."""

import os
from typing import Any

from app.db.engine import make_engine
from bench import summary
from tests.factories import make_contribution, make_unit


def test_the_province_case_is_found_below_a_national_root(db: Any, capsys: Any) -> None:
    with db() as s:
        country = make_unit(s, code="VN", name="Việt Nam", level="country", kind="quoc_gia")
        province = make_unit(s, code="T-LD", name="Lâm Đồng", level="province", kind="tinh",
                             parent_id=country.id)
        commune = make_unit(s, code="T-HT", name="Hàm Thuận", kind="xa", parent_id=province.id)
        make_contribution(s, unit_id=commune.id, amount_vnd=7_000_000, date="2025-03-02")
        make_contribution(s, unit_id=commune.id, amount_vnd=3_000_000, date="2019-05-10")
    url = os.environ["DVK_DATABASE_URL"]
    engine = make_engine(url)
    try:
        picked = summary.cases(engine, None, 2025, odd=False)
    finally:
        engine.dispose()
    assert [(c.name, c.unit_id) for c in picked] == [
        ("province T-LD 2016-2025", province.id), ("commune T-HT 2025", commune.id)]
    # The whole run: the report and both plans of the plain SQL agree (exit 0).
    assert summary.main(["--url", url, "--runs", "1"]) == 0
    assert "province T-LD 2016-2025" in capsys.readouterr().out
