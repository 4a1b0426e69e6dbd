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

import fnmatch
import math
import os
import re
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import kubeyaml
from .errors import InputError
from .kinds import POD_KINDS, foreign, is_cluster_scoped, unread_pod_template, unserved
from .objectmeta import undecodable
from .visible import visible

if TYPE_CHECKING:
    from .plan import Plan

SAMPLE_SUFFIXES = (".yaml", ".yml", ".json")
_RULE_ID = re.compile(r"^((SC|CP)\d{3}|ENGINE)$")  # ENGINE: denied unjudged, as every engine must
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
    review: dict[str, Any]  # Gatekeeper-shaped: operation, userInfo, object, oldObject, namespace, subResource
    source: dict[str, Any]  # the document as written (plain resource or AdmissionReview)
    expect: Expectation | None = None
    from_admission_review: bool = False
    document: int = 0  # 1-based number of the document in its file (kubectl's --- split); 0 when built in code
    line: int = 0  # 1-based line where the object starts; 0 when built in code

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
        """The namespace the object lives in; "" for a cluster-scoped kind (a Namespace, a ClusterRole...)."""
        if is_cluster_scoped(self.kind):
            return ""
        return self.review.get("namespace") or "default"

    @property
    def display(self) -> str:
        """`Kind namespace/name`, or `Kind name` for a cluster-scoped kind: what the object is called."""
        ns = self.namespace
        return f"{self.kind or '?'} {ns + '/' if ns else ''}{self.name or '?'}"

    @property
    def operation(self) -> str:
        return self.review.get("operation", "CREATE")

    @property
    def label(self) -> str:
        return f"{self.file}#{self.index}"

    @property
    def unserved(self) -> str | None:
        """Why no API server would take the object (or old object) under its apiVersion (kinds.unserved), or None."""
        for role in ("object", "oldObject"):
            obj = self.review.get(role)
            if isinstance(obj, dict) and (reason := unserved(obj.get("kind"), obj.get("apiVersion"))) is not None:
                return f"{role} {reason}" if self.from_admission_review else reason
        return None

    @property
    def undecodable(self) -> str | None:
        """Why the API server would not decode the object's (or old object's) metadata (objectmeta.undecodable), or None."""
        return undecodable(self.review)

    @property
    def foreign(self) -> bool:
        """A custom resource named like a kind the rules read (kinds.foreign): no rule reads it."""
        return foreign(self.object.get("kind"), self.object.get("apiVersion"))

    @cached_property
    def unread_template(self) -> str | None:
        """Where the object keeps containers that no rule reads (kinds.unread_pod_template), or None: searched once,
        as the verdicts, the warnings and the report each ask."""
        obj = self.object
        return unread_pod_template(obj.get("kind"), obj.get("apiVersion"), obj)


@dataclass
class SampleSet:
    resources: list[Resource] = field(default_factory=list)

    def inventory(self, plan: Plan) -> dict[str, dict[str, Any]]:
        """The offline inventory: the Namespaces among the inputs by name, in the normal form every engine
        reads, one version per name (policygen/inventory.py)."""
        from .inventory import Inventory

        return Inventory(self.resources).namespaces(plan)


def _parse_expectation(text: str, file: str, loc: str = "# expect") -> Expectation:
    words = text.split()
    if words == ["allow"]:
        return Expectation(True)
    if len(words) >= 2 and words[0] == "deny" and all(_RULE_ID.match(w) for w in words[1:]):
        return Expectation(False, frozenset(words[1:]))
    raise InputError(file, f"expectation {text!r} is neither 'allow' nor 'deny' followed by rule IDs (or ENGINE)", loc)


def _object_namespace(obj: dict[str, Any]) -> str:
    if is_cluster_scoped(obj.get("kind")):
        return ""  # the API server ignores a namespace on a cluster-scoped object
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
        "subResource": "",
    }


def _admission_review(doc: dict[str, Any], file: str, where: str) -> dict[str, Any]:
    req = doc.get("request")
    if not isinstance(req, dict):
        raise InputError(file, "an AdmissionReview needs a request mapping", f"{where}, request")
    op = req.get("operation")
    if op not in ("CREATE", "UPDATE", "DELETE", "CONNECT"):
        raise InputError(file, f"operation {op!r} is not CREATE, UPDATE, DELETE or CONNECT", f"{where}, request.operation")
    obj, old = req.get("object"), req.get("oldObject")
    main = old if op == "DELETE" else obj
    if not isinstance(main, dict):
        field_name = "oldObject" if op == "DELETE" else "object"
        raise InputError(file, f"a {op} request needs a {field_name} mapping", f"{where}, request.{field_name}")
    for field_name, value in (("object", obj), ("oldObject", old)):
        # The API server sends objects with a kind: one of another type would be judged by no rule in one
        # engine and break the run in another, as in a List item.
        if isinstance(value, dict) and (not isinstance(value.get("kind"), str) or not value["kind"]):
            raise InputError(file, "an admission request's object is a Kubernetes object with a string kind",
                             f"{where}, request.{field_name}.kind")
        # The API server admits one object at a time; the Kyverno CLI panics on a list here.
        if isinstance(value, dict) and is_list(value):
            raise InputError(file, "an admission request holds one object, not a list (it has items)", f"{where}, request.{field_name}")
    user = req.get("userInfo") if isinstance(req.get("userInfo"), dict) else {}
    ns = req.get("namespace") if isinstance(req.get("namespace"), str) and req.get("namespace") else _object_namespace(main)
    return {
        "operation": op,
        "userInfo": user,
        "object": obj if isinstance(obj, dict) else None,
        "oldObject": old if isinstance(old, dict) else None,
        "namespace": ns,
        "subResource": req.get("subResource") if isinstance(req.get("subResource"), str) else "",
        # Kept only where set: a dry run stores nothing, so its Namespace is no namespace's last word (inventory.py).
        **({"dryRun": req["dryRun"]} if req.get("dryRun") not in (None, False) else {}),
    }


def reread(file: str, index: int, source: dict[str, Any], document: int, line: int) -> Resource:
    """A resource again from its document as spooled (policygen/spool.py), the request read as the loader read it.

    The document was read once already, so it is valid, and no List: an AdmissionReview is always a document
    of its own, and any other document is a plain resource.
    """
    if source.get("kind") == "AdmissionReview":
        return Resource(file, index, _admission_review(source, file, f"document {document}"), source, None, True, document, line)
    return Resource(file, index, _plain_review(source), source, None, False, document, line)


class NotManifests(InputError):
    """A file that holds no Kubernetes object: skipped with a warning, an error under --strict."""


# Files CI folders hold next to manifests that kubectl would not apply.
_KUSTOMIZE_GROUP = "kustomize.config.k8s.io"
_KUSTOMIZE_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
# The kinds kustomize reads in its own files, which may leave out apiVersion.
_KUSTOMIZE_KINDS = frozenset({"Kustomization", "Component"})


def _item_kind_defaults(item: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    """kubectl's unstructured list decoding: an item with neither kind nor apiVersion takes the list's (PodList -> Pod)."""
    if "kind" in item or "apiVersion" in item:
        return item
    kind = parent.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and len(kind) > 4:
        out = {"apiVersion": parent.get("apiVersion"), "kind": kind[:-4], **item}
        if out["apiVersion"] is None:
            del out["apiVersion"]
        return out
    return item


# Where an object and the pod template in it keep their labels and annotations.
_METADATA_PATHS = (("metadata",), ("spec", "template", "metadata"), ("spec", "jobTemplate", "metadata"),
                   ("spec", "jobTemplate", "spec", "template", "metadata"))


def _decode_null_metadata_values(obj: Any) -> None:
    """A null label or annotation value as the API server decodes it: "" (Helm writes `key: {{ .Values.unset }}`
    as null, and the object is admitted with an empty value). Done in place, so every engine reads the same."""
    if not isinstance(obj, dict):
        return
    for path in _METADATA_PATHS:
        meta: Any = obj
        for key in path:
            meta = meta.get(key) if isinstance(meta, dict) else None
        if not isinstance(meta, dict):
            continue
        for field_name in ("labels", "annotations"):
            values = meta.get(field_name)
            if isinstance(values, dict) and None in values.values():
                meta[field_name] = {k: "" if v is None else v for k, v in values.items()}


# Where each pod-bearing kind keeps its pod spec.
_POD_SPEC_PATHS = {kind: ("spec",) if kind == "Pod" else ("spec", "jobTemplate", "spec", "template", "spec") if kind == "CronJob"
                   else ("spec", "template", "spec") for kind in POD_KINDS}


def _decode_number_quantities(obj: Any) -> None:
    """A container's limit or request written as a JSON number, as the API server decodes it: a quantity, kept as
    the text of that number. Done in place, so every engine reads the same exact value: conftest, gator, Kyverno
    and the CEL read a number through a float64, so 2**53 + 1 bytes under a limit of 8Pi passed them, where a
    quantity string is read exactly everywhere (a red team, 2026-12-06). Booleans and other types stay as they
    are, for the rules to deny."""
    if not isinstance(obj, dict) or obj.get("kind") not in _POD_SPEC_PATHS:
        return
    spec: Any = obj
    for key in _POD_SPEC_PATHS[obj["kind"]]:
        spec = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        return
    for field_name in ("initContainers", "containers", "ephemeralContainers"):
        containers = spec.get(field_name)
        for container in containers if isinstance(containers, list) else ():
            resources = container.get("resources") if isinstance(container, dict) else None
            for bound in ("limits", "requests"):
                values = resources.get(bound) if isinstance(resources, dict) else None
                if isinstance(values, dict) and any(_is_number(v) for v in values.values()):
                    resources[bound] = {k: _number_text(v) if _is_number(v) else v for k, v in values.items()}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_text(value: int | float) -> str | float:
    """The number as the text Kubernetes' quantity parser reads; a float no text holds (inf, nan) stays, for the rules."""
    if isinstance(value, int):
        return str(value)
    return repr(value) if math.isfinite(value) else value


def is_list(doc: dict[str, Any]) -> bool:
    """kubectl decodes any object with a non-null items field as a list, whatever its kind."""
    return doc.get("items") is not None and doc.get("kind") != "AdmissionReview"


def _flatten(doc: dict[str, Any], file: str, where: str, item_lines: list[int] | None, line: int) -> list[tuple[dict[str, Any], int]]:
    """The objects of a List document in kubectl's order (breadth first: nested lists go to the back)."""
    out: list[tuple[dict[str, Any], int]] = []
    queue: deque[tuple[dict[str, Any], str, int]] = deque([(doc, "", line)])
    top = True
    while queue:
        current, path, at = queue.popleft()
        if not is_list(current):
            out.append((current, at))
            continue
        items = current.get("items")
        if not isinstance(items, list):
            raise InputError(file, "a List needs an items list", f"{where}, {path + '.' if path else ''}items")
        for i, item in enumerate(items):
            item_path = f"{path + '.' if path else ''}items[{i}]"
            item_line = item_lines[i] if top and item_lines and i < len(item_lines) else at
            if not isinstance(item, dict):
                raise InputError(file, "a List item is a Kubernetes object with a kind", f"{where}, {item_path}")
            item = _item_kind_defaults(item, current)
            if not isinstance(item.get("kind"), str) or not item["kind"]:
                raise InputError(file, "a List item is a Kubernetes object with a kind", f"{where}, {item_path}")
            if item["kind"] == "AdmissionReview":
                # kubectl would send it as an object of kind AdmissionReview, which no rule reads: that could
                # pass the request inside it. An admission request is a document of its own.
                raise InputError(file, "an AdmissionReview is a document of its own, not a List item", f"{where}, {item_path}")
            queue.append((item, item_path, item_line))
        top = False
    return out


@dataclass
class _Doc:
    number: int  # 1-based document number in the file
    line: int
    value: Any
    end: int  # offset in the text where the document's chunk ends (expectation comments before it are its own)
    item_lines: list[int] | None = None


def _parse(text: str, file: str) -> Iterator[_Doc]:
    """The file's documents one at a time: a file of thousands holds one parsed document at a time."""
    try:
        if kubeyaml.is_json_stream(text):
            yield from (_Doc(i + 1, d.line, d.value, len(text)) for i, d in enumerate(kubeyaml.iter_json_stream(text)))
            return
        # Anything else is YAML, whatever the file's suffix: kubectl sniffs, it does not trust names.
        for chunk in kubeyaml.split_documents(text):
            loaded = kubeyaml.load_yaml_chunk(text[chunk.start:chunk.end], chunk.line - 1)
            if loaded is not None:
                yield _Doc(chunk.number, loaded.line, loaded.value, chunk.end, loaded.item_lines)
    except kubeyaml.YamlError as exc:
        raise InputError(file, exc.msg, f"line {exc.line}" if exc.line else "") from None


def _expectations(text: str, file: str) -> list[tuple[int, int | None, Expectation]]:
    """(offset, item or None, expectation) of every `# expect` comment line, in one scan of the text."""
    if "expect" not in text:
        return []
    if text.startswith("\ufeff"):
        # A byte-order mark, which the YAML reader drops, must not hide the first line's directive; a space
        # of the same length keeps every offset.
        text = " " + text[1:]
    out = []
    for m in _EXPECT_LINE.finditer(text):
        if m.group(2).split()[:1] not in (["allow"], ["deny"]):
            continue  # an ordinary comment in a manifest (`# expect: 3 replicas`), not a directive
        try:
            expectation = _parse_expectation(m.group(2).strip(), file)
        except InputError:
            loc = f"line {text.count(chr(10), 0, m.start()) + 1}: # expect"  # counted only for the error
            _parse_expectation(m.group(2).strip(), file, loc)
            raise
        out.append((m.start(), int(m.group(1)) if m.group(1) is not None else None, expectation))
    return out


_EXPECT_LINE = re.compile(r"^[ \t]*#[ \t]*expect(?:\[(\d+)\])?[ \t]*:([^\n]*)$", re.MULTILINE)


# Fields of a kustomization that only list what it applies. Any other field (namespace, images, patches,
# labels, generators, components, ...) makes what kustomize (and Argo CD or Flux on the folder) applies
# differ from the files as written, which is all policygen reads.
_KUSTOMIZE_LISTING = frozenset({"apiVersion", "kind", "metadata", "resources", "bases", "sortOptions",
                                "buildMetadata", "openapi", "crds", "generatorOptions"})


def _refuse_transforming_kustomization(doc: _Doc, file: str) -> None:
    """A kustomization that transforms or generates objects is not judged as its files are written: a Pod
    with no namespace, listed under `namespace: payments`, is created in that mesh namespace."""
    value = doc.value
    if not isinstance(value, dict):
        return
    api = value.get("apiVersion")
    named = Path(file).name in _KUSTOMIZE_FILES
    # kustomize reads a file of its own names without kind (or apiVersion) as a Kustomization.
    kind = value.get("kind")
    read_by_kustomize = (named and kind is None) or (isinstance(kind, str) and kind in _KUSTOMIZE_KINDS and (
        named or (isinstance(api, str) and api.split("/")[0] == _KUSTOMIZE_GROUP)))
    if not read_by_kustomize:
        return
    for key in value:
        if key not in _KUSTOMIZE_LISTING:
            folder = Path(file).parent
            raise InputError(file, f"field {str(key)!r}: this kustomization changes or adds to what it lists, and "
                             f"policygen judges files as written; judge what it renders (kubectl kustomize {folder} | "
                             f"policygen eval --spec SPEC -), or leave it out with --ignore",
                             f"document {doc.number}, line {doc.line}")


def _is_object(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("kind"), str) and bool(value["kind"])


def _declares_objects(doc: _Doc, file: str) -> bool:
    """Whether this document settles that its file is a set of Kubernetes objects: an object that is not
    kustomize configuration. A file with no such document is not manifests. A file named as kustomize's
    that also holds other objects is manifests: `kubectl apply -f` on its folder applies them."""
    value = doc.value
    if not _is_object(value):
        return False
    if isinstance(value.get("apiVersion"), str) and value["apiVersion"].split("/")[0] == _KUSTOMIZE_GROUP:
        return False
    return not (Path(file).name in _KUSTOMIZE_FILES and value["kind"] in _KUSTOMIZE_KINDS)


def _not_manifests_reason(docs: list[_Doc], name: str) -> str:
    """Why a file none of whose documents _declares_objects is not a set of Kubernetes objects
    (CI workflow, Helm values, kustomize config)."""
    if Path(name).name in _KUSTOMIZE_FILES or any(_is_object(d.value) for d in docs):
        return "a kustomize configuration, not a Kubernetes object"
    if {type(d.value).__name__ for d in docs} == {"dict"}:
        return "no Kubernetes object in it (no document has a kind)"
    return "no Kubernetes object in it (a document is not a mapping)"


def iter_text(text: str, file: str) -> Iterator[list[Resource]]:
    """load_text document by document: each document's resources as soon as it is read.

    Documents before the first one that settles that the file holds Kubernetes objects
    are held back, so a file of no objects still raises NotManifests before it yields anything.
    """
    expects = _expectations(text, file)
    count = 0
    e = 0
    held: list[_Doc] = []
    settled = False

    def resources(doc: _Doc) -> list[Resource]:
        nonlocal count, e
        pending: dict[int | None, Expectation] = {}
        # Comments in a document's chunk, or in empty chunks before it, state what it expects.
        while e < len(expects) and expects[e][0] < doc.end:
            pending[expects[e][1]] = expects[e][2]
            e += 1
        where = f"document {doc.number}, line {doc.line}"
        value = doc.value
        if not _is_object(value):
            raise InputError(file, "a document is a Kubernetes object: a mapping with a string kind", where)
        if value["kind"] == "AdmissionReview":
            entries = [(value, _admission_review(value, file, where), True, doc.line)]
        elif is_list(value):
            entries = [(item, _plain_review(item), False, line) for item, line in _flatten(value, file, where, doc.item_lines, doc.line)]
        else:
            entries = [(value, _plain_review(value), False, doc.line)]
        out = []
        for item_no, (source, review, is_ar, line) in enumerate(entries):
            for role in ("object", "oldObject"):
                _decode_null_metadata_values(review.get(role))
                _decode_number_quantities(review.get(role))
            expect = pending.get(item_no, pending.get(None))
            out.append(Resource(file, count, review, source, expect, is_ar, doc.number, line))
            count += 1
        return out

    for doc in _parse(text, file):
        if not settled:
            held.append(doc)
            if not _declares_objects(doc, file):
                continue
            settled = True
            for earlier in held:
                yield resources(earlier)
            held = []
            continue
        yield resources(doc)
    if held:
        for doc in held:
            _refuse_transforming_kustomization(doc, file)
        raise NotManifests(file, f"skipped: {_not_manifests_reason(held, file)}")


def load_text(text: str, file: str) -> list[Resource]:
    """Every resource of one file's text, in kubectl's order. Raises NotManifests for a file of no objects."""
    return [res for found in iter_text(text, file) for res in found]


STDIN = "-"
STDIN_NAME = "<stdin>"  # how records and messages name standard input (a file named - is ./-)


@dataclass(frozen=True)
class LoadOptions:
    """How a run picks its inputs: globs to leave out, and whether a file of no objects is fatal."""

    ignore: tuple[str, ...] = ()
    strict: bool = False


def _ignored(path: Path, display: str, ignore: tuple[str, ...]) -> bool:
    """A glob matches the path as shown, any of its trailing parts, or its file name (`*.tpl.yaml`, `charts/**`)."""
    if not ignore:
        return False
    parts = Path(display).parts
    candidates = {display, path.name, *("/".join(parts[i:]) for i in range(len(parts)))}
    for pattern in ignore:
        pat = pattern.rstrip("/")
        for c in candidates:
            if fnmatch.fnmatchcase(c, pat) or fnmatch.fnmatchcase(c, pat + "/*") or (pat.endswith("/**") and c.startswith(pat[:-3] + "/")):
                return True
        if any(fnmatch.fnmatchcase(part, pat) for part in parts[:-1]):
            return True  # a folder name: --ignore charts
    return False


def collect_paths(paths: list[str | Path] | str | Path, ignore: tuple[str, ...] = ()) -> list[tuple[Path, str]]:
    """Files to read, with the name to report: folders walked, sorted, files as given; `-` is standard input."""
    out: list[tuple[Path, str]] = []
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, as a library caller may write it: never its characters, each a path
    for raw in paths:
        if str(raw) == STDIN:
            out.append((Path(STDIN), STDIN_NAME))
            continue
        p = Path(raw)
        try:
            if p.is_dir():
                for f in _walk(p):
                    if f.suffix not in SAMPLE_SUFFIXES or _ignored(f, str(f), ignore):
                        continue
                    try:
                        kubeyaml.check_regular(f)
                    except kubeyaml.InputRefused as exc:
                        raise InputError(f, str(exc)) from None
                    out.append((f, str(f)))
            elif p.exists() or p.is_symlink():
                if not _ignored(p, str(raw), ignore):
                    out.append((p, str(raw)))
            else:
                raise InputError(raw, "no such file or folder")
        except OSError as exc:  # a name over the file system's limit, a folder that cannot be listed
            raise InputError(exc.filename or raw, f"cannot read: {exc.strerror or exc}") from None
    return out


def _walk(folder: Path) -> list[Path]:
    """Every file under folder, sorted; links to folders are not followed. A folder that cannot be listed is
    an error, never skipped: the resources in it would go unjudged (pathlib's rglob passes over it)."""
    def refuse(exc: OSError) -> None:
        raise exc

    return sorted(Path(root) / name for root, _, files in os.walk(folder, onerror=refuse) for name in files)


def _read(path: Path, file: str) -> str:
    """One file's text. A FIFO, a device or an oversized file is refused before it is read."""
    try:
        if file == STDIN_NAME and str(path) == STDIN:
            if sys.stdin is None:  # started with standard input closed (`<&-`)
                raise InputError(file, "standard input is closed")
            return kubeyaml.read_stream(sys.stdin.buffer)
        return kubeyaml.read_text(path)
    except kubeyaml.InputRefused as exc:
        raise InputError(file, str(exc)) from None
    except OSError as exc:  # standard input that cannot be read (opened write-only, an I/O error)
        raise InputError(file, f"cannot read: {exc.strerror or exc}") from None


def load_file(path: Path, display: str | None = None) -> list[Resource]:
    """One file's resources."""
    file = display or str(path)
    return load_text(_read(path, file), file)


def load_samples(paths: list[str | Path] | str | Path, options: LoadOptions | None = None,
                 warn: Any = None) -> SampleSet:
    """Every resource under the paths, in order. Files of no objects are skipped with one warning each."""
    resources: list[Resource] = []
    for found in iter_files(paths, options, warn):
        resources.extend(found)
    return SampleSet(resources)


def iter_files(paths: list[str | Path] | str | Path, options: LoadOptions | None = None, warn: Any = None) -> Iterator[list[Resource]]:
    """load_samples a document at a time (its resources, in order), so a caller can let each document go
    before the next is parsed: a cluster dump of one file is not held whole."""
    options = options or LoadOptions()
    # A file's name holds any character: shown as visible text, never a raw control on the terminal or CI log.
    warn = warn or (lambda line: print(visible(line), file=sys.stderr))
    for path, display in collect_paths(paths, options.ignore):
        file = display or str(path)
        try:
            # NotManifests comes before the file's first resources (iter_text holds them back until then).
            yield from iter_text(_read(path, file), file)
        except NotManifests as exc:
            if options.strict:
                raise InputError(exc.file, exc.msg.removeprefix("skipped: ") + " (--strict)", exc.loc) from None
            warn(f"policygen: warning: {exc}")
            continue
