"""The Data Docs views of the work folder's site: Great Expectations' own, with their templates compiled once.

GX renders every page with Jinja templates, and each process compiles them again: about 0.2 s of a
one-file validation whose page and index take 0.6 s. These views are GX's default page and index
views with a Jinja bytecode cache in the work folder (``gx/uncommitted/data-docs-templates``): a
process loads the compiled templates, and compiles one again only when its source changed (a GX
upgrade; Jinja compares each template's checksum). The pages are the same.

The site's configuration names these classes (see ``Validator``); GX imports this module when it
builds Data Docs, so it imports GX freely.
"""

from __future__ import annotations

from pathlib import Path

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import FileSystemBytecodeCache


def template_cache(folder: str | None) -> FileSystemBytecodeCache | None:
    """A bytecode cache in ``folder`` (created when missing), or None (compile every time) without one."""
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(folder)


class CompiledPageView(DefaultJinjaPageView):
    """GX's page view (validation results, suites), its templates compiled once."""

    def __init__(self, custom_styles_directory=None, custom_views_directory=None, template_cache_dir=None):
        super().__init__(custom_styles_directory, custom_views_directory)
        self.env.bytecode_cache = template_cache(template_cache_dir)


class CompiledIndexPageView(DefaultJinjaIndexPageView):
    """GX's index view, its templates compiled once."""

    def __init__(self, custom_styles_directory=None, custom_views_directory=None, template_cache_dir=None):
        super().__init__(custom_styles_directory, custom_views_directory)
        self.env.bytecode_cache = template_cache(template_cache_dir)
