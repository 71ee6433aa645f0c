"""assessment records (issue 10 part B): where a tag came from

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=8), server_default="mentor", nullable=False)
        )
    # The feedback rule tagged someone else's feedback in the mentor's name at the moment the
    # entry was recorded; a tag the mentor tapped later stays theirs.
    op.execute(
        "UPDATE tags SET source = 'rule' WHERE EXISTS (SELECT 1 FROM entries e"
        " WHERE e.id = tags.entry_id AND e.kind = 'feedback'"
        " AND e.author_id <> tags.tagged_by AND e.recorded_at = tags.tagged_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.drop_column("source")
