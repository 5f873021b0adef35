"""Errors a user can cause. Each carries a message code from the catalog (``dossier.catalog``)
and its parameters: one clear sentence in Chinese for the web and the CLI, in English for the API
(beside the Chinese) and for the CLI under ``LANG=en_*``."""

from dossier.catalog import Language, Text


class DossierError(Exception):
    """Base for every error that ends in a one-line message rather than a traceback."""

    exit_code = 1
    http_status = 400

    def __init__(self, code: str, /, *, technical: str | None = None, **params: object):
        super().__init__(code)
        self.text = Text(code, params)
        # What a tool or library said (English, for the operator's log), never shown to people.
        self.technical = technical

    @property
    def code(self) -> str:
        return self.text.code

    @property
    def message(self) -> str:
        """The sentence in this process's language (Chinese unless the locale is English)."""
        return self.text.render()

    def render(self, language: Language) -> str:
        return self.text.render(language)

    def __str__(self) -> str:
        return self.message


class NotFound(DossierError):
    exit_code = 3
    http_status = 404


class AlreadyExists(DossierError):
    exit_code = 4
    http_status = 409


class InvalidInput(DossierError):
    exit_code = 2
    http_status = 400


class PermissionDenied(DossierError):
    exit_code = 5
    http_status = 403


class ConfigurationError(DossierError):
    """The archive is not set up the way this command needs (no keys, wrong key, no schema)."""

    exit_code = 6
    http_status = 503


class StorageUnavailable(DossierError):
    exit_code = 7
    http_status = 503


class IntegrityFailure(DossierError):
    """Stored data failed a cryptographic check: tampered, truncated or keyed wrongly."""

    exit_code = 8
    http_status = 500
