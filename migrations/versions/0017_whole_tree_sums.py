"""the whole tree's sums

A stat row with no unit sums every record, whatever its unit: the country's figures, which
no merger or move changes, kept per phase, year, month and day. The country's report read
every commune's rows (about 220 000 for ten years) and, for a period cut mid-month, the odd
days' records by unit; it now reads a few hundred rows. `unit_id` becomes nullable, and these
rows get their own unique key (a key with unit_id would let NULLs repeat).

The rows are filled by the project's own rebuild (`rollups.rebuild_totals`, as `dvk rollups
--rebuild` does), from the units' rows and, per day, from the records.

Revision ID: 0017_whole_tree_sums
Revises: 0016_unit_successors
Create Date: 2026-12-06 15:30:00.000000
"""
import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0017_whole_tree_sums'
down_revision: str | Sequence[str] | None = '0016_unit_successors'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Each stat table with its dimensions (the columns of its unique key other than grain, unit
# and bucket), as at this revision.
TABLES = {
    "stat_contribution": ("source", "kind"),
    "stat_land": (),
    "stat_work": ("category", "org_type"),
    "stat_model": ("kind", "field", "status"),
    "stat_petition_in": ("type", "channel", "competent"),
    "stat_petition_open": ("competent",),
    "stat_petition_close": ("status",),
}
NO_UNIT = sa.text("unit_id IS NULL")


def _nullable(table: str, nullable: bool) -> None:
    # SQLite rebuilds the table, reflecting the unit table its key refers to; SQLAlchemy cannot
    # reflect that table's index on lower(code), says so, and leaves it alone, as it should.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based",
                                sa.exc.SAWarning)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("unit_id", existing_type=sa.Integer(), nullable=nullable)


def upgrade() -> None:
    for table, dims in TABLES.items():
        _nullable(table, True)
        op.create_index(f"ux_{table}_total", table, ["grain", "bucket", *dims], unique=True,
                        sqlite_where=NO_UNIT, postgresql_where=NO_UNIT)
    from sqlmodel import Session

    from app.services.rollups.bulk import rebuild_totals

    session = Session(bind=op.get_bind())
    rebuild_totals(session)
    session.close()


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(sa.text(f"DELETE FROM {table} WHERE unit_id IS NULL"))
        op.drop_index(f"ux_{table}_total", table_name=table,
                      sqlite_where=NO_UNIT, postgresql_where=NO_UNIT)
        _nullable(table, False)
