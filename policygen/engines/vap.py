"""Offline ValidatingAdmissionPolicy evaluation with the API server's own admission code.

`tools/celcheck` (our Go program on k8s.io/apiserver v0.37.2, `policygen tools
install celcheck`) loads the generated policies and bindings once and, for
every request in one batch, does what the validating-admission-policy plugin
does: matches the policy's `matchConstraints` and the binding's
`matchResources` with the API server's matcher (namespace selectors against
the Namespaces given), then evaluates `matchConditions`, variables and
validations with the plugin's validator under the runtime cost budget, with
the request's operation, object, oldObject, user and `namespaceObject`.

What it does not model (docs/vap.md): the API server's defaulting and
validation of an object before admission (a type-confused pod that a real API
server would refuse is judged here), its decoding beyond ObjectMeta (an object
whose metadata would not decode is denied, policygen/objectmeta.py), `validationActions` (every denial is
a violation), equivalent-resource matching across API versions, and the
authorizer. SC012 has no VAP and is reported in notEvaluated for every pod
write, never as passed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from .. import tools
from ..backends.cel import JUDGED_SUBRESOURCES, NAMESPACE_NAME_LABEL
from ..backends.vap import VapBackend
from ..errors import EngineError
from ..kinds import NAMESPACED_KINDS, default_api_version
from ..leaves import leaves
from ..objectmeta import undecodable
from ..plan import Plan
from ..rules import CATALOGUE
from ..samples import UNTRUSTED_USER, Resource, SampleSet
from ..verdicts import ENGINE_RULE, Verdict, Violation
from . import cel_messages, runner
from .status import status_unjudged



BEYOND_FLOAT64 = "the resource holds a number beyond a 64-bit float, which the evaluator cannot decode"


def _float64_numbers(value: Any) -> bool:
    """Every number in value fits a 64-bit float, as Go's JSON decoder reads a number into interface{}."""
    return all(_fits_float64(v) for v in leaves(value, keys=False))


def _fits_float64(value: Any) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _object(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        return None
    # Given runner.as_json's fresh copy, whose metadata the caller may fill in: no deep copy, which would
    # exhaust Python's recursion limit on a resource nested a few hundred levels deep.
    obj = dict(obj)
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
    if not isinstance(obj.get("apiVersion"), str) or not obj.get("apiVersion"):
        obj["apiVersion"] = default_api_version(kind) or "v1"
    return obj


def _request(res: Resource) -> dict[str, Any]:
    rev = res.review
    op = res.operation if res.operation in ("CREATE", "UPDATE", "DELETE", "CONNECT") else "CREATE"
    obj = None if op == "DELETE" else _object(rev.get("object"))
    old = _object(rev.get("oldObject"))
    target = obj if obj is not None else old
    kind = target.get("kind") if target else None
    namespace = ""
    if kind in NAMESPACED_KINDS:
        meta = target.get("metadata") if isinstance(target.get("metadata"), dict) else {}
        ns = meta.get("namespace")
        request_ns = rev.get("namespace") if isinstance(rev.get("namespace"), str) else ""
        namespace = ns if isinstance(ns, str) and ns else (request_ns or "default")
        # The API server fills in a missing namespace; metadata of the wrong shape is left as it is,
        # for the policies to deny (or, failing that, the undecodable check in evaluate()).
        for o in (obj, old):
            if o is not None and isinstance(o.get("metadata"), dict) and o["metadata"].get("namespace") in (None, ""):
                o["metadata"]["namespace"] = namespace
    info = rev.get("userInfo") if isinstance(rev.get("userInfo"), dict) else dict(UNTRUSTED_USER)
    username = info.get("username") if isinstance(info.get("username"), str) else ""
    groups = [g for g in info.get("groups") or [] if isinstance(g, str)] if isinstance(info.get("groups"), list) else []
    # A subresource the rules match (a pod's, a Namespace's status or finalize) goes as it came (the status
    # condition reads it), and so does a controller's status write, which no policy matches, as in a cluster
    # (engines/status.py). Any other subresource is judged as a write of the object itself, as the other
    # engines judge it.
    given = rev.get("subResource")
    sub = given if given in JUDGED_SUBRESOURCES.get(kind, ()) or status_unjudged(rev, kind) else ""
    return {"operation": op, "object": obj, "oldObject": old, "namespace": namespace, "subResource": sub,
            "userInfo": {"username": username, "groups": groups}}


def _namespaces(samples: SampleSet, plan: Plan, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Namespace objects as the API server would hold them: the inputs' labels, every namespace a
    request uses, each with its `kubernetes.io/metadata.name` label."""
    # The inventory holds each namespace's labels as a map of strings (policygen/inventory.py).
    labels: dict[str, dict[str, str]] = {name: dict(ns["metadata"]["labels"]) for name, ns in samples.inventory(plan).items()}
    for req in requests:
        if req["namespace"]:
            labels.setdefault(req["namespace"], {})
    return [{"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": name, "labels": {**v, NAMESPACE_NAME_LABEL: name}}}
            for name, v in sorted(labels.items())]


class VapEngine:
    name = "vap"
    tool = "celcheck"
    backend = "vap"

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        binary = tools.find(self.tool)
        root = Path(dist) / self.backend
        files = [root / rel for out in VapBackend.outputs(plan) for rel in out.files]
        missing = [p for p in files if not p.is_file()]
        if missing:
            raise EngineError(f"vap: generated policy missing: {missing[0]}")
        by_policy = {CATALOGUE[r.rule_id].policy_name: r.rule_id for r in plan.rules}
        messages: list[set[Violation]] = [set() for _ in samples.resources]
        # A resource with no JSON form (too deep, not finite), or with a number the evaluator's decoder
        # (Go's, as the API server's) cannot read, would fail the whole run: it is denied unjudged, as
        # every engine denies what it cannot read, and an empty request keeps its place.
        sendable = [runner.as_json(res) for res in samples.resources]
        for i, res in enumerate(sendable):
            if res is None:
                messages[i].add(Violation.engine_failure(self.name, runner.UNENCODABLE))
            elif not _float64_numbers(res.review):
                messages[i].add(Violation.engine_failure(self.name, BEYOND_FLOAT64))
                sendable[i] = None
        requests = [_request(res) if res is not None else None for res in sendable]
        with tempfile.TemporaryDirectory(prefix="policygen-vap-") as tmp:
            req_path, ns_path = Path(tmp) / "requests.json", Path(tmp) / "namespaces.json"
            req_path.write_text(json.dumps(requests), encoding="utf-8")
            ns_path.write_text(json.dumps(_namespaces(samples, plan, [r for r in requests if r is not None])),
                               encoding="utf-8")
            argv = [str(binary), "-requests", str(req_path), "-namespaces", str(ns_path), *map(str, files)]
            proc = runner.run(argv, timeout=1800)
        if proc.returncode != 0 or "panic:" in proc.stderr:
            raise EngineError(f"celcheck failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        for line in proc.stdout.split("\n"):
            if not line.strip():
                continue
            try:
                result = json.loads(line)
                index, policy = int(result["index"]), str(result["policy"])
            except (ValueError, KeyError, TypeError) as exc:
                raise EngineError(f"celcheck printed an unreadable result: {line[:300]}") from exc
            rule_id = by_policy.get(policy)
            if rule_id is None or not 0 <= index < len(samples.resources):
                raise EngineError(f"celcheck reported a result policygen cannot place: {line[:300]}")
            for text in result.get("messages") or []:
                messages[index].update(cel_messages.violations(rule_id, str(text)))
            for text in result.get("errors") or []:
                # failurePolicy: Fail: an evaluation error (a cost overrun included) denies.
                messages[index].add(Violation.engine_failure(
                    "vap", f"policy {policy} ({rule_id}) could not evaluate: {' '.join(str(text).split())}"))
        for i, res in enumerate(samples.resources):
            # An object the API server would not have decoded is denied anyway, and an expression that
            # could not evaluate on it says why: the evaluator reads raw data that admission never sees.
            if (reason := undecodable(res.review)) is not None:
                errors = {v for v in messages[i] if v.rule == ENGINE_RULE}
                if errors or not messages[i]:
                    messages[i] = (messages[i] - errors) | {Violation.engine_failure("vap", reason)}
        return runner.verdicts(self.name, plan, samples.resources, messages, runner.signatures_undecided(plan, samples.resources))
