"""Every scalar of a JSON-like document, read or rewritten without recursion.

A resource nested a few hundred levels deep is valid JSON and YAML, and a
recursive walk over it would exhaust Python's recursion limit (a traceback, or
an engine's whole run lost); checks that must read every string or number of
a resource walk it with leaves(), and rewrites of its scalars with with_leaves().
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def leaves(value: Any, *, keys: bool = True) -> Iterator[Any]:
    """Each value in value that is neither a mapping nor a list, and with keys each mapping's keys too."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if keys:
                stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            yield item


def with_leaves(value: Any, rewrite: Callable[[Any], Any]) -> Any:
    """A copy of value with each value that is neither a mapping nor a list replaced by rewrite(it); keys as they are."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, key, item = stack.pop()
        if isinstance(item, dict):
            copied: Any = dict.fromkeys(item)  # the keys in their order; the values are filled in as popped
            stack.extend((copied, k, v) for k, v in item.items())
        elif isinstance(item, list):
            copied = [None] * len(item)
            stack.extend((copied, i, v) for i, v in enumerate(item))
        else:
            copied = rewrite(item)
        parent[key] = copied
    return root[0]
