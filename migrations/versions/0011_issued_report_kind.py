"""issued report kind

The layout an issued report is printed in: a state body's (Nghị định 30/2020) or a Party
body's (Hướng dẫn 36-HD/VPTW). Null for reports issued before: they get their unit's.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 06:45:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.drop_column('kind')
