"""unit successors

471 communes were divided in 2025 between two or three successors; `unit.merged_into_id`
holds one (the default, through which their records roll up, each counted once). The link
table holds them all (services/units.py keeps the default among them).

Revision ID: 0016_unit_successors
Revises: 0015_unit_tree_stamp
Create Date: 2026-12-06 09:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0016_unit_successors'
down_revision: str | Sequence[str] | None = '0015_unit_tree_stamp'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'unit_successor',
        sa.Column('predecessor_id', sa.Integer(), nullable=False),
        sa.Column('successor_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['predecessor_id'], ['unit.id'], ondelete='CASCADE',
                                name=op.f('fk_unit_successor_predecessor_id_unit')),
        sa.ForeignKeyConstraint(['successor_id'], ['unit.id'], ondelete='CASCADE',
                                name=op.f('fk_unit_successor_successor_id_unit')),
        sa.PrimaryKeyConstraint('predecessor_id', 'successor_id', name=op.f('pk_unit_successor')),
    )
    op.create_index(op.f('ix_unit_successor_successor_id'), 'unit_successor', ['successor_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_unit_successor_successor_id'), table_name='unit_successor')
    op.drop_table('unit_successor')
