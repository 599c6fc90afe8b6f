"""Caches a long-running process keeps bounded: a worker writing a province's reports meets many
chart sizes, texts and table heads, and keeps only the most recently used of each."""

from __future__ import annotations

from collections.abc import Hashable, MutableMapping
from typing import TypeVar

_V = TypeVar("_V")


def keep_bounded(cache: MutableMapping[Hashable, _V], key: Hashable, value: _V, limit: int) -> _V:
    """Keep ``value`` under ``key`` as the newest entry of ``cache`` (a dict: entries in the order
    they were kept), letting the oldest go beyond ``limit`` entries; returns ``value``."""
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > limit:
        cache.pop(next(iter(cache)))
    return value
