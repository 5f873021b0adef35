"""Settings: every environment variable the archive reads, read here once, at process start.

Nothing here needs a server: by default the catalog is SQLite, objects are files and keys are
files, all under ``$DOSSIER_HOME`` (``./var``). Setting ``DOSSIER_DATABASE_URL`` switches the
catalog to PostgreSQL; setting ``DOSSIER_MINIO_ENDPOINT`` switches objects to MinIO.

Each kind of value has one parser below (text, whole number, boolean, duration, path, choice);
a value it cannot read raises :class:`ConfigurationError` naming the variable, which the CLI and
the web app turn into one sentence before doing anything else. Modules below the entry points
never read ``os.environ``: they get a ``Settings`` (or one of its fields) passed down.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, overload

from dossier.catalog import Text, text
from dossier.errors import ConfigurationError

Env = Mapping[str, str]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_DURATION = re.compile(r"(\d+)\s*(s|sec|m|min|h|d)?", re.IGNORECASE)
_DURATION_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
OCR_ENGINES = ("tesserocr", "command")


def _raw(env: Env, name: str) -> str:
    return (env.get(name) or "").strip()


def _text(env: Env, name: str, default: str | None = None) -> str | None:
    """A text setting; unset or blank gives ``default``."""
    return _raw(env, name) or default


def _whole_number(env: Env, name: str, default: int, low: int, high: int, unit: Text) -> int:
    """A whole-number setting within [low, high]."""
    raw = _raw(env, name)
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ConfigurationError(
            "config.whole_number", name=name, unit=unit, low=low, high=high, value=repr(raw)
        )
    return int(raw)


def _boolean(env: Env, name: str, default: bool) -> bool:
    """An on/off setting: 1/true/yes/on or 0/false/no/off, in any case."""
    raw = _raw(env, name).lower()
    if not raw:
        return default
    if raw in _TRUE or raw in _FALSE:
        return raw in _TRUE
    raise ConfigurationError("config.boolean", name=name, value=repr(_raw(env, name)))


def _duration(env: Env, name: str, default: timedelta, low: timedelta, high: timedelta) -> timedelta:
    """A duration: a whole number of seconds, or one with a unit (``90s``, ``5m``, ``2h``, ``1d``)."""
    raw = _raw(env, name)
    if not raw:
        return default
    found = _DURATION.fullmatch(raw) if raw.isascii() else None
    value = (
        timedelta(seconds=int(found.group(1)) * _DURATION_UNITS[(found.group(2) or "s").lower()])
        if found
        else None
    )
    if value is None or not low <= value <= high:
        raise ConfigurationError(
            "config.duration",
            name=name,
            low=f"{low.total_seconds():.0f}",
            high=f"{high.total_seconds():.0f}",
            value=repr(raw),
        )
    return value


@overload
def _path(env: Env, name: str, default: Path, must_be: Literal["folder", "file"] | None = None) -> Path: ...
@overload
def _path(
    env: Env, name: str, default: None, must_be: Literal["folder", "file"] | None = None
) -> Path | None: ...
def _path(
    env: Env, name: str, default: Path | None, must_be: Literal["folder", "file"] | None = None
) -> Path | None:
    """A path, ``~`` expanded and made absolute; ``must_be`` says it must already exist as such."""
    raw = _raw(env, name)
    if not raw:
        return default
    path = Path(raw).expanduser().resolve()
    if must_be == "folder" and not path.is_dir():
        raise ConfigurationError("config.no_folder", name=name, value=repr(raw))
    if must_be == "file" and not path.is_file():
        raise ConfigurationError("config.no_file", name=name, value=repr(raw))
    return path


def _choice(env: Env, name: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` (compared without case); unset or blank gives ``default``."""
    raw = _raw(env, name)
    if not raw:
        return default
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ConfigurationError("config.choice", name=name, choices=", ".join(choices), value=repr(raw))


def _storage_settings(env: Env, home: Path) -> dict[str, Any]:
    return {
        "objects_dir": _path(env, "DOSSIER_OBJECTS_DIR", home / "objects"),
        "minio_endpoint": _text(env, "DOSSIER_MINIO_ENDPOINT"),
        "minio_access_key": _text(env, "DOSSIER_MINIO_ACCESS_KEY"),
        "minio_secret_key": _text(env, "DOSSIER_MINIO_SECRET_KEY"),
        "minio_bucket": _text(env, "DOSSIER_MINIO_BUCKET", "dossier"),
        "minio_secure": _boolean(env, "DOSSIER_MINIO_SECURE", False),
        "minio_region": _text(env, "DOSSIER_MINIO_REGION"),
        # The CA bundle for MinIO over HTTPS, the variable OpenSSL and Python already honour.
        "ssl_cert_file": _path(env, "SSL_CERT_FILE", None, must_be="file"),
    }


def _web_settings(env: Env) -> dict[str, Any]:
    return {
        "session_idle_minutes": _whole_number(
            env, "DOSSIER_SESSION_IDLE_MINUTES", 30, 1, 24 * 60, text("config.unit.minutes")
        ),
        "session_max_hours": _whole_number(
            env, "DOSSIER_SESSION_MAX_HOURS", 12, 1, 24 * 30, text("config.unit.hours")
        ),
        "trusted_proxies": _whole_number(
            env, "DOSSIER_TRUSTED_PROXIES", 0, 0, 5, text("config.unit.proxies")
        ),
        "max_upload_mb": _whole_number(
            env, "DOSSIER_MAX_UPLOAD_MB", 2048, 1, 1024 * 1024, text("config.unit.megabytes")
        ),
        "secure_cookies": _boolean(env, "DOSSIER_SECURE_COOKIES", False),
    }


def _intake_settings(env: Env) -> dict[str, Any]:
    return {
        "max_pages": _whole_number(env, "DOSSIER_MAX_PAGES", 2000, 1, 1_000_000, text("config.unit.pages")),
        "lease": _duration(
            env, "DOSSIER_LEASE_SECONDS", timedelta(seconds=300), timedelta(seconds=2), timedelta(days=1)
        ),
        "ocr_engine": _choice(env, "DOSSIER_OCR_ENGINE", OCR_ENGINES, "tesserocr"),
        # Tesseract's own variable: the tessdata folder, for the in-process engine and the command.
        "tessdata_dir": _path(env, "TESSDATA_PREFIX", None, must_be="folder"),
    }


def _process_settings(env: Env) -> dict[str, Any]:
    return {
        "debug": _boolean(env, "DOSSIER_DEBUG", False),
        "log_level": _choice(env, "DOSSIER_LOG_LEVEL", LOG_LEVELS, "") or None,
        "search_cache_mb": _whole_number(
            env, "DOSSIER_SEARCH_CACHE_MB", 256, 0, 1024 * 1024, text("config.unit.megabytes")
        ),
        "token": _text(env, "DOSSIER_TOKEN"),
    }


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    objects_dir: Path
    keys_dir: Path
    index_dir: Path
    master_key_b64: str | None = field(default=None, repr=False)
    minio_endpoint: str | None = None
    minio_access_key: str | None = None
    minio_secret_key: str | None = field(default=None, repr=False)
    minio_bucket: str = "dossier"
    minio_secure: bool = False
    minio_region: str | None = None
    ssl_cert_file: Path | None = None  # SSL_CERT_FILE: CA bundle for MinIO over HTTPS (default: certifi's)
    redis_url: str | None = None
    # Web sessions, sign-in and requests (_web_settings).
    session_idle_minutes: int = 30  # DOSSIER_SESSION_IDLE_MINUTES: a session unused this long ends
    session_max_hours: int = 12  # DOSSIER_SESSION_MAX_HOURS: no session lives longer
    trusted_proxies: int = 0  # DOSSIER_TRUSTED_PROXIES: proxies in front whose X-Forwarded-* count
    max_upload_mb: int = 2048  # DOSSIER_MAX_UPLOAD_MB: largest intake upload (others: 1 MiB)
    secure_cookies: bool = False  # DOSSIER_SECURE_COOKIES: Secure cookies and HSTS (served over HTTPS)
    # Intake and processing (_intake_settings).
    max_pages: int = 2000  # DOSSIER_MAX_PAGES: a file with more pages is refused at intake
    lease: timedelta = timedelta(seconds=300)  # DOSSIER_LEASE_SECONDS: a worker's claim without renewal
    ocr_engine: str = "tesserocr"  # DOSSIER_OCR_ENGINE: tesserocr (when installed) or command
    tessdata_dir: Path | None = None  # TESSDATA_PREFIX: tesseract's models (default: where tesseract looks)
    # The process (_process_settings).
    debug: bool = False  # DOSSIER_DEBUG: tracebacks of internal errors
    log_level: str | None = None  # DOSSIER_LOG_LEVEL: default WARNING, INFO for serve and worker
    search_cache_mb: int = 256  # DOSSIER_SEARCH_CACHE_MB: decoded posting lists a process keeps
    token: str | None = field(default=None, repr=False)  # DOSSIER_TOKEN: a script's four-eyes credential

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
    def from_env(cls, env: Env | None = None) -> Settings:
        """The settings from ``env`` (default: this process's environment); a value that cannot
        be read raises :class:`ConfigurationError` naming its variable."""
        env = dict(os.environ if env is None else env)
        home = _path(env, "DOSSIER_HOME", None) or Path("./var").resolve()
        database_url = _text(env, "DOSSIER_DATABASE_URL") or f"sqlite:///{home / 'dossier.db'}"
        if database_url.startswith("postgresql://"):
            # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
        return cls(
            home=home,
            database_url=database_url,
            keys_dir=_path(env, "DOSSIER_KEYS_DIR", home / "keys"),
            index_dir=_path(env, "DOSSIER_INDEX_DIR", home / "index"),
            master_key_b64=_text(env, "DOSSIER_MASTER_KEY"),
            redis_url=_text(env, "DOSSIER_REDIS_URL"),
            **_storage_settings(env, home),
            **_web_settings(env),
            **_intake_settings(env),
            **_process_settings(env),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def limit_openmp_threads() -> None:
    """One thread per tesseract, in this process and every process or tool it starts.

    Parallelism comes from one process per core (the worker's processes, ``ingest --wait``'s
    children), each reading one page at a time. Tesseract's OpenMP would otherwise start a
    thread per core in each of them, oversubscribing the machine so that it runs *slower*.
    OpenMP reads the limit when the library loads, so this runs before tesseract is loaded or
    started: it is the one place that writes to the environment, and children inherit it.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"
