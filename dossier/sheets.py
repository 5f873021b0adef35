"""Spreadsheets in and out (XLSX through openpyxl, CSV with a BOM): placeholder, filled by the Excel work."""
