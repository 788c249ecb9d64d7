"""Labs keep their normal limits and their NCI CTCAE v5.0 grade.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

def _columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column("lln", sa.Float(), nullable=True, comment="lower limit of normal, in unit"),
        sa.Column("uln", sa.Float(), nullable=True, comment="upper limit of normal, in unit"),
        sa.Column("ctcae_term", sa.String(length=100), nullable=True),
        sa.Column("ctcae_grade", sa.Integer(), nullable=True, comment="NCI CTCAE v5.0 grade (0 = normal)"),
        sa.Column("grade_reason", sa.Text(), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("lab_results") as batch:
        for column in _columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("lab_results") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
