"""Dossier: the household archive (一户一档) for property-management customer-service centres.

This package holds what knows about households, documents and users: configuration,
the catalog (database session, models, migrations), permissions, services and the CLI.
"""

__version__ = "0.1.0"
