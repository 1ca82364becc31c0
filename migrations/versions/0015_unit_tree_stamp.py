"""unit tree stamp

A one-row table whose stamp the database rewrites (a new random number) whenever a unit is
added, removed, or changes its id, parent or merger, by triggers: every write counts, the
services', an import's, the generators' and raw SQL alike. A process keeps the tree's shape
(who is below whom) in memory under the stamp it read it with, and reads one row per request
to know it is still current (app.services.scope.tree).

SQLite drops a table's triggers when a batch migration rebuilds the table: this revision comes
after 0014 (which rebuilds `unit`), and a later one that alters `unit` in batch mode must
create them again (`create_triggers`).

Revision ID: 0015_unit_tree_stamp
Revises: 0014_unit_code_over_time
Create Date: 2026-12-06 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015_unit_tree_stamp'
down_revision: str | Sequence[str] | None = '0014_unit_code_over_time'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the tree's shape depends on; a rename or a new date does not change it.
SHAPE = "id, parent_id, merged_into_id"
PG_STAMP = "floor(random() * 9e18)::bigint"


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION unit_tree_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO unit_tree_stamp (id, stamp) VALUES (1, {PG_STAMP})
                ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
                RETURN NULL;
            END $$""")
        op.execute(f"""
            CREATE TRIGGER unit_tree_changed
            AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF {SHAPE} ON unit
            FOR EACH STATEMENT EXECUTE FUNCTION unit_tree_changed()""")
        return
    for name, event in (("insert", "INSERT"), ("delete", "DELETE"),
                        ("update", f"UPDATE OF {SHAPE}")):
        op.execute(f"""
            CREATE TRIGGER unit_tree_{name} AFTER {event} ON unit
            BEGIN INSERT OR REPLACE INTO unit_tree_stamp (id, stamp) VALUES (1, random()); END""")


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS unit_tree_changed ON unit")
        op.execute("DROP FUNCTION IF EXISTS unit_tree_changed()")
        return
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS unit_tree_{name}")


def upgrade() -> None:
    op.create_table(
        'unit_tree_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_tree_stamp')),
    )
    stamp = PG_STAMP if op.get_bind().dialect.name == "postgresql" else "random()"
    op.execute(f"INSERT INTO unit_tree_stamp (id, stamp) VALUES (1, {stamp})")
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    op.drop_table('unit_tree_stamp')
