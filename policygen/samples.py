"""Samples: the resources an engine judges, read from YAML or JSON files.

A file holds one or more documents: plain resources (a CREATE by an untrusted
user), List objects (one resource per item) and AdmissionReview objects (the
request as given). Each resource may carry the verdict it expects in a comment
directive above its document:

    # expect: allow
    # expect: deny SC004 SC005
    # expect[2]: deny SC001      (item 2 of a List document)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

SAMPLE_SUFFIXES = (".yaml", ".yml", ".json")
_EXPECT = re.compile(r"^#\s*expect(?:\[(\d+)\])?\s*:\s*(.*?)\s*$")
_RULE_ID = re.compile(r"^(SC|CP)\d{3}$")
# Only spaces or tabs may follow "---" on its line; \s would swallow the next line.
_DOC_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)
# Who a plain resource comes from: a user in no group, so no trusted subject matches.
UNTRUSTED_USER = {"username": "policygen:untrusted-user", "groups": []}


@dataclass(frozen=True)
class Expectation:
    allowed: bool
    rules: frozenset[str] = frozenset()

    def describe(self) -> str:
        return "allow" if self.allowed else "deny " + " ".join(sorted(self.rules))


@dataclass
class Resource:
    file: str
    index: int  # position of the resource within its file, after List expansion
    review: dict[str, Any]  # Gatekeeper-shaped: operation, userInfo, object, oldObject, namespace
    source: dict[str, Any]  # the document as written (plain resource or AdmissionReview)
    expect: Expectation | None = None
    from_admission_review: bool = False

    @property
    def object(self) -> dict[str, Any]:
        obj = self.review.get("object")
        if not isinstance(obj, dict):
            obj = self.review.get("oldObject")
        return obj if isinstance(obj, dict) else {}

    @property
    def kind(self) -> str:
        kind = self.object.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def name(self) -> str:
        meta = self.object.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        return self.review.get("namespace") or "default"

    @property
    def operation(self) -> str:
        return self.review.get("operation", "CREATE")

    @property
    def label(self) -> str:
        return f"{self.file}#{self.index}"


@dataclass
class SampleSet:
    resources: list[Resource] = field(default_factory=list)

    @property
    def namespaces(self) -> dict[str, dict[str, Any]]:
        """Namespace objects among the inputs, keyed by name: the offline inventory."""
        found: dict[str, dict[str, Any]] = {}
        for res in self.resources:
            obj = res.object
            meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
            if obj.get("kind") == "Namespace" and isinstance(meta.get("name"), str) and res.operation != "DELETE":
                found[meta["name"]] = obj
        return dict(sorted(found.items()))


def _parse_expectation(text: str, file: str) -> Expectation:
    words = text.split()
    if words == ["allow"]:
        return Expectation(True)
    if len(words) >= 2 and words[0] == "deny" and all(_RULE_ID.match(w) for w in words[1:]):
        return Expectation(False, frozenset(words[1:]))
    raise InputError(file, f"expectation {text!r} is neither 'allow' nor 'deny' followed by rule IDs", "# expect")


def _object_namespace(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    # kubectl apply puts a resource without a namespace in "default".
    return ns if isinstance(ns, str) and ns else "default"


def _plain_review(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "operation": "CREATE",
        "userInfo": dict(UNTRUSTED_USER),
        "object": obj,
        "oldObject": None,
        "namespace": _object_namespace(obj),
    }


def _admission_review(doc: dict[str, Any], file: str, where: str) -> dict[str, Any]:
    req = doc.get("request")
    if not isinstance(req, dict):
        raise InputError(file, "an AdmissionReview needs a request mapping", f"{where}.request")
    op = req.get("operation")
    if op not in ("CREATE", "UPDATE", "DELETE", "CONNECT"):
        raise InputError(file, f"operation {op!r} is not CREATE, UPDATE, DELETE or CONNECT", f"{where}.request.operation")
    obj, old = req.get("object"), req.get("oldObject")
    main = old if op == "DELETE" else obj
    if not isinstance(main, dict):
        field_name = "oldObject" if op == "DELETE" else "object"
        raise InputError(file, f"a {op} request needs a {field_name} mapping", f"{where}.request.{field_name}")
    user = req.get("userInfo") if isinstance(req.get("userInfo"), dict) else {}
    ns = req.get("namespace") if isinstance(req.get("namespace"), str) and req.get("namespace") else _object_namespace(main)
    return {
        "operation": op,
        "userInfo": user,
        "object": obj if isinstance(obj, dict) else None,
        "oldObject": old if isinstance(old, dict) else None,
        "namespace": ns,
    }


def _split_documents(text: str) -> list[str]:
    return _DOC_SEPARATOR.split(text)


def load_file(path: Path, display: str | None = None) -> list[Resource]:
    file = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(file, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(file, "not UTF-8 text") from None
    resources: list[Resource] = []
    pending: dict[int | None, Expectation] = {}
    chunks = [text] if path.suffix == ".json" else _split_documents(text)
    for doc_no, chunk in enumerate(chunks):
        for line in chunk.splitlines():
            m = _EXPECT.match(line.strip())
            if m:
                pending[int(m.group(1)) if m.group(1) is not None else None] = _parse_expectation(m.group(2), file)
        try:
            doc = json.loads(chunk) if path.suffix == ".json" else yaml.safe_load(chunk)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"document {doc_no}" + (f", line {mark.line + 1}" if mark else "")
            raise InputError(file, f"not valid YAML/JSON: {getattr(exc, 'problem', None) or exc}", where) from None
        if doc is None:
            continue
        where = f"document {doc_no}"
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
            raise InputError(file, "a document is a Kubernetes object: a mapping with a string kind", where)
        if doc["kind"] == "List" or (doc["kind"].endswith("List") and isinstance(doc.get("items"), list)):
            items = doc.get("items")
            if not isinstance(items, list):
                raise InputError(file, "a List needs an items list", f"{where}.items")
            entries = []
            for i, item in enumerate(items):
                if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                    raise InputError(file, "a List item is a Kubernetes object with a kind", f"{where}.items[{i}]")
                entries.append((i, item, _plain_review(item), False))
        elif doc["kind"] == "AdmissionReview":
            entries = [(0, doc, _admission_review(doc, file, where), True)]
        else:
            entries = [(0, doc, _plain_review(doc), False)]
        for item_no, source, review, is_ar in entries:
            expect = pending.get(item_no, pending.get(None))
            resources.append(Resource(file, len(resources), review, source, expect, is_ar))
        pending = {}
    return resources


def collect_paths(paths: list[str | Path]) -> list[tuple[Path, str]]:
    """Files to read, with the name to report: folders walked, sorted, files as given."""
    out: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix in SAMPLE_SUFFIXES:
                    out.append((f, str(f)))
        elif p.exists():
            out.append((p, str(raw)))
        else:
            raise InputError(raw, "no such file or folder")
    return out


def load_samples(paths: list[str | Path]) -> SampleSet:
    resources: list[Resource] = []
    for path, display in collect_paths(paths):
        resources.extend(load_file(path, display))
    return SampleSet(resources)
