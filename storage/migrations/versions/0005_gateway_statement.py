"""The ST1379 gateway (English and maths, the employer's decision and date), the employer and
apprentice statement, and recordings after gateway (issue 11)

Three tables, each a portfolio's (cascade on its deletion): gateway_records (who recorded what,
the newest of a kind counts), statement_confirmations (each party's confirmation with the text
and the evidence fingerprint) and recordings (a video's details, kept without the file when it
is over the Bot API's download limit).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _portfolio_and_person(table: str, person: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f(f"fk_{table}_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            [person],
            ["people.id"],
            name=op.f(f"fk_{table}_{person}_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "gateway_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        *_portfolio_and_person("gateway_records", "person_id"),
    )
    op.create_table(
        "statement_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("pieces", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        *_portfolio_and_person("statement_confirmations", "person_id"),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column("media", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        *_portfolio_and_person("recordings", "author_id"),
    )
    for table in ("gateway_records", "statement_confirmations", "recordings"):
        with op.batch_alter_table(table) as batch:
            batch.create_index(batch.f(f"ix_{table}_portfolio_id"), ["portfolio_id"], unique=False)


def downgrade() -> None:
    for table in ("recordings", "statement_confirmations", "gateway_records"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(batch.f(f"ix_{table}_portfolio_id"))
        op.drop_table(table)
