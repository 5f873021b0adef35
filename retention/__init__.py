"""Retention classes, holds, destruction lists, destruction and the shredding log."""
