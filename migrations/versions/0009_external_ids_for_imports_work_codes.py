"""external ids for imports, work codes

Each record table gets (external_source, external_id), unique together, so an import
upserts by the sending system's key; works get an optional official code (unique index,
not a constraint, so SQLite needs no table rebuild).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 18:05:44.331408
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = ("commendation", "contribution", "land_donation", "model", "petition", "recognition",
          "target", "work")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('external_source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
            batch_op.add_column(sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
            batch_op.create_index(f'ux_{table}_external', ['external_source', 'external_id'], unique=True)
    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_work_code'), ['code'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_code'))
        batch_op.drop_column('code')
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ux_{table}_external')
            batch_op.drop_column('external_id')
            batch_op.drop_column('external_source')
