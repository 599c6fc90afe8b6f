"""Renderers of the report: CSV (machines), xlsx, docx and html (people), charts and narrative."""
