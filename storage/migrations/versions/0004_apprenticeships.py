"""apprenticeships (issue 11): an ST1379 apprentice's plan on the portfolio (start date,
planned end, planned off-the-job hours, the funding rules' minimum)

Off-the-job training entries are entries of kind `otj` (hours in duration_minutes), the
employer's confirmations are confirmations of kind `otj`, and the employer is a membership of
role `employer`: none of them needs a new column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apprenticeships",
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("planned_end_on", sa.Date(), nullable=False),
        sa.Column("planned_hours", sa.Integer(), nullable=False),
        sa.Column("minimum_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_apprenticeships_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portfolio_id", name=op.f("pk_apprenticeships")),
    )


def downgrade() -> None:
    op.drop_table("apprenticeships")
