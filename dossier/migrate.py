"""Run the catalog's Alembic migrations from code (``dossier init`` and tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text as sql

from dossier.config import Settings
from dossier.db import get_engine
from dossier.errors import IntegrityFailure

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return cfg


def _run(settings: Settings, step: Callable[[Config, str], None], revision: str) -> None:
    """Run ``step`` (alembic's upgrade or downgrade) in one transaction. On SQLite, foreign keys
    are off meanwhile (batch mode copies a table, drops the old one and renames the copy, which
    would trip its children's references) and checked afterwards, as Alembic advises."""
    cfg = alembic_config(settings)
    with get_engine(settings).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                step(cfg, revision)
                if sqlite and connection.execute(sql("PRAGMA foreign_key_check")).first() is not None:
                    raise IntegrityFailure("db.foreign_keys_broken")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade(settings: Settings, revision: str = "head") -> None:
    _run(settings, command.upgrade, revision)


def downgrade(settings: Settings, revision: str) -> None:
    _run(settings, command.downgrade, revision)
