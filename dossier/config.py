"""Settings from ``DOSSIER_*`` environment variables, with embedded defaults under ``$DOSSIER_HOME``.

Nothing here needs a server: by default the catalog is SQLite, objects are files and keys are
files, all under ``$DOSSIER_HOME`` (``./var``). Setting ``DOSSIER_DATABASE_URL`` switches the
catalog to PostgreSQL; setting ``DOSSIER_MINIO_ENDPOINT`` switches objects to MinIO.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _whole_number(env: dict[str, str], name: str, default: int, low: int, high: int, unit: str) -> int:
    """A whole-number setting within [low, high]; anything else stops the process at start."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        from dossier.errors import ConfigurationError

        raise ConfigurationError(f"{name} must be a whole number of {unit} from {low} to {high}, not {raw!r}")
    return int(raw)


def _web_settings(env: dict[str, str]) -> dict[str, int]:
    return {
        "session_idle_minutes": _whole_number(env, "DOSSIER_SESSION_IDLE_MINUTES", 30, 1, 24 * 60, "minutes"),
        "session_max_hours": _whole_number(env, "DOSSIER_SESSION_MAX_HOURS", 12, 1, 24 * 30, "hours"),
        "trusted_proxies": _whole_number(env, "DOSSIER_TRUSTED_PROXIES", 0, 0, 5, "proxies"),
    }


def _intake_settings(env: dict[str, str]) -> dict[str, int]:
    return {"max_pages": _whole_number(env, "DOSSIER_MAX_PAGES", 2000, 1, 1_000_000, "pages")}


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    objects_dir: Path
    keys_dir: Path
    index_dir: Path
    master_key_b64: str | None = None
    minio_endpoint: str | None = None
    minio_access_key: str | None = None
    minio_secret_key: str | None = None
    minio_bucket: str = "dossier"
    minio_secure: bool = False
    minio_region: str | None = None
    redis_url: str | None = None
    expected_types: tuple[str, ...] | None = field(default=None)
    # Web sessions and sign-in (_web_settings), intake limits (_intake_settings).
    session_idle_minutes: int = 30       # DOSSIER_SESSION_IDLE_MINUTES: a session unused this long ends
    session_max_hours: int = 12          # DOSSIER_SESSION_MAX_HOURS: no session lives longer
    trusted_proxies: int = 0             # DOSSIER_TRUSTED_PROXIES: proxies in front whose X-Forwarded-* count
    max_pages: int = 2000                # DOSSIER_MAX_PAGES: a file with more pages is refused at intake

    @property
    def store_kind(self) -> str:
        return "minio" if self.minio_endpoint else "local"

    @property
    def master_key_file(self) -> Path:
        return self.keys_dir / "master.key"

    @property
    def signing_key_file(self) -> Path:
        return self.keys_dir / "signing.key"

    @property
    def secret_key_file(self) -> Path:
        return self.keys_dir / "web-secret.key"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        home = Path(env.get("DOSSIER_HOME") or "./var").expanduser().resolve()
        database_url = env.get("DOSSIER_DATABASE_URL") or f"sqlite:///{home / 'dossier.db'}"
        if database_url.startswith("postgresql://"):
            # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
        return cls(
            home=home,
            database_url=database_url,
            objects_dir=Path(env.get("DOSSIER_OBJECTS_DIR") or home / "objects"),
            keys_dir=Path(env.get("DOSSIER_KEYS_DIR") or home / "keys"),
            index_dir=Path(env.get("DOSSIER_INDEX_DIR") or home / "index"),
            master_key_b64=env.get("DOSSIER_MASTER_KEY") or None,
            minio_endpoint=env.get("DOSSIER_MINIO_ENDPOINT") or None,
            minio_access_key=env.get("DOSSIER_MINIO_ACCESS_KEY") or None,
            minio_secret_key=env.get("DOSSIER_MINIO_SECRET_KEY") or None,
            minio_bucket=env.get("DOSSIER_MINIO_BUCKET") or "dossier",
            minio_secure=_bool(env.get("DOSSIER_MINIO_SECURE"), False),
            minio_region=env.get("DOSSIER_MINIO_REGION") or None,
            redis_url=env.get("DOSSIER_REDIS_URL") or None,
            **_web_settings(env),
            **_intake_settings(env),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
