"""the second tier's own sums

Each unit right under a root (a province under the country) gets sums of its whole subtree,
per month and day: stat rows under its id with the grain in capitals. A
province's report then reads a few hundred rows, where it summed its communes' (some 800 for
a merged province) and read the odd days' records. They follow the tree, so they are trusted
only while `unit_tree_stamp.sums_stamp` equals the tree's stamp; the new column says which
tree they were made for.

The rows are made by the project's own rebuild (`rollups.tiers.rebuild`, as `dvk rollups
--rebuild` does), from the records: a later revision that changes the record or stat tables
must keep that rebuild able to run on this revision's schema, or freeze its SQL here (as 0017).

Revision ID: 0018_second_tier_sums
Revises: 0017_whole_tree_sums
Create Date: 2026-12-06 19:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0018_second_tier_sums'
down_revision: str | Sequence[str] | None = '0017_whole_tree_sums'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATS = ("stat_contribution", "stat_land", "stat_work", "stat_model", "stat_petition_in",
         "stat_petition_open", "stat_petition_close")


def upgrade() -> None:
    op.add_column('unit_tree_stamp', sa.Column('sums_stamp', sa.BigInteger(), nullable=True))
    from sqlmodel import Session

    from app.services.rollups.tiers import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session)
    session.close()


def downgrade() -> None:
    for table in STATS:
        op.execute(sa.text(f"DELETE FROM {table} WHERE grain IN ('M', 'D')"))
    # Not in batch mode: SQLite would copy the table, and the triggers on `unit` that write
    # to it would stop the copy's rename (SQLite drops a column in place since 3.35).
    op.execute(sa.text("ALTER TABLE unit_tree_stamp DROP COLUMN sums_stamp"))
