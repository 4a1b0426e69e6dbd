"""`gator verify` on a generated Suite: what `gator test` cannot judge.

AdmissionReview samples (their operation and userInfo as given: only verify
passes a request through) and resources that `gator test` would load as policy
(templates, constraints, mutators, expansion templates). Each such resource is
one case per template, asserting no violations; a failed assertion lists the
messages, which are read back from the report.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ...backends.manifest import RuleOutput
from ...checks import CHECKS
from ...plan import Plan
from ...render import to_json, to_yaml
from ...samples import Resource
from ...verdicts import Violation
from .. import runner
from ..runner import BatchFailed
from .objects import admission_review, with_api_version

# gator's own words come first, before any message text: "<why>: got N violations [containing "<regex>"]
# but want exactly 0: got messages [<messages>]".
_VIOLATIONS = re.compile(
    r'(?:[^:\n]*: )?got (\d+) violations(?: containing "(?:[^"\\]|\\.)*")? but want exactly 0: got messages \[(.*)\]\s*\Z', re.DOTALL
)
_CASE_RESULT = re.compile(r"^    --- (PASS|FAIL): (\S+)\t")
_TEST_RESULT = re.compile(r"^--- (PASS|FAIL): (\S+)\t")
_TEST_RUN = re.compile(r"^=== RUN   (\S+)$")


def judge_reviewed(binary: Path, work: Path, dist_root: Path, outputs: list[RuleOutput], plan: Plan, batch: list[Resource],
                   reviewed: list[int], namespaces: list[dict[str, Any]]) -> dict[int, list[Violation]]:
    """One `gator verify` of a generated Suite: every (template, resource) pair is a case.

    Each test is one rule, so the rule ID is the test's; gator reports the
    count of violations, and the messages are split back only where exactly
    that many start with the rule's code (an echoed value that looks like one
    makes the count disagree: the resource is then unjudged, never passed).
    """
    root = work / "verify"
    (root / "objects").mkdir(parents=True)
    inventory = ""
    if namespaces:
        inventory = "inventory.yaml"
        (root / inventory).write_text(
            "\n---\n".join(to_json(with_api_version(ns)) for ns in namespaces) + "\n", encoding="utf-8"
        )
    cases = []
    for i in reviewed:
        path = f"objects/r{i}.yaml"
        (root / path).write_text(to_json(admission_review(batch[i], i)) + "\n", encoding="utf-8")
        cases.append((i, path))
    tests = []
    for out in outputs:
        rule_id = out.rule_id
        # A case the constraint's match skips has no violations; skipping it saves a template compile.
        mine = [(i, path) for i, path in cases if out.matches(with_api_version(batch[i].object))]
        if not mine:
            continue
        folder = root / "policies" / rule_id
        folder.mkdir(parents=True)
        template, constraint = out.files
        (folder / "template.yaml").write_bytes((dist_root / template).read_bytes())
        (folder / "constraint.yaml").write_bytes((dist_root / constraint).read_bytes())
        tests.append({
            "name": rule_id,
            "template": f"policies/{rule_id}/template.yaml",
            "constraint": f"policies/{rule_id}/constraint.yaml",
            "cases": [case for i, path in mine for case in _cases(rule_id, i, path, inventory)],
        })
    if not tests:
        return {}
    suite = {"apiVersion": "test.gatekeeper.sh/v1alpha1", "kind": "Suite", "metadata": {"name": "policygen-eval"}, "tests": tests}
    (root / "suite.yaml").write_text(to_yaml(suite), encoding="utf-8")
    proc = runner.run([binary, "verify", "-v", root / "suite.yaml"])
    if "panic:" in proc.stderr:
        raise BatchFailed(f"gator verify panicked: {runner.tail(proc)}")
    results = parse_verify_report(proc.stdout + proc.stderr, {t["name"]: [c["name"] for c in t["cases"]] for t in tests})
    found: dict[int, list[Violation]] = defaultdict(list)
    for test in tests:
        rule_id = test["name"]
        for i in sorted({int(c["name"].split(".")[0][1:]) for c in test["cases"]}):
            total, text = results[(rule_id, f"r{i}")]
            counts = {check: results[(rule_id, f"r{i}.{check}")][0] for check in sorted(CHECKS[rule_id])}
            if sum(counts.values()) != total:
                raise BatchFailed(
                    f"gator verify counted {total} {rule_id} violations, {sum(counts.values())} of them with a catalogued check"
                )
            found[i].extend(violations(plan, rule_id, counts, total, text))
    return found


def _cases(rule_id: str, i: int, path: str, inventory: str) -> list[dict[str, Any]]:
    """One case counting every violation, and one per check code counting the messages that start with it.

    gator stops a case at its first failed assertion, so each count is a case of its own.
    """
    assertions = [("", {"violations": 0})] + [
        (f".{check}", {"message": f"^{re.escape(f'{rule_id}/{check}')} ", "violations": 0}) for check in sorted(CHECKS[rule_id])
    ]
    cases = []
    for suffix, assertion in assertions:
        case: dict[str, Any] = {"name": f"r{i}{suffix}", "object": path, "assertions": [assertion]}
        if inventory:
            case["inventory"] = [inventory]
        cases.append(case)
    return cases


def violations(plan: Plan, rule_id: str, counts: dict[str, int], total: int, text: str) -> list[Violation]:
    """Violations from gator's counts per check; the messages are gator's where they split cleanly.

    The (rule, check) pairs come from the counts alone. The text is split into
    messages only to show them: when an echoed value makes the split disagree
    with the counts, each violation gets a message that says so instead.
    """
    want = Counter({check: n for check, n in counts.items() if n})
    try:
        messages = split_messages(text, total, rule_id)
        got = Counter(m[len(rule_id) + 1 :].split(" ", 1)[0] for m in messages)
        if got != want:
            raise BatchFailed("messages disagree with the counts")
        return [runner.structured("gator", plan, {"rule": rule_id, "check": m[len(rule_id) + 1 :].split(" ", 1)[0], "msg": m}, "gator verify")
                for m in messages]
    except BatchFailed:
        shown = " ".join(text.split())[:300]
        return [
            runner.structured("gator", plan, {"rule": rule_id, "check": check, "msg": f"{rule_id}/{check} gator verify reported {n} such violation(s) "
                              f"among messages it printed as: {shown}"}, "gator verify")
            for check, n in want.items()
        ]


def split_messages(text: str, count: int, rule_id: str) -> list[str]:
    """Go's %v of a []string of count messages, each starting with ``rule_id/``, back into messages.

    Only a split into exactly count messages is accepted: an echoed value that
    looks like a message start adds a boundary, and the disagreement is the
    batch's failure, never a violation made up from text.
    """
    if count == 0:
        return []
    starts = [m.start() + 1 for m in re.finditer(re.escape(f" {rule_id}/"), text)]
    if not text.startswith(f"{rule_id}/") or len(starts) != count - 1:
        raise BatchFailed(
            f"gator reported {count} {rule_id} violations whose messages cannot be told apart: {text[:500]!r}"
        )
    bounds = [0, *starts, len(text) + 1]
    return [text[bounds[i] : bounds[i + 1] - 1] for i in range(count)]


def parse_verify_report(report: str, tests: dict[str, list[str]]) -> dict[tuple[str, str], tuple[int, str]]:
    """(test, case) -> (count of violations, gator's %v of their messages) from `gator verify -v`.

    The count is gator's, read from before any message text; anything
    unexpected raises BatchFailed.
    """
    results: dict[tuple[str, str], tuple[int, str]] = {}
    lines = report.splitlines()
    test: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if m := _TEST_RUN.match(line):
            test = m.group(1)
            continue
        if m := _CASE_RESULT.match(line):
            status, case = m.groups()
            if test is None:
                raise BatchFailed(f"gator verify reported case {case} outside a test:\n{report[-2000:]}")
            if status == "PASS":
                results[(test, case)] = (0, "")
                continue
            body = []
            while i < len(lines) and not re.match(r"^(    )?(---|===) |^(ok|FAIL)\t|^(PASS|FAIL)$", lines[i]):
                body.append(lines[i])
                i += 1
            error = "\n".join(body).strip()
            found = _VIOLATIONS.match(error)
            if not found:
                raise BatchFailed(f"gator verify failed on {test}/{case}: {error[:2000]}")
            results[(test, case)] = (int(found.group(1)), found.group(2))
            continue
        if m := _TEST_RESULT.match(line):
            status, name = m.groups()
            if status == "FAIL" and i < len(lines) and lines[i].startswith("  ") and not lines[i].startswith("    "):
                raise BatchFailed(f"gator verify could not run {name}: {lines[i].strip()}")
    missing = [f"{t}/{c}" for t, cases in tests.items() for c in cases if (t, c) not in results]
    if missing:
        raise BatchFailed(f"gator verify gave no result for {', '.join(missing[:10])}:\n{report[-3000:]}")
    return results
