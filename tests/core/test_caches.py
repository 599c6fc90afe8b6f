"""Bounded caches: the newest kept, the oldest let go."""

from __future__ import annotations

from tasks.core.caches import keep_bounded


def test_the_oldest_entries_go_beyond_the_limit_and_a_kept_key_becomes_the_newest() -> None:
    cache: dict[str, int] = {}
    for number, key in enumerate("abcd"):
        assert keep_bounded(cache, key, number, 3) == number
    assert list(cache) == ["b", "c", "d"]
    keep_bounded(cache, "b", 9, 3)  # kept again: the newest, its value replaced
    keep_bounded(cache, "e", 4, 3)
    assert cache == {"d": 3, "b": 9, "e": 4} and list(cache) == ["d", "b", "e"]
