"""The country benchmark's data set (bench/country.py) at a tiny scale, on an SQLite file of its
own: what it measures must be right, or its timings mean nothing. The country's report must
give the plain sum of every contribution, the report of a province across the 2025 mergers
what bench/summary.py's plain SQL gives, and every record must sit on a unit in force at its
own date."""

from datetime import date
from pathlib import Path

from sqlalchemy import text

from app.db.engine import make_engine
from bench import country
from bench.country_cases import TEN_YEARS, YEAR, pick
from bench.summary import Case, compare, run_baseline, run_report

SCALE = 0.0005  # 10 000 contributions on the synthetic country (14 147 units)


def test_the_country_report_adds_up_to_the_raw_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'country.sqlite3'}"
    counts = country.generate(url, scale=SCALE, log=lambda _: None)
    assert counts["contribution"] == 10_000
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            total, n = conn.execute(text(
                "SELECT sum(amount_vnd), count(*) FROM contribution")).one()
            units = conn.execute(text("SELECT count(*) FROM unit")).scalar_one()
            # Each record on a unit in force at its date (the rule of services/in_force.py).
            misplaced = conn.execute(text(
                "SELECT count(*) FROM contribution c JOIN unit u ON u.id = c.unit_id "
                "WHERE (u.active_from IS NOT NULL AND c.date < u.active_from) "
                "OR (u.active_to IS NOT NULL AND c.date > u.active_to)")).scalar_one()
            after = conn.execute(text(
                "SELECT count(*) FROM contribution WHERE date >= '2025-07-01'")).scalar_one()
        assert units == 14_147 and n == 10_000 and total > 0
        assert misplaced == 0
        assert after > 0  # records after the mergers exist, on the new communes

        u = pick(engine)
        report = run_report(engine, Case("country", u.root.id, *TEN_YEARS))
        assert report["contributions"]["total_vnd"] == total
        assert u.province.n >= 2  # a new province that old ones were merged into
        for case in (Case("country 2025", u.root.id, *YEAR),
                     Case("province", u.province.id, *TEN_YEARS),
                     Case("province odd", u.province.id, date(2019, 3, 15), date(2025, 8, 20)),
                     Case("commune", u.commune.id, *YEAR)):
            report = run_report(engine, case)
            assert compare(report, run_baseline(engine, case)) == [], case.name
            assert compare(report, run_baseline(engine, case, force_scan=True)) == [], case.name
    finally:
        engine.dispose()
