"""A rule's `problems` expression cut into variables, so that CEL compiles it in linear time.

cel-go's type checker copies its table of type substitutions at every
overload it resolves, and that table grows with every generic call of the
expression, so checking one expression costs about the square of its size.
The Kyverno CLI compiles every policy again for each resource it judges,
and SC003's 5,500-character `problems` took 80 ms of it. A sum of message
lists (`A + B + C`), alone or as a branch of a conditional (`!inMesh ? [] :
A + B`), is the same value when each large term is a variable of its own:
variables are evaluated lazily, once, where they are read, so a term under a
branch that is not taken is never evaluated, and an error in a term is an
error of `problems` as before.

Only what is certainly a sum or a conditional at the top level is cut; any
other operator there (or a string this scanner cannot read) leaves the
expression whole, which is always correct.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A term shorter than this stays inline: a variable of its own would cost more than it saves.
MIN_TERM = 200
_OPEN = {"(": ")", "[": "]", "{": "}"}
_WORD_OPERATOR = re.compile(r"\bin\b")
_OPERATOR = re.compile(r"[-+?:&|=<>*/%!]| in ")


# A string literal (one line, escapes kept), a bracket, or a quote that opens no readable string: what
# changes the nesting. The text between them is skipped by the regular expression engine, not by Python.
_TOKEN = re.compile(r'''"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[()\[\]{}"']''')


@lru_cache(maxsize=4096)
def _top_level(expr: str) -> tuple[tuple[int, str], ...] | None:
    """(position, character) of every character at nesting depth 0 outside strings, a string
    literal there counting as one '"'; None if unreadable."""
    out: list[tuple[int, str]] = []
    stack: list[str] = []
    end = 0  # where the text not yet read starts
    for m in _TOKEN.finditer(expr):
        pos = m.start()
        if not stack and pos > end:
            out.extend(zip(range(end, pos), expr[end:pos]))
        end = m.end()
        first = expr[pos]
        if first in "\"'":
            if end - pos == 1 or expr.startswith(first * 3, pos) or (pos > 0 and expr[pos - 1] in "rRbB"):
                return None  # unterminated, triple-quoted, raw or bytes: not what our templates write
            if not stack:
                out.append((pos, '"'))
        elif first in _OPEN:
            if not stack:
                out.append((pos, first))
            stack.append(_OPEN[first])
        elif not stack or stack.pop() != first:
            return None
    if stack:
        return None
    out.extend(zip(range(end, len(expr)), expr[end:]))
    return tuple(out)


def _unwrap(expr: str) -> str:
    """expr without parentheses around the whole of it."""
    while expr.startswith("(") and expr.endswith(")"):
        top = _top_level(expr)
        if top is None or len(top) != 1:  # the opening parenthesis closes before the end
            return expr
        expr = expr[1:-1].strip()
    return expr


def _operators(expr: str, top: tuple[tuple[int, str], ...]) -> str:
    text = "".join(ch for _, ch in top)
    words = "".join(ch if not ch.isspace() else " " for _, ch in top)
    return text + (" in " if _WORD_OPERATOR.search(words) else "")


def _ternary(expr: str, top: tuple[tuple[int, str], ...]) -> tuple[str, str, str] | None:
    """(condition, then, else) of a conditional at the top level."""
    marks = [pos for k, (pos, ch) in enumerate(top) if ch == "?" and not (k > 0 and top[k - 1][1] == ".")]
    if not marks:
        return None
    q = marks[0]
    colons = [pos for pos, ch in top if ch == ":" and pos > q]
    if not colons:
        return None
    c = colons[0]
    return expr[:q].strip(), expr[q + 1:c].strip(), expr[c + 1:].strip()


def _sum_terms(expr: str, top: tuple[tuple[int, str], ...]) -> list[str] | None:
    """The terms of a top-level sum with no other operator beside it."""
    if _OPERATOR.search(_operators(expr, top).replace("+", "")):
        return None
    cuts = [pos for pos, ch in top if ch == "+"]
    if not cuts:
        return None
    bounds = [-1, *cuts, len(expr)]
    terms = [expr[a + 1:b].strip() for a, b in zip(bounds, bounds[1:])]
    return terms if all(terms) else None


_MAP_CALL = re.compile(r"(variables\.[A-Za-z_][A-Za-z0-9_]*)\s*\.map\(")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_LIST_CALL = re.compile(r"\.\s*(?:map|filter|flatten)\s*\($")


@lru_cache(maxsize=1024)
def yields_list(expr: str) -> bool:
    """Certainly a list: a list literal, a chain ending in map, filter or flatten, or a conditional
    whose branches both are. (A map's entries come in no fixed order, so only a list is read by index.)"""
    expr = _unwrap(expr.strip())
    top = _top_level(expr)
    if top is None or not top:
        return False
    branches = _ternary(expr, top)
    if branches is not None:
        return yields_list(branches[1]) and yields_list(branches[2])
    if _OPERATOR.search(_operators(expr, top)):
        return False
    if len(top) == 1 and top[0][1] == "[":
        return True
    last = max(pos for pos, ch in top if ch == "(") if any(ch == "(" for _, ch in top) else -1
    return last > 0 and _closing(expr, last) == len(expr) - 1 and bool(_LIST_CALL.search(expr[:last + 1]))


def _per_item_map(expr: str, lists: frozenset[str]) -> tuple[str, str, list[str], str] | None:
    """(list, item variable, the terms of the body, suffix) of `variables.L.map(x, A + B)` with an
    optional `.flatten()` after it, where L is one of lists."""
    m = _MAP_CALL.match(expr)
    if not m or m.group(1).removeprefix("variables.") not in lists:
        return None
    inner_start = m.end()
    top = _top_level(expr)
    if top is None:
        return None
    # the map call's closing parenthesis: the first top-level character after its opening one
    after = [pos for pos, _ in top if pos >= inner_start]
    close = _closing(expr, inner_start - 1)
    if close is None or (after and after[0] <= close):
        return None
    suffix = expr[close + 1:].strip()
    if suffix not in ("", ".flatten()"):
        return None
    inner = expr[inner_start:close]
    inner_top = _top_level(inner)
    if inner_top is None:
        return None
    commas = [pos for pos, ch in inner_top if ch == ","]
    if len(commas) != 1:
        return None
    var, body = inner[:commas[0]].strip(), _unwrap(inner[commas[0] + 1:].strip())
    body_top = _top_level(body)
    if not _IDENT.fullmatch(var) or body_top is None:
        return None
    terms = _sum_terms(body, body_top)
    return (m.group(1), var, terms, suffix) if terms else None


def _closing(expr: str, open_pos: int) -> int | None:
    """The position of the bracket closing the one at open_pos."""
    top = _top_level(expr[open_pos:])
    if top is None or not top or top[0][0] != 0:
        return None
    rest = [pos for pos, _ in top[1:]]
    end = (rest[0] if rest else len(expr) - open_pos) - 1
    while end > 0 and expr[open_pos + end].isspace():
        end -= 1
    return open_pos + end if expr[open_pos + end] in ")]}" else None


def split(expr: str, prefix: str = "problems", lists: frozenset[str] = frozenset()) -> tuple[str, list[dict[str, str]]]:
    """expr with its large sum terms read from new variables, and those variables (to evaluate before it).
    lists: the variables that are certainly lists (yields_list), whose per-item maps may be cut."""
    rewritten, parts = _split(expr, prefix, lists)
    return rewritten, [dict(p) for p in parts]


@lru_cache(maxsize=256)  # both CEL backends render every rule
def _split(expr: str, prefix: str, lists: frozenset[str]) -> tuple[str, tuple[dict[str, str], ...]]:
    found: list[dict[str, str]] = []

    def hoist(text: str) -> str:
        text = _unwrap(text.strip())
        top = _top_level(text)
        if top is None:
            return text
        branches = _ternary(text, top)
        if branches is not None:
            cond, then, other = branches
            return f"({cond} ? {hoist(then)} : {hoist(other)})"
        per_item = _per_item_map(text, lists)
        if per_item is not None and len(text) >= MIN_TERM:
            return _zip(*per_item)
        terms = _sum_terms(text, top)
        if terms is None:
            return f"({text})" if _OPERATOR.search(_operators(text, top)) else text
        out = []
        for term in terms:
            inner = hoist(term)
            if len(term) < MIN_TERM:
                out.append(inner)
                continue
            name = f"{prefix}{len(found) + 1}"
            found.append({"name": name, "expression": _unwrap(inner)})
            out.append(f"variables.{name}")
        return "(" + " + ".join(out) + ")"

    def _zip(items: str, var: str, terms: list[str], suffix: str) -> str:
        """`L.map(x, A + B)` as the item-wise sum of `L.map(x, A)` and `L.map(x, B)`: the same list in the same
        order. Neighbouring small terms stay together."""
        groups: list[list[str]] = [[]]
        for term in terms:
            if sum(map(len, groups[-1])) >= MIN_TERM:
                groups.append([])
            groups[-1].append(term)
        if len(groups) < 2:
            return f"{items}.map({var}, {' + '.join(terms)}){suffix}"
        names = []
        for group in groups:
            names.append(f"{prefix}{len(found) + 1}")
            found.append({"name": names[-1], "expression": f"{items}.map({var}, {' + '.join(group)})"})
        summed = " + ".join(f"variables.{n}[i]" for n in names)
        return f"lists.range(size({items})).map(i, {summed}){suffix}"

    rewritten = hoist(expr)
    return (rewritten, tuple(found)) if found else (expr, ())
