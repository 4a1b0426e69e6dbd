"""`gator test -o json`: the plain resources of a batch, in one process, as Gatekeeper's audit sees them.

gator reviews them without a request; the templates read that as a CREATE by an
untrusted user, as SPEC.md reads a plain resource. Every input object lands in
gator's ``data.inventory``, so the Namespace objects among the inputs select
mesh namespaces, as in the OPA engine. Results come back with the violating
object, which maps them to their input resource.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from ...backends.manifest import RuleOutput
from ...plan import Plan
from ...render import to_json
from ...samples import Resource
from ...verdicts import Violation
from .. import runner
from ..runner import BatchFailed
from .objects import canonical, with_api_version


def judge_plain(binary: Path, work: Path, root: Path, outputs: list[RuleOutput], plan: Plan, batch: list[Resource],
                plain: list[int], namespaces: list[dict[str, Any]]) -> dict[int, list[Violation]]:
    """One `gator test` over the batch's plain resources, with the inputs' Namespaces as inventory.

    Rule and check come from each result's details (set by the template from
    its plan) and are checked against the reporting Constraint's rule-id
    annotation; the message is shown, never parsed.
    """
    by_object: dict[str, list[int]] = defaultdict(list)
    docs: list[str] = []
    for i in plain:
        obj = with_api_version(batch[i].object)
        by_object[canonical(obj)].append(i)
        docs.append(to_json(obj))
    # The inventory's Namespaces (samples.inventory, in normal form) come last: gator stores every
    # object it is given in data.inventory, the last of a name winning, so a Namespace of this batch
    # as written (another apiVersion, extra fields) never changes the inventory, which is the same
    # for every batch however the run is split. Those that arrived inside AdmissionReviews or sit in
    # another batch are inventory only here; their own verdicts come from elsewhere.
    extras = set()
    for ns in namespaces:
        ns = with_api_version(ns)
        key = canonical(ns)
        if key not in by_object:
            extras.add(key)
        docs.append(to_json(ns))
    inputs = work / "resources.yaml"
    inputs.write_text("\n---\n".join(docs) + "\n", encoding="utf-8")
    argv: list[Any] = [binary, "test", "--output=json", "--filename", inputs]
    for out in outputs:
        argv += [arg for rel in out.files for arg in ("--filename", root / rel)]
    proc = runner.run(argv)
    try:
        answer = json.loads(proc.stdout) if proc.stdout.strip() else None
    except json.JSONDecodeError:
        answer = None
    if proc.returncode not in (0, 1) or "panic:" in proc.stderr or (answer is None and proc.stdout.strip() != "null"):
        raise BatchFailed(f"gator test failed (exit {proc.returncode}): {runner.tail(proc)}")
    if answer is None:
        if proc.returncode != 0:
            raise BatchFailed(f"gator test failed (exit {proc.returncode}): {runner.tail(proc)}")
        answer = []
    if not isinstance(answer, list):
        raise BatchFailed(f"gator test answered {str(answer)[:300]!r}, not a list of results")
    found: dict[int, list[Violation]] = defaultdict(list)
    for result in answer:
        obj = result.get("violatingObject") if isinstance(result, dict) else None
        if not isinstance(obj, dict):
            raise BatchFailed(f"gator test answered a result without a violatingObject: {str(result)[:300]!r}")
        key = canonical(obj)
        if key in extras:
            continue
        if key not in by_object:
            raise BatchFailed(f"gator test reported a violation on an object that is no input: {str(result)[:300]!r}")
        violation = _violation(plan, result)
        for i in by_object[key]:
            found[i].append(violation)
    return found


def _violation(plan: Plan, result: dict[str, Any]) -> Violation:
    """A gator test result as a violation: rule and check from its details, the message as shown."""
    meta = result.get("metadata")
    details = meta.get("details") if isinstance(meta, dict) else None
    if not isinstance(details, dict):
        raise BatchFailed(f"gator test answered a result without details: {str(result)[:300]!r}")
    constraint = result.get("constraint")
    annotations = (constraint.get("metadata") or {}).get("annotations") if isinstance(constraint, dict) else None
    owner = annotations.get("policygen.dev/rule-id") if isinstance(annotations, dict) else None
    if owner != details.get("rule"):
        raise BatchFailed(f"gator test answered a {details.get('rule')!r} violation from the constraint of {owner!r}")
    return runner.structured("gator", plan, {**details, "msg": result.get("msg")}, "gator test")
