"""Every scalar of a JSON-like document, read without recursion.

A resource nested a few hundred levels deep is valid JSON and YAML, and a
recursive walk over it would exhaust Python's recursion limit (a traceback, or
an engine's whole run lost); checks that must read every string or number of
a resource walk it with this instead.
"""

from __future__ import annotations

from collections.abc import Iterator
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
