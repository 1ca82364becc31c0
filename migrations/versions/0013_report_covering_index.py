"""report covering index

The report reads the records of a period's left-over days (those outside whole months) across a
whole province: some 20 000 contributions for a month's worth of days. Through the (unit_id,
date) index each row cost a lookup of the table row, scattered over the file; with the sums'
columns in the index the read never leaves it (SQLite: covering index; PostgreSQL: index-only
scan). It replaces the (unit_id, date) index, which it serves as well.

Revision ID: 0013_report_covering_index
Revises: 0011
Create Date: 2026-12-06 09:00:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0013_report_covering_index'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMS = ['unit_id', 'date', 'source', 'kind', 'amount_vnd', 'labor_days']


def upgrade() -> None:
    op.create_index('ix_contribution_unit_id_date_sums', 'contribution', SUMS)
    op.drop_index('ix_contribution_unit_id_date', table_name='contribution')


def downgrade() -> None:
    op.create_index('ix_contribution_unit_id_date', 'contribution', ['unit_id', 'date'])
    op.drop_index('ix_contribution_unit_id_date_sums', table_name='contribution')
