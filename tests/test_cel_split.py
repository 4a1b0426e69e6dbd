"""policygen/backends/cel_split.py: a `problems` expression cut into variables keeps its value.

Generated sums and conditionals of message lists, with parentheses and
strings that look like operators, are cut and then evaluated, cut and whole,
by the API server's own CEL (tools/celcheck) against the value Python gives
them; the shapes that must stay whole are checked as text.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from policygen import cost
from policygen.backends import cel_split
from policygen.backends.cel import cel_literal

from .conftest import require_tool

# Strings that a careless scanner would read as operators, brackets or quotes.
TRICKY = ['a + b', 'x ? y : z', '(', ')]', '"', "'", "\\", "in", "a == b", "{", "-", "!", "&&", "||", "é ✓"]


@dataclass
class Lit:
    items: list[str]

    def text(self, rnd: random.Random) -> str:
        return cel_literal(self.items)

    def value(self) -> list[str]:
        return list(self.items)


@dataclass
class Sum:
    terms: list

    def text(self, rnd: random.Random) -> str:
        sep = rnd.choice([" + ", "\n+ ", "+", "\n  + "])
        return sep.join(_wrapped(t, rnd, needs=isinstance(t, Cond)) for t in self.terms)

    def value(self) -> list[str]:
        return [x for t in self.terms for x in t.value()]


@dataclass
class Cond:
    flag: bool
    then: object
    other: object

    def text(self, rnd: random.Random) -> str:
        cond = rnd.choice(["{}", "!({})", "{} && true", "{} || false", "size([{}]) == 1 && {}"])
        flag = "true" if self.flag else "false"
        if cond == "!({})":
            flag = "false" if self.flag else "true"
        # the then-branch of a CEL conditional cannot be an unparenthesized conditional
        return (f"{cond.format(flag, flag)} ? {_wrapped(self.then, rnd, needs=isinstance(self.then, Cond))} : "
                f"{_wrapped(self.other, rnd, needs=False)}")

    def value(self) -> list[str]:
        return (self.then if self.flag else self.other).value()


@dataclass
class Filtered:
    """A term that is a sum inside a call: must be kept whole."""
    inner: Sum

    def text(self, rnd: random.Random) -> str:
        return f"({self.inner.text(rnd)}).filter(m, m != \"drop + me\")"

    def value(self) -> list[str]:
        return [m for m in self.inner.value() if m != "drop + me"]


ITEMS = ["k", "q", "z"]


@dataclass
class PerItem:
    """`variables.items.map(x, A + B).flatten()`, whose terms read the item."""
    terms: list[tuple[str, str]]  # (form, text)

    def text(self, rnd: random.Random) -> str:
        body = " + ".join(f"[x + {cel_literal(t)}]" if form == "each" else f"(x == {cel_literal(form)} ? [{cel_literal(t)}] : [])"
                          for form, t in self.terms)
        return f"variables.items.map(x, {body}).flatten()"

    def value(self) -> list[str]:
        return [x + t if form == "each" else t for x in ITEMS for form, t in self.terms if form in ("each", x)]


def _wrapped(node, rnd: random.Random, needs: bool) -> str:
    text = node.text(rnd)
    return f"({text})" if needs or rnd.random() < 0.3 else text


def _tree(rnd: random.Random, depth: int = 0):
    roll = rnd.random()
    if depth >= 3 or roll < 0.3:
        n = rnd.randint(0, 4)
        return Lit([rnd.choice(TRICKY) + "x" * rnd.choice([0, 5, 90, 240]) for _ in range(n)] +
                   (["drop + me"] if rnd.random() < 0.2 else []))
    if roll < 0.65:
        return Sum([_tree(rnd, depth + 1) for _ in range(rnd.randint(2, 5))])
    if roll < 0.8:
        return Cond(rnd.random() < 0.5, _tree(rnd, depth + 1), _tree(rnd, depth + 1))
    if roll < 0.9:
        return PerItem([(rnd.choice(["each", "k", "z", "nope"]), rnd.choice(TRICKY) + "y" * rnd.choice([0, 90, 240]))
                        for _ in range(rnd.randint(1, 5))])
    return Filtered(Sum([_tree(rnd, depth + 1) for _ in range(2)]))


def _policy(name: str, variables: list[dict[str, str]], problems: str, expected: list[str]) -> dict:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                                    "operations": ["CREATE"], "resources": ["pods"]}]},
            "variables": [{"name": "items", "expression": cel_literal(ITEMS)}, *variables,
                          {"name": "problems", "expression": problems}],
            "validations": [{"expression": f"variables.problems == {cel_literal(expected)}",
                             "messageExpression": "variables.problems.join(\"|\")"}],
        },
    }


CASES = 120


def test_cut_expressions_keep_their_value_in_the_api_servers_cel(tmp_path: Path):
    require_tool("celcheck")
    rnd = random.Random(20261204)
    files, cut, zipped = [], 0, 0
    for i in range(CASES):
        tree = _tree(rnd)
        text = tree.text(rnd)
        expected = tree.value()
        rewritten, parts = cel_split.split(text, lists=frozenset({"items"}))
        cut += bool(parts)
        zipped += "lists.range(size(variables.items))" in rewritten
        for label, variables, expr in (("whole", [], text), ("cut", parts, rewritten)):
            path = tmp_path / f"{label}-{i}.yaml"
            path.write_text(yaml.safe_dump(_policy(f"{label}-{i}", variables, expr, expected)), encoding="utf-8")
            files.append(path)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "x"}]}}
    reports = cost.check(files, pod)
    assert len(reports) == len(files)
    wrong = [(r.policy, r.compile_errors, r.errors, r.messages[:1]) for r in reports
             if r.compile_errors or r.errors or not r.allowed or not r.matched or not r.evaluated]
    assert not wrong, json.dumps(wrong[:5], indent=1, ensure_ascii=False)
    # the generator must reach the cutting: a test of whole expressions only would prove nothing
    assert cut > CASES // 3
    assert zipped > CASES // 20


@pytest.mark.parametrize("expr", [
    "variables.a" + " + variables.b" * 3 + " == []",                  # the sum is an operand of ==
    "variables.a + variables.b in [[]]",                               # ... of in
    "variables.a + variables.b - variables.c",                         # ... beside another operator
    "object.?spec.orValue([]) + variables." + "x" * 300,               # an optional field: not read
    "r\"a + b\" + variables." + "x" * 300,                             # a raw string: not read
    "'''a''' + variables." + "x" * 300,                                # a triple-quoted string
    "(variables.a + variables." + "x" * 300 + ").filter(m, true)",     # inside a call
    "variables.a + \"unterminated",
])
def test_what_is_not_certainly_a_sum_stays_whole(expr: str):
    assert cel_split.split(expr) == (expr, [])


def test_a_per_item_map_is_cut_only_over_a_certain_list():
    body = " + ".join(f"[x + {json.dumps(c * 250)}]" for c in "abc")
    expr = f"variables.items.map(x, {body}).flatten()"
    # a map's entries come in no fixed order: reading two walks of one by index could pair them wrongly
    assert cel_split.split(expr) == (expr, [])
    rewritten, parts = cel_split.split(expr, lists=frozenset({"items"}))
    assert rewritten == ("lists.range(size(variables.items)).map(i, variables.problems1[i] + variables.problems2[i]"
                         " + variables.problems3[i]).flatten()")
    assert [p["expression"] for p in parts] == [f"variables.items.map(x, [x + {json.dumps(c * 250)}])" for c in "abc"]


@pytest.mark.parametrize(("expr", "is_list"), [
    ("[1, 2]", True),
    ("variables.a.filter(x, x != 1)\n  .map(y, [y])\n  .flatten()", True),
    ("type(variables.w) == list ? variables.w.filter(w, type(w) == map) : []", True),
    ("type(variables.w) == list ? variables.w : []", False),
    ("variables.a", False),
    ("variables.a.map(x, x)[0]", False),
    ("variables.a.map(x, x) + variables.b", False),
    ('{"a": [1]}', False),
])
def test_what_certainly_yields_a_list(expr: str, is_list: bool):
    assert cel_split.yields_list(expr) is is_list


def test_large_terms_become_variables_in_order_and_small_ones_stay_inline():
    big = ["[" + json.dumps("m" * 300) + "]", "[" + json.dumps("n" * 300) + "]"]
    expr = f"!variables.inMesh ? [] : {big[0]} + [\"small\"] + ({big[1]})"
    rewritten, parts = cel_split.split(expr)
    assert [p["name"] for p in parts] == ["problems1", "problems2"]
    assert [p["expression"] for p in parts] == [big[0], big[1]]
    assert rewritten == '(!variables.inMesh ? [] : (variables.problems1 + ["small"] + variables.problems2))'


def test_generated_policies_are_cut(reference_dist):
    """SC003's problems, the longest expression, is read from parts in both CEL backends."""
    for backend in ("kyverno", "vap"):
        path = next((reference_dist / backend).rglob("sc003-unapproved-sidecar.yaml"))
        doc = next(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if "variables" in d["spec"])
        names = [v["name"] for v in doc["spec"]["variables"]]
        assert "problems1" in names and names[-1] == "problems", (backend, names)


def _top_level_by_hand(expr: str):
    """The scanner's contract, one character at a time: depth-0 characters outside strings, a string there
    as one '"'; None for an unterminated, triple-quoted, raw or bytes string, or unbalanced brackets."""
    out, stack, i, n = [], [], 0, len(expr)
    pairs = {"(": ")", "[": "]", "{": "}"}
    while i < n:
        c = expr[i]
        if c in "\"'":
            j = i + 1
            while j < n and expr[j] != c:
                if expr[j] == "\n" or (expr[j] == "\\" and (j + 1 >= n or expr[j + 1] == "\n")):
                    return None
                j += 2 if expr[j] == "\\" else 1
            if j >= n or expr.startswith(c * 3, i) or (i > 0 and expr[i - 1] in "rRbB"):
                return None
            if not stack:
                out.append((i, '"'))
            i = j + 1
            continue
        if c in pairs:
            if not stack:
                out.append((i, c))
            stack.append(pairs[c])
        elif c in ")]}":
            if not stack or stack.pop() != c:
                return None
        elif not stack:
            out.append((i, c))
        i += 1
    return None if stack else tuple(out)


def test_the_scanner_reads_nesting_as_a_character_by_character_reading_does():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=3000, deadline=None, database=None)
    @given(st.text(alphabet=list("ab()[]{}\"'\\ \n+?:rRbB.,é"), max_size=40))
    def check(expr):
        assert cel_split._top_level(expr) == _top_level_by_hand(expr)

    check()
