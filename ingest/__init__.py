"""Intake: turns scanned files into signed originals, page text and previews, one step a module."""
