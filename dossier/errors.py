"""Errors a user can cause. Each carries one clear sentence for the CLI, the web and the API."""


class DossierError(Exception):
    """Base for every error that ends in a one-line message rather than a traceback."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

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
