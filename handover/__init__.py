"""Handover (移交 and 接收): whole household folders written as a package another archive can
check without our database, and such a package checked and filed here.

Format: docs/formats/handover-package.md. ``package`` (manifest, digests, signature),
``eep`` (DA/T 48 XML), ``export`` (移交), ``receive`` (接收 checks and filing), ``register``
(移交接收登记表, PDF and XLSX). Archive-wide: it reads the records, files through intake and
indexes through search, so it sits beside ``audit`` above the domains.
"""
