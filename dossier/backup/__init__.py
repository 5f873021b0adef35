"""Backups of an archive and restoring them: the catalog as portable JSON lines, the objects as
stored (still encrypted), a signed manifest of hashes; keys are backed up apart (``keyfile``)."""
