"""longer mark sections: ILM mark-sheet section titles run to 86 characters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite ignores the length; PostgreSQL refused the longer titles.
    with op.batch_alter_table("marks") as batch:
        batch.alter_column(
            "section", existing_type=sa.String(length=32), type_=sa.String(length=200)
        )


def downgrade() -> None:
    with op.batch_alter_table("marks") as batch:
        batch.alter_column(
            "section", existing_type=sa.String(length=200), type_=sa.String(length=32)
        )
