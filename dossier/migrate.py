"""Run the catalog's Alembic migrations from code (``dossier init`` and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from dossier.config import Settings
from dossier.db import get_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "head") -> None:
    cfg = alembic_config(settings)
    with get_engine(settings).begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
