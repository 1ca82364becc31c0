"""sign-in attempts by user and address

Sign-in is throttled per (user name, address) instead of per user name: the index that
served the old count by user name gives way to one over both.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:30:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_username_at')
        batch_op.create_index('ix_login_attempt_username_ip_at', ['username', 'ip', 'at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_username_ip_at')
        batch_op.create_index('ix_login_attempt_username_at', ['username', 'at'], unique=False)
