"""the gateway and the statement recorded once, the same video never two recordings (issue 11)

gateway_records.seq: the decision and each gateway exist once per portfolio (1, then one more
after the centre reopens the gateway), so two employers tapping at the same moment write one
row; English and maths keep None (they may be recorded again). The newest decision and gateway
of each portfolio already recorded become 1; older duplicates keep None and still show history.
statement_confirmations.follows: the party's confirmation this one came after (0 for the first),
unique, so two taps at once confirm once; filled in for the rows already there.
recordings.file_unique_id: Telegram's id of the video itself.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gateway_records") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE gateway_records SET seq = 1 WHERE kind IN ('decision', 'gateway') AND id = "
        "(SELECT MAX(g.id) FROM gateway_records g WHERE g.portfolio_id = "
        "gateway_records.portfolio_id AND g.kind = gateway_records.kind)"
    )
    with op.batch_alter_table("gateway_records") as batch:
        batch.create_unique_constraint(
            batch.f("uq_gateway_records_portfolio_id"), ["portfolio_id", "kind", "seq"]
        )

    with op.batch_alter_table("statement_confirmations") as batch:
        batch.add_column(sa.Column("follows", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE statement_confirmations SET follows = COALESCE((SELECT MAX(s.id) FROM "
        "statement_confirmations s WHERE s.portfolio_id = statement_confirmations.portfolio_id "
        "AND s.party = statement_confirmations.party AND s.id < statement_confirmations.id), 0)"
    )
    with op.batch_alter_table("statement_confirmations") as batch:
        batch.alter_column("follows", server_default=None)
        batch.create_unique_constraint(
            batch.f("uq_statement_confirmations_portfolio_id"),
            ["portfolio_id", "party", "follows"],
        )

    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("file_unique_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("file_unique_id")
    with op.batch_alter_table("statement_confirmations") as batch:
        batch.drop_constraint(batch.f("uq_statement_confirmations_portfolio_id"), type_="unique")
        batch.drop_column("follows")
    with op.batch_alter_table("gateway_records") as batch:
        batch.drop_constraint(batch.f("uq_gateway_records_portfolio_id"), type_="unique")
        batch.drop_column("seq")
