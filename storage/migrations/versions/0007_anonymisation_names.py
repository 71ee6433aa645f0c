"""names the apprentice adds for anonymisation, and people's Telegram usernames (issue 11)

anonymisation_names: the colleagues, managers, sites and other people an ST1379 apprentice's
evidence names, each with the label exports show ("Colleague A"), kept once given.
people.username: a person's Telegram username, replaced in exports as their name is.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "anonymisation_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_anonymisation_names_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["people.id"],
            name=op.f("fk_anonymisation_names_added_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymisation_names")),
    )
    with op.batch_alter_table("anonymisation_names") as batch:
        batch.create_index(
            batch.f("ix_anonymisation_names_portfolio_id"), ["portfolio_id"], unique=False
        )
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("username", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("username")
    with op.batch_alter_table("anonymisation_names") as batch:
        batch.drop_index(batch.f("ix_anonymisation_names_portfolio_id"))
    op.drop_table("anonymisation_names")
