"""Type-confusion mutants: every field a rule reads, replaced with each wrong shape.

Starting points are resources that the policy denies (the `deny` reference
samples and the failing generated fixtures). Each mutant replaces one field
that some rule reads with a value of another shape: a string where a list or
map belongs, a map where a list belongs, a list of strings where objects
belong, null, a bool, a float where an integer belongs, an integer out of
range, an empty string, a list wrapped once more. Nested shapes one level down
come from walking every node, children included.

A mutant is paired with the resource it must be judged against (its
`reference`): the original, or for a null that Kubernetes reads as an absent
field, the original without that field. Wherever an engine denies the
reference, it must deny the mutant too.

Float mutants keep the value Kubernetes reads (1337 -> 1337.0 and 1337.5, not
1337 -> 0.0): `kubectl apply` turns a whole float into that integer, so a
"different" whole float would be a change of value, not of type.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Any, Callable, Iterator

Path_ = tuple[str | int, ...]

# Keys whose value some rule reads (SPEC.md, policygen/rules/<id>/rule.rego.jinja and rule.cel.jinja).
READ_KEYS = frozenset({
    # pod and pod templates
    "spec", "template", "jobTemplate", "metadata",
    "containers", "initContainers", "ephemeralContainers", "name", "image",
    "env", "value", "valueFrom", "envFrom", "args", "command",
    "volumes", "volumeMounts", "hostPath",
    "securityContext", "capabilities", "add", "drop", "privileged", "allowPrivilegeEscalation",
    "runAsNonRoot", "runAsUser", "runAsGroup", "readOnlyRootFilesystem",
    "resources", "limits", "requests", "cpu", "memory",
    "annotations", "labels", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace",
    "restartPolicy",
    # control plane
    "webhooks", "rules", "operations", "apiGroups", "clientConfig", "service", "url", "path",
    "failurePolicy", "verbs", "mtls", "mode", "portLevelMtls", "selector", "matchLabels",
    # AdmissionReview
    "userInfo", "username", "groups", "operation",
})
# Maps whose every value is read (labels, annotations, quantities, per-port modes).
READ_MAPS = frozenset({"labels", "annotations", "matchLabels", "limits", "requests", "portLevelMtls"})
# Values of these shapes are well-formed values there, not wrong shapes: Kubernetes
# takes numbers as quantities, an empty label value is a valid label value (so
# istio-injection: "" is a namespace that does not turn injection on, rightly
# allowed), and an RBAC rule's "" (or a null item, which decodes to "") is a
# valid string that grants nothing on webhooks.
VALUE_NOT_SHAPE = {
    "limits.*": {"int", "float"},
    "requests.*": {"int", "float"},
    "labels.*": {"empty-string"},
    "matchLabels.*": {"empty-string"},
    # kubectl apply puts an object whose namespace is "" in the current one: a place, not a shape.
    "namespace": {"empty-string"},
}
RBAC_KINDS = frozenset({"Role", "ClusterRole"})
RBAC_EMPTY = frozenset({"verbs[]", "resources[]", "apiGroups[]"})
# Never mutated: what the harness itself reads to place a resource (kind, namespace).
SKIP_TOP = frozenset({"apiVersion", "kind"})


@dataclass(frozen=True)
class Mutant:
    origin: str  # where the original comes from (sample file#index or fixture name)
    rule: str  # the rule(s) the original is denied for, e.g. "SC004" or "SC004+SC005"
    path: str  # the mutated field, e.g. spec.containers[1].securityContext.runAsUser
    field: str  # the field's key, the unit the coverage is counted in
    shape: str  # which wrong shape it got
    original: dict[str, Any] = dc_field(repr=False, compare=False)
    at: Path_ = dc_field(default=(), repr=False, compare=False)
    value: Any = dc_field(default=None, repr=False, compare=False)

    @cached_property
    def doc(self) -> dict[str, Any]:
        """The mutated document (plain resource or AdmissionReview), built on demand."""
        mutated = _copy(self.original)
        _set(mutated, self.at, self.value)
        return mutated

    @cached_property
    def reference(self) -> dict[str, Any]:
        """What the mutant is judged against: denied there means denied here.

        Kubernetes reads a null field of a mapping as an absent one, so a null
        mutant is judged against the original without that field.
        """
        if self.shape == "null" and not isinstance(self.at[-1], int):
            reference = _copy(self.original)
            _delete(reference, self.at)
            return reference
        return self.original

    @property
    def name(self) -> str:
        return f"{self.origin}:{self.path}={self.shape}"


def _copy(doc: Any) -> Any:
    """A deep copy of a JSON document (faster than copy.deepcopy)."""
    return json.loads(json.dumps(doc))


def _names(items: list[Any]) -> list[str]:
    """A list of strings standing in for a list of objects: their names, else their JSON."""
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append(item["name"])
        else:
            out.append(json.dumps(item, sort_keys=True))
    return out


def shapes(value: Any) -> list[tuple[str, Any]]:
    """Every wrong shape for a value of this type; null is handled by the caller."""
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        out += [
            ("string", json.dumps(value, sort_keys=True)),
            ("empty-string", ""),
            ("list-of-strings", sorted(str(k) for k in value)),
            ("list", [value]),
            ("bool", True),
            ("int", 1337),
        ]
    elif isinstance(value, list):
        out += [
            ("string", ",".join(_names(value)) or "x"),
            ("empty-string", ""),
            ("map", {str(i): item for i, item in enumerate(value)} or {"x": "x"}),
            ("nested-list", [value]),
            ("bool", True),
            ("int", 1337),
        ]
        if any(isinstance(item, dict) for item in value):
            out.append(("list-of-strings", _names(value)))
    elif isinstance(value, bool):
        out += [
            ("string", "true" if value else "false"),
            ("empty-string", ""),
            ("int", int(value)),
            ("list", [value]),
            ("map", {"value": value}),
        ]
    elif isinstance(value, int):
        out += [
            ("float-whole", float(value)),
            ("float-fraction", value + 0.5),
            ("int-negative", -1),
            # Exact in int64, not in float64: an engine that prints numbers back through a float64 (gator)
            # must still find its input (a red team, 2026-12-06).
            ("int-2^53+1", 2**53 + 1),
            ("int-2^63-1", 2**63 - 1),
            ("int-2^63", 2**63),
            ("int-2^64", 2**64),
            ("string", str(value)),
            ("empty-string", ""),
            ("bool", True),
            ("list", [value]),
        ]
    elif isinstance(value, float):
        out += [
            ("float-fraction", value + 0.5),
            ("string", str(value)),
            ("bool", True),
            ("list", [value]),
        ]
    elif isinstance(value, str):
        out += [
            ("int", 1337),
            ("float", 1337.5),
            ("bool", value.lower() != "false"),
            ("list", [value]),
            ("map", {"value": value}),
        ]
        if value != "":
            out.append(("empty-string", ""))
    return out


def _walk(node: Any, path: Path_, parent_key: str | None) -> Iterator[tuple[Path_, str, Any]]:
    """(path, field key, value) of every node a rule reads, depth first."""
    if isinstance(node, dict):
        for key in sorted(node, key=str):
            if not path and key in SKIP_TOP:
                continue
            # The object's own namespace places it in or out of the mesh (a template's has none).
            read = key in READ_KEYS or parent_key in READ_MAPS or (path == ("metadata",) and key == "namespace")
            if read:
                yield path + (key,), (f"{parent_key}.*" if parent_key in READ_MAPS else key), node[key]
            yield from _walk(node[key], path + (key,), key)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if parent_key in READ_KEYS:
                yield path + (i,), f"{parent_key}[]", item
            yield from _walk(item, path + (i,), parent_key)


def _show(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _set(doc: Any, path: Path_, value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def _delete(doc: Any, path: Path_) -> None:
    for part in path[:-1]:
        doc = doc[part]
    del doc[path[-1]]


def _roots(doc: dict[str, Any]) -> list[Path_]:
    """Where mutation starts: the object, and an AdmissionReview's userInfo and operation."""
    if doc.get("kind") != "AdmissionReview":
        return [()]
    req = doc.get("request", {})
    roots: list[Path_] = [("request", "userInfo"), ("request", "operation")]
    roots += [("request", k) for k in ("object", "oldObject") if isinstance(req.get(k), dict)]
    return roots


def _at(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def field_types(docs: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The types each read field has in well-formed documents (the benign samples and fixtures)."""
    found: dict[str, set[str]] = {}
    for doc in docs:
        for root in _roots(doc):
            for _, field, value in _walk(_at(doc, root), (), root[-1] if root and root[-1] in ("userInfo", "operation") else None):
                if value is not None:
                    found.setdefault(field, set()).add(_kind(value))
    return found


def _scalar_text(value: str) -> bool:
    """A string that reads as a number or a bool, so its typed form may be the well-formed value."""
    try:
        return not isinstance(json.loads(value), (str, dict, list, type(None)))
    except ValueError:
        return False


def mutants_of(origin: str, rule: str, doc: dict[str, Any], types: dict[str, set[str]]) -> list[Mutant]:
    """Every type-confusion mutant of one denied document (described; built on demand).

    A field whose value already has a shape that well-formed documents never
    give it (a malformed sample's own malformation) is not mutated: a wrong
    shape of a wrong shape may be the right one.
    """
    out: list[Mutant] = []
    for root in _roots(doc):
        top = _at(doc, root)
        rbac = isinstance(top, dict) and top.get("kind") in RBAC_KINDS
        if root and root[-1] in ("userInfo", "operation"):
            nodes = [(root, root[-1], top)] + [(root + p, f, v) for p, f, v in _walk(top, (), root[-1])]
        else:
            nodes = [(root + p, f, v) for p, f, v in _walk(top, (), None)]
        for path, field, value in nodes:
            if field in types and value is not None and _kind(value) not in types[field]:
                continue
            variants = shapes(value)
            if isinstance(value, str) and _scalar_text(value):
                variants = [(s, v) for s, v in variants if s not in ("int", "float", "bool")]
            variants = [(s, v) for s, v in variants if s not in VALUE_NOT_SHAPE.get(field, ())]
            if field in RBAC_EMPTY and rbac:
                variants = [(s, v) for s, v in variants if s != "empty-string"]
            if value is not None and not (field in RBAC_EMPTY and rbac):
                variants.append(("null", None))
            for shape, new in variants:
                out.append(Mutant(origin, rule, _show(path), field, shape, doc, path, new))
    return out


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def sample(mutants: list[Mutant], limit: int, seed: int) -> list[Mutant]:
    """A deterministic subset of at most limit mutants that keeps every (field, shape) pair.

    First one mutant per (field, shape) pair, then one per (rule, field, shape)
    (the rule the original is denied for), then one per (origin, field, shape),
    then the rest, each stratum in a seeded order: coverage of what is mutated
    comes before repetition of the same mutation on other originals.
    """
    return stratified(mutants, limit, seed, (
        lambda m: (m.field, m.shape),
        lambda m: (m.rule, m.field, m.shape),
        lambda m: (m.origin, m.field, m.shape),
        lambda m: m.name,
    ))


def stratified(items: list[Any], limit: int, seed: int, strata: tuple[Callable[[Any], Any], ...]) -> list[Any]:
    """At most limit items (each with a unique .name), in a seeded order: one per key of the first stratum,
    then of the next, and so on; a key of None leaves the item to a later stratum."""
    rng = random.Random(seed)
    ordered = sorted(items, key=lambda m: (_stable(m.name), m.name))
    rng.shuffle(ordered)
    picked: list[Any] = []
    taken: set[str] = set()
    for key in strata:
        seen: set = set()
        for m in ordered:
            if len(picked) >= limit:
                return picked
            k = key(m)
            if k is None or m.name in taken or k in seen:
                continue
            seen.add(k)
            taken.add(m.name)
            picked.append(m)
    return picked
