"""Core: pure building blocks every stage shares (codes, numbers, formulas, issues, calendar, text,
formatting, files, the staged-data contract). No configuration, no warehouse, nothing above it.
"""
