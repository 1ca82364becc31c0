"""The schema is made only by Alembic: head equals the models, and it downgrades cleanly."""

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SAWarning
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.db.base import metadata
from app.db.engine import make_engine, normalize_url
from tests.conftest import TEST_URL, _TMP


@pytest.fixture
def empty_url() -> Iterator[str]:
    """An empty database of the kind under test (a new SQLite file, or a new PG database)."""
    if not TEST_URL.startswith("postgresql"):
        path = _TMP / "migrations.sqlite3"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    url = make_url(normalize_url(TEST_URL))
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    with engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection cannot read an index on an expression (the units' lower(code)):
        # Alembic then leaves it out of the comparison, on both sides.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based",
                                SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    return diff


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_upgrade_to_head_matches_the_models(empty_url: str) -> None:
    command.upgrade(alembic_config(empty_url), "head")  # type: ignore[arg-type]
    assert _tables(empty_url) >= {t.name for t in metadata.sorted_tables}
    assert _diff(empty_url) == []


def test_downgrade_to_base_and_up_again(empty_url: str) -> None:
    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "head")  # type: ignore[arg-type]
    command.downgrade(cfg, "base")  # type: ignore[arg-type]
    assert _tables(empty_url) <= {"alembic_version"}
    command.upgrade(cfg, "head")  # type: ignore[arg-type]
    assert _diff(empty_url) == []


def _two_units(conn: Any) -> None:
    """A province (1) and a commune (2), as rows of the unit table of revision 0011 onwards."""
    conn.execute(text(
        "INSERT INTO unit (id, code, name, level, remote, version, created_at, updated_at,"
        " search_text) VALUES (1, 'P', 'Tỉnh', 'province', false, 1, CURRENT_TIMESTAMP,"
        " CURRENT_TIMESTAMP, 'tinh p'), (2, 'C', 'Xã', 'commune', false, 1,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'xa c')"))


def test_every_revision_upgrades_a_database_that_holds_records(empty_url: str) -> None:
    """A revision that rebuilds a table on SQLite (batch mode: copy, DROP, rename) must not trip
    over the rows that refer to it: an installed database is never empty."""
    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "0011")  # type: ignore[arg-type]
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        _two_units(conn)
        conn.execute(text("UPDATE unit SET parent_id = 1 WHERE id = 2"))
        conn.execute(text(
            "INSERT INTO contribution (unit_id, date, source, kind, amount_vnd, version,"
            " created_at, updated_at) VALUES (2, '2025-03-01', 'people', 'cash', 1000, 1,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    engine.dispose()
    command.upgrade(cfg, "head")  # type: ignore[arg-type]
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM contribution")).scalar() == 1
        assert conn.execute(text("SELECT parent_id FROM unit WHERE id = 2")).scalar() == 1
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


def test_the_whole_tree_sums_are_filled_from_an_installed_database(empty_url: str) -> None:
    """0017 adds the rows with no unit (the whole tree's sums, per day too): an installed
    database gets them from its units' rows and its records, and `dvk rollups` finds no
    difference afterwards."""
    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "0016_unit_successors")  # type: ignore[arg-type]
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        _two_units(conn)
        for day, amount in (("2025-03-01", 1000), ("2025-03-01", 500), ("2025-03-20", 7)):
            conn.execute(text(
                "INSERT INTO contribution (unit_id, date, source, kind, amount_vnd, version,"
                " created_at, updated_at) VALUES (2, :day, 'people', 'cash', :amount, 1,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"day": day, "amount": amount})
        for grain, bucket in (("p", "2021-01-01"), ("y", "2025-01-01"), ("m", "2025-03-01")):
            conn.execute(text(
                "INSERT INTO stat_contribution (grain, unit_id, bucket, n, source, kind,"
                " amount_vnd, labor_days) VALUES (:g, 2, :b, 3, 'people', 'cash', 1507, 0)"),
                {"g": grain, "b": bucket})
    engine.dispose()
    command.upgrade(cfg, "head")  # type: ignore[arg-type]
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT grain, CAST(bucket AS TEXT), n, amount_vnd FROM stat_contribution"
            " WHERE unit_id IS NULL ORDER BY grain, bucket")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("d", "2025-03-01", 2, 1500), ("d", "2025-03-20", 1, 7), ("m", "2025-03-01", 3, 1507),
        ("p", "2021-01-01", 3, 1507), ("y", "2025-01-01", 3, 1507)]
    from sqlmodel import Session

    from app.services import rollups
    engine = make_engine(empty_url)
    with Session(engine) as session:
        assert rollups.differences(session) == []
    engine.dispose()


def test_every_revision_id_fits_alembic_version() -> None:
    """PostgreSQL stores the revision in alembic_version.version_num, varchar(32): a longer id
    upgrades SQLite and fails on PostgreSQL ('value too long'), as 0019's first name did."""
    from alembic.script import ScriptDirectory

    ids = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    assert ids and all(len(i) <= 32 for i in ids), [i for i in ids if len(i) > 32]
