"""Alembic's migrations and the models describe the same schema."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.models import Base


def test_the_migrations_build_the_schema_the_models_describe(template_db: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{template_db}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
