"""unit code over time

A unit's code is unique only among the units in force at the same time: Vietnam's 2025
communes mostly carry a predecessor's code (3 350 of 3 355). The unique constraint goes; the
rule is the service's (services/units.py), and codes are looked up without case through an
index on lower(code).

Revision ID: 0014_unit_code_over_time
Revises: 0011
Create Date: 2026-12-06 08:50:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014_unit_code_over_time'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_unit_code', type_='unique')
    op.create_index('ix_unit_code_lower', 'unit', [sa.text('lower(code)')], unique=False)


def downgrade() -> None:
    # Fails while two units share a code (a successor carrying its predecessor's): the old
    # schema cannot hold them.
    op.drop_index('ix_unit_code_lower', table_name='unit')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_unit_code', ['code'])
