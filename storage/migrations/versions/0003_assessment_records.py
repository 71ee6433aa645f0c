"""assessment records (issue 10 part B): where a tag came from, mark-sheet fields,
EcoMentor evidence judgements and assessment records

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

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

    with op.batch_alter_table("portfolios") as batch:
        batch.add_column(sa.Column("centre_name", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("centre_number", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("learner_registration", sa.String(length=32), nullable=True))
    with op.batch_alter_table("marks") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=8), server_default="assessor", nullable=False)
        )
    op.create_table(
        "sheet_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=32), nullable=False),
        sa.Column("sheet", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("section", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_sheet_notes_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_sheet_notes_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_notes")),
    )
    with op.batch_alter_table("sheet_notes") as batch:
        batch.create_index(batch.f("ix_sheet_notes_portfolio_id"), ["portfolio_id"], unique=False)

    op.create_table(
        "evidence_judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("authentic", sa.Boolean(), nullable=False),
        sa.Column("reliable", sa.Boolean(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("sufficient", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("judged_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_evidence_judgements_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_evidence_judgements_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assessor_id"],
            ["people.id"],
            name=op.f("fk_evidence_judgements_assessor_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_judgements")),
    )
    with op.batch_alter_table("evidence_judgements") as batch:
        batch.create_index(
            batch.f("ix_evidence_judgements_portfolio_id"), ["portfolio_id"], unique=False
        )
    op.create_table(
        "assessment_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_assessment_records_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_assessment_records_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_records")),
    )
    with op.batch_alter_table("assessment_records") as batch:
        batch.create_index(
            batch.f("ix_assessment_records_portfolio_id"), ["portfolio_id"], unique=False
        )

    op.create_table(
        "qa_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("iqa_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("sampled_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_qa_samples_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_qa_samples_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["iqa_id"], ["people.id"], name=op.f("fk_qa_samples_iqa_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_samples")),
    )
    with op.batch_alter_table("qa_samples") as batch:
        batch.create_index(batch.f("ix_qa_samples_portfolio_id"), ["portfolio_id"], unique=False)
        batch.create_index(batch.f("ix_qa_samples_iqa_id"), ["iqa_id"], unique=False)


def downgrade() -> None:
    op.drop_table("qa_samples")
    op.drop_table("assessment_records")
    op.drop_table("evidence_judgements")
    op.drop_table("sheet_notes")
    with op.batch_alter_table("marks") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("portfolios") as batch:
        batch.drop_column("learner_registration")
        batch.drop_column("centre_number")
        batch.drop_column("centre_name")
    with op.batch_alter_table("tags") as batch:
        batch.drop_column("source")
