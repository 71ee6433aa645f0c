"""the apprentice's EPA portfolio selection and a line per KSB for each piece (issue 11)

epa_pieces: the entries an ST1379 apprentice selected for the gateway portfolio, with what the
employer observed for an employer contribution (a witness statement). epa_lines: the
apprentice's line on how an entry shows one KSB it is mapped to (kept with the entry, so a
piece taken out and back keeps its lines).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "epa_pieces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("observed", sa.Text(), nullable=True),
        sa.Column("selected_by", sa.Integer(), nullable=True),
        sa.Column("selected_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_epa_pieces_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_epa_pieces_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["selected_by"],
            ["people.id"],
            name=op.f("fk_epa_pieces_selected_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epa_pieces")),
        sa.UniqueConstraint("portfolio_id", "entry_id", name=op.f("uq_epa_pieces_portfolio_id")),
    )
    with op.batch_alter_table("epa_pieces") as batch:
        batch.create_index(batch.f("ix_epa_pieces_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "epa_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.Integer(), nullable=True),
        sa.Column("written_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_epa_lines_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_epa_lines_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by"],
            ["people.id"],
            name=op.f("fk_epa_lines_written_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epa_lines")),
        sa.UniqueConstraint("entry_id", "criterion_id", name=op.f("uq_epa_lines_entry_id")),
    )
    with op.batch_alter_table("epa_lines") as batch:
        batch.create_index(batch.f("ix_epa_lines_portfolio_id"), ["portfolio_id"], unique=False)


def downgrade() -> None:
    op.drop_table("epa_lines")
    op.drop_table("epa_pieces")
