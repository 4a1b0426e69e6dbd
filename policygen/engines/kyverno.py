"""Kyverno engine: `kyverno apply` on the generated ValidatingPolicies, batched.

The input is judged in chunks of at most CHUNK resources, in order, a chunk
per worker at a time (policygen eval's spool reads each back as it is made),
so that memory holds a few chunks, never the whole input; either judge
(POLICYGEN_KYVERNO_JUDGE) streams so. In each chunk, one run per distinct
(operation, userInfo) (plain resources are all one group), plus one more run
only where two name-reading resources of one group share kind/namespace/name
(the CLI's in-memory cluster refuses duplicates). Each resource gets a unique
metadata.uid in the temp file and is mapped back by it; resources whose name
no rule reads (pods and controllers, PeerAuthentications) are renamed when
they collide.

The rule ID of a verdict is the policy's name (one policy per rule ID), never
read from the message; the message (`RULE/check ...; RULE/check ...`) is only
split into its problems.

SC012 (the ImageValidatingPolicy) needs the registry; by default it is reported in
notEvaluated for every pod-bearing resource, never as passed. With
POLICYGEN_KYVERNO_REGISTRY=1 the SC012 policy gets one more run over those
resources: a signature or digest verdict of Kyverno becomes an SC012 violation,
all images verified (or none of an approved repository) is a pass, and
anything else (registry or transparency-log unreachable, an error) keeps SC012
in notEvaluated.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import tools
from ..backends.cel import NAMESPACE_NAME_LABEL
from ..backends.kyverno import KyvernoBackend
from ..backends.manifest import RuleOutput
from ..errors import EngineError, SettingError
from ..kinds import NAMESPACED_KINDS, POD_KINDS, default_api_version, rule_kinds
from ..leaves import leaves
from ..objectmeta import undecodable
from ..plan import Plan
from ..rules import CATALOGUE, REGISTRY
from ..samples import UNTRUSTED_USER, Resource, SampleSet
from ..spool import Spool
from ..verdicts import Verdict, Violation
from . import cel_messages
from . import runner
from .status import status_unjudged, update_keeps_pod

# Kinds whose names some rule reads (CP001 prefixes, CP002 names, CP004, CP005 roles).
NAME_READ_KINDS = frozenset({"MutatingWebhookConfiguration", "ConfigMap", "Namespace", "ClusterRole", "Role", "PeerAuthentication"})
_UID = "policygen-sample-{}"
REGISTRY_ENV = "POLICYGEN_KYVERNO_REGISTRY"
# Why an object with no name of its own, of a kind whose name a rule reads, is not judged (the CLI needs a name).
NAMELESS = "metadata.name is missing or empty, and a rule reads it"
# A verdict of the SC012 ImageValidatingPolicy: its own validation failed (no
# approved key verified an image), or Kyverno's digest check (`verifyDigest`).
# An `error` (registry unreachable, an image that cannot be fetched) is not a verdict.
_SC012_VERDICT = re.compile(r"^SC012/signature |^image \S+ does not have a digest")


def result_violations(rule_id: str, outcome: Any, result: dict[str, Any]) -> list[Violation]:
    """The violations of one failed result of rule_id's policy (the rule ID came from the policy name)."""
    if outcome in ("fail", "warn"):
        return cel_messages.violations(rule_id, str(result.get("message") or ""))
    # error: fail closed, the policy could not show the resource is fine
    text = " ".join(str(result.get("message") or "").split())
    return [Violation.engine_failure("kyverno", f"policy {result.get('policy')} ({rule_id}) could not evaluate: {text}")]


def namespace_selector(namespaces: dict[str, dict[str, Any]], objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The values file's namespace entries: labels of the Namespace objects among the inputs, and
    every namespace the resources use, each with the `kubernetes.io/metadata.name` label the API
    server sets (excluded namespaces are matched by it)."""
    # The inventory holds each namespace's labels as a map of strings (policygen/inventory.py).
    labels: dict[str, dict[str, str]] = {name: dict(ns["metadata"]["labels"]) for name, ns in namespaces.items()}
    for obj in objects:
        ns = obj.get("metadata", {}).get("namespace")
        if isinstance(ns, str) and ns:
            labels.setdefault(ns, {})
    for name, v in labels.items():
        v[NAMESPACE_NAME_LABEL] = name
    return [{"name": n, "labels": v} for n, v in sorted(labels.items())]


def registry_access() -> bool:
    return os.environ.get(REGISTRY_ENV, "").strip().lower() in ("1", "true", "yes")


def _target(res: Resource) -> dict[str, Any]:
    rev = res.review
    obj = rev.get("oldObject") if res.operation == "DELETE" else rev.get("object")
    return obj if isinstance(obj, dict) else {}


def _namespace(res: Resource, obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    ns = meta.get("namespace")
    if isinstance(ns, str) and ns:
        return ns
    return res.review.get("namespace") or "default"


def _user(res: Resource) -> dict[str, Any]:
    info = res.review.get("userInfo") if isinstance(res.review.get("userInfo"), dict) else dict(UNTRUSTED_USER)
    username = info.get("username") if isinstance(info.get("username"), str) else ""
    groups = [g for g in info.get("groups") or [] if isinstance(g, str)] if isinstance(info.get("groups"), list) else []
    return {"username": username, "groups": groups}


def _own_copy(obj: dict[str, Any]) -> dict[str, Any]:
    """obj with its top level and metadata copied, the only parts the CLI's preparation writes: no deep copy,
    which would exhaust Python's recursion limit on a resource nested a few hundred levels deep."""
    out = dict(obj)
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = dict(out["metadata"])
    return out


def _renamed(res: Resource) -> bool:
    """Whether _prepare replaces the object's own name or namespace, one that is there but no string."""
    meta = _target(res).get("metadata")
    return isinstance(meta, dict) and any(meta.get(key) is not None and not isinstance(meta.get(key), str)
                                          for key in ("name", "namespace"))


def _prepare(res: Resource, uid: str) -> dict[str, Any]:
    obj = _own_copy(_target(res))
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
    if not isinstance(obj.get("apiVersion"), str) or not obj.get("apiVersion"):
        obj["apiVersion"] = default_api_version(kind) or "v1"
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    if not isinstance(meta.get("name"), str) or not meta.get("name"):
        meta["name"] = uid
    if kind in NAMESPACED_KINDS:
        meta["namespace"] = _namespace(res, obj)
    meta["uid"] = uid
    return obj


# A character beyond the BMP as JSON writes it, a pair of UTF-16 escapes (not itself after an escaped backslash).
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Why an object holding a lone UTF-16 surrogate is not judged: the CLI's YAML reader refuses it, and the whole run with it.
LONE_SURROGATE = "a string holds a lone UTF-16 surrogate, which the Kyverno CLI cannot read"


def _document(obj: dict[str, Any]) -> str:
    """One resource for the CLI: JSON (which is YAML), with characters beyond the BMP written as themselves.

    The CLI's YAML reader refuses JSON's surrogate-pair escapes ("\ud83d\ude00", an emoji), and the whole
    run with them; every other escape it reads as JSON does.
    """
    text = json.dumps(obj, sort_keys=True)
    if "\\ud" not in text:
        return text
    return _SURROGATE_PAIR.sub(lambda m: m.group(1) + chr(0x10000 + ((int(m.group(2), 16) - 0xD800) << 10) + int(m.group(3), 16) - 0xDC00), text)


def _has_lone_surrogate(value: Any) -> bool:
    return any(isinstance(v, str) and _LONE_SURROGATE.search(v) is not None for v in leaves(value))


def _changed_old_object(res: Resource) -> dict[str, Any] | None:
    """An UPDATE's oldObject where it differs from the object and the run can carry it, else None: not one of
    another kind (no API server sends that; such an UPDATE keeps the rules that read it not evaluated)."""
    old, obj = res.review.get("oldObject"), res.review.get("object")
    if res.operation != "UPDATE" or not isinstance(old, dict) or not isinstance(obj, dict) or old == obj:
        return None
    if old.get("kind") not in (None, obj.get("kind")) or _has_lone_surrogate(old):
        return None
    return old


def _prepare_old(old: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    """An oldObject for kyvernocheck, found by its object's uid: its kind, apiVersion and name where it has none
    (the object's: the API server's oldObject always has them), everything else as written."""
    old = _own_copy(old)
    for key in ("kind", "apiVersion"):
        if not isinstance(old.get(key), str) or not old.get(key):
            old[key] = obj[key]
    meta = old.get("metadata")
    if not isinstance(meta, dict):
        meta = old["metadata"] = {}
    if not isinstance(meta.get("name"), str) or not meta.get("name"):
        meta["name"] = obj["metadata"]["name"]
    meta["uid"] = obj["metadata"]["uid"]
    return old


def _name_can_matter(res: Resource, plan: Plan) -> bool:
    """Whether any rule's verdict on this nameless object could turn on its name: a role's only if the name
    given to it were trusted; a ConfigMap's only where CP002 reads it, written by a user it does not trust,
    in the injector's namespace (or one that is no string, which could be any)."""
    if res.kind in ("Role", "ClusterRole"):
        # CP005 reads a role's name only against trustedRoles: the Rego and CEL read a missing one as
        # untrusted, as they read the name given here, unless that name itself were trusted.
        cp005 = plan.rule("CP005")
        return cp005 is not None and any(str(r).startswith(_UID.format("")) for r in cp005.params["trustedRoles"])
    if res.kind != "ConfigMap":
        return True
    cp002 = plan.rule("CP002")
    if cp002 is None or _trusted(res.review.get("userInfo"), cp002.params):
        return False
    obj = _target(res)
    # Null reads as absent, as the API server reads it: no metadata, or the request's namespace (else default).
    meta = obj.get("metadata")
    meta = {} if meta is None else meta
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    return (not isinstance(meta, dict) or (ns is not None and not isinstance(ns, str))
            or _namespace(res, obj) == cp002.params["namespace"])


def _trusted(user: Any, params: Mapping[str, Any]) -> bool:
    """CP002's trusted user (review.rego's trusted), read strictly: a user name or groups of another shape
    are nobody trusted here, so the object stays unjudged rather than judged under a name of ours."""
    if not isinstance(user, dict):
        return False
    name, groups = user.get("username"), user.get("groups")
    if isinstance(name, str) and name in params["trustedSubjects"]:
        return True
    return isinstance(groups, list) and any(isinstance(g, str) and g in params["trustedGroups"] for g in groups)


def _old_object_unseen(readers: list[str], res: Resource) -> list[str]:
    """The rules of readers (those that read the oldObject) an UPDATE is not judged by: the CLI gives an UPDATE's
    policies its object as the oldObject too, so a rule that compares the two cannot see an oldObject that
    differs (in a cluster, Kyverno can)."""
    old = res.review.get("oldObject")
    if res.operation != "UPDATE" or not isinstance(old, dict) or old == res.review.get("object"):
        return []
    kinds = {res.kind, old.get("kind")}
    return [rid for rid in readers if kinds & set(rule_kinds(rid))]


# Seconds one SC012 run may wait on the registries before its resources are left undecided.
SC012_TIMEOUT_ENV = "POLICYGEN_SC012_TIMEOUT"


def sc012_timeout() -> float:
    """POLICYGEN_SC012_TIMEOUT, else 180; read when SC012 runs, so that a bad value is a clear error there."""
    raw = os.environ.get(SC012_TIMEOUT_ENV, "").strip()
    if not raw:
        return 180.0
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise SettingError(f"{SC012_TIMEOUT_ENV}={raw!r} is not a number of seconds above 0")
    return value


def _own_name(obj: Any) -> bool:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    return isinstance(meta, dict) and isinstance(meta.get("name"), str) and meta["name"] != ""


def _identity(obj: dict[str, Any]) -> tuple[str, str, str]:
    """What the CLI's in-memory cluster keys an object by: its resource, whatever the kind's case or the
    version (`pod` and `POD`, or one kind under two versions, are the same there), its namespace and name."""
    meta = obj["metadata"]
    return (str(obj.get("kind")).lower(), str(meta.get("namespace", "")), str(meta["name"]))


def _rounds(groups: dict[str, list[int]], resources: Mapping[int, Resource]
            ) -> list[tuple[str, dict[str, Any], list[int], list[tuple[int, dict[str, Any]]]]]:
    """The runs of each group (op, user, policies): its resources prepared, in rounds whose members the CLI's
    in-memory cluster keys apart (it keys by identity), a name no rule reads renamed rather than given a round."""
    runs: list[tuple[str, dict[str, Any], list[int], list[tuple[int, dict[str, Any]]]]] = []
    for key in sorted(groups):
        op, user, matching = json.loads(key)
        rounds: list[list[tuple[int, dict[str, Any]]]] = []
        seen: list[set] = []
        for i in groups[key]:
            obj = _prepare(resources[i], _UID.format(i))
            ident = _identity(obj)
            for n in range(len(rounds) + 1):
                if n == len(rounds):
                    rounds.append([])
                    seen.append(set())
                if ident not in seen[n]:
                    break
                if obj["kind"] not in NAME_READ_KINDS:
                    obj["metadata"]["name"] = f"{obj['metadata']['name']}.{_UID.format(i)}"
                    ident = _identity(obj)
                    break
            seen[n].add(ident)
            rounds[n].append((i, obj))
        runs += [(op, user, matching, r) for r in rounds]
    return runs


@dataclass(frozen=True)
class _Judging:
    """What each chunk of one evaluation is judged with."""

    plan: Plan
    binary: Path
    files: list[tuple[Path, frozenset[str], frozenset[str]]]
    by_kind: bool  # `kyverno apply` judges: each resource gets the policies whose match names its kind
    namespaces: dict[str, dict[str, Any]]  # the whole input's (policygen/inventory.py), however it is chunked
    work: Path
    sc012: Path | None  # SC012's ImageValidatingPolicy, where the plan has the rule
    old_readers: list[str]  # the plan's rules that read an UPDATE's oldObject
    pod_rules: list[str]  # the plan's rules that judge Pods, but SC012


# Resources one kyverno process judges at most. kyvernocheck holds its run whole: about 150 MiB, and 0.2 MiB
# more a resource (225 MiB at 500); each run costs about 2.5 s to start and compile the policies, a tenth of
# a run at 500. Measured on bench/suite.py's resources, two workers, peak of the process tree: at 1,000,
# 31 s and 558 MiB at 500, 35 s and 500 MiB at 250, 59 s and 442 MiB at 100; at 3,000, 90 s and 602 MiB
# at 500, 102 s and 497 MiB at 250 (6,000 at 500: 595 MiB, so no growth with the input).
CHUNK = 500


# Which program judges the ValidatingPolicies: "check" (tools/kyvernocheck: Kyverno's CLI loaders, compiler
# and engine, each policy compiled once per run) or "cli" (`kyverno apply`, which compiles every policy again
# for every resource). SC012's ImageValidatingPolicy is always `kyverno apply`'s.
JUDGE_ENV = "POLICYGEN_KYVERNO_JUDGE"


def judge() -> str:
    chosen = os.environ.get(JUDGE_ENV, "").strip().lower() or "check"
    if chosen not in ("check", "cli"):
        raise SettingError(f"{JUDGE_ENV}={chosen!r}: choose check (tools/kyvernocheck) or cli (kyverno apply)")
    return chosen


def command(binary: Path, policies: list[Path], inputs: list[str]) -> list[str]:
    """The argv of one run of either judge on these policies: inputs are the flags both take (--resource,
    --values-file, --userinfo, --exception); kyvernocheck reads `kyverno apply`'s report shape, flags first."""
    if binary.name == tools.TOOLS["kyvernocheck"].binary:
        return [str(binary), *inputs, *map(str, policies)]
    return [str(binary), "apply", *map(str, policies), *inputs, "--policy-report", "--output-format", "json", "--remove-color"]


class KyvernoEngine:
    name = "kyverno"
    tool = "kyvernocheck"
    cli_tool = "kyverno"
    backend = "kyverno"

    def __init__(self, jobs: int | None = None, *, chunk: int = CHUNK) -> None:
        self.jobs = jobs  # kyverno processes at once; None: POLICYGEN_JOBS, else one per core
        self.chunk = chunk  # resources one process judges at most
        self._exceptions: list[Path] = []

    @staticmethod
    def policy_files(root: Path, outputs: list[RuleOutput]) -> list[tuple[Path, frozenset[str], frozenset[str]]]:
        """Each generated policy file but SC012's, with the operations and the kinds it matches."""
        return [(root / out.files[0], out.operations, out.kinds) for out in outputs if out.rule_id != "SC012"]

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        # Each resource as JSON data, as a spool reads it back, so that both paths judge the same objects.
        items = ((i, runner.as_json(res)) for i, res in enumerate(samples.resources))
        return self._evaluate(dist, plan, samples.resources, items, samples.inventory(plan))

    def evaluate_spooled(self, dist: Path, plan: Plan, spool: Spool) -> list[Verdict]:
        """Verdicts for resources read once and spooled (policygen eval's path): each chunk read back as it is judged."""
        return self._evaluate(dist, plan, spool.records, spool.resources(), spool.namespaces(plan))

    def _evaluate(self, dist: Path, plan: Plan, records: Sequence[Any], items: Iterable[tuple[int, Resource | None]],
                  namespaces: dict[str, dict[str, Any]]) -> list[Verdict]:
        chosen = judge()
        binary = tools.find(self.tool if chosen == "check" else self.cli_tool)
        root = Path(dist) / self.backend
        outputs = KyvernoBackend.outputs(plan)
        files = self.policy_files(root, outputs)
        # The spec's exceptions, as users' clusters get them (policygen eval judges without, and applies them itself).
        self._exceptions = sorted((root / "exceptions").glob("*.yaml"))
        missing = [p for p, _, _ in files if not p.is_file()]
        if missing:
            raise EngineError(f"{self.name}: generated policy missing: {missing[0]}")
        workers = runner.jobs(self.jobs)
        verdicts: list[Verdict] = []
        with tempfile.TemporaryDirectory(prefix="policygen-kyverno-") as tmp:
            how = _Judging(plan, binary, files, chosen == "cli", namespaces, Path(tmp),
                           next((root / out.files[0] for out in outputs if out.rule_id == "SC012"), None),
                           [r.rule_id for r in plan.rules if REGISTRY[r.rule_id].reads_old_object],
                           [r.rule_id for r in plan.rules if r.rule_id != "SC012" and "Pod" in rule_kinds(r.rule_id)])
            # Every core busy on a chunk of its own (a small input split in one chunk per worker); each kyverno
            # process holds its chunk whole, and at most twice as many chunks as workers are read ahead.
            size = max(1, min(self.chunk, -(-len(records) // workers)))
            chunks = runner.chunked(items, size)
            for judged in runner.in_order(self.name, chunks, lambda chunk: self._judge_chunk(how, chunk), workers):
                verdicts += [runner.verdict(self.name, records[i], found, undecided) for i, found, undecided in judged]
        return verdicts

    def _judge_chunk(self, how: _Judging, chunk: list[tuple[int, Resource | None]]
                     ) -> list[tuple[int, set[Violation], list[str]]]:
        """(index, violations, rules not evaluated) of each resource of one chunk, in its order."""
        resources = {i: res for i, res in chunk if res is not None}
        messages: dict[int, set[Violation]] = {i: set() for i, _ in chunk}
        # Group by (operation, user, policies); split a group into rounds only on name-read collisions.
        # The CLI compiles every policy it is given again for each resource, so there a resource gets only the
        # policies whose match names its kind (all of them when its kind is not one a rule reads); kyvernocheck
        # compiles once per run, so there every resource gets every policy of its operation, in fewer runs.
        groups: dict[str, list[int]] = {}
        unreadable: set[int] = set()
        unmatched_status: set[int] = set()
        for i, res in resources.items():
            if res.unserved is not None or res.foreign or res.operation not in ("CREATE", "UPDATE", "DELETE"):
                # Denied unjudged by runner.verdict (the CLI fails a whole run on some of these), a custom
                # resource no rule reads, or a request no rule judges (CONNECT).
                continue
            if _has_lone_surrogate(_target(res)):
                unreadable.add(i)
                continue
            if status_unjudged(res.review, res.kind):
                unmatched_status.add(i)
                continue
            if update_keeps_pod(res.review, res.kind):
                continue  # no pod rule judges it; nothing else reads a pod-bearing kind
            # Any other UPDATE of a pod-bearing object goes as a CREATE of it: the pod rules judge the object
            # the same, and the update-changes-pod condition, which the CLI would read against the object
            # itself as its oldObject (or against none), is decided just above.
            op = "CREATE" if res.kind in POD_KINDS and res.operation == "UPDATE" else res.operation
            matching = ([n for n, (_, ops, kinds) in enumerate(how.files) if op in ops and res.kind in kinds]
                        if how.by_kind else [])
            if not matching:
                matching = [n for n, (_, ops, _) in enumerate(how.files) if op in ops]
            key = json.dumps([op, _user(res), matching], sort_keys=True)
            groups.setdefault(key, []).append(i)
        for n, (op, user, matching, members) in enumerate(_rounds(groups, resources)):
            if not matching:
                continue
            # kyvernocheck gives an UPDATE its own oldObject; the CLI hands it the object as the oldObject too.
            # A pod-bearing object's UPDATE goes as a CREATE (above), which reads none.
            olds = {} if how.by_kind or op != "UPDATE" else {i: _prepare_old(old, obj) for i, obj in members
                                           if (old := _changed_old_object(resources[i])) is not None}
            report = self._run(how.binary, how.work / f"run-{chunk[0][0]}-{n}", [how.files[m][0] for m in matching], op,
                               user, members, how.namespaces, olds=olds)
            self._collect(report, {_UID.format(i): i for i, _ in members}, messages)

        pod_writes = [i for i, res in resources.items()
                      if how.sc012 is not None and res.kind in POD_KINDS and res.operation in ("CREATE", "UPDATE")]
        undecided = set(pod_writes)
        if pod_writes and registry_access():
            undecided = self._signatures(tools.find(self.cli_tool), how.sc012, resources, pod_writes, messages, how.namespaces)
        out: list[tuple[int, set[Violation], list[str]]] = []
        for i, _ in chunk:
            res = resources.get(i)
            if res is None:
                out.append((i, {Violation.engine_failure(self.name, runner.UNENCODABLE)}, []))
                continue
            # In admission Kyverno gets objects the API server decoded; the CLI reads raw data, so what
            # would not decode and no policy denies is denied anyway. A name or namespace that is no
            # string is said even where a policy denies: _prepare wrote one in its place, so no policy
            # saw it (the Rego's SC003/pod-metadata-malformed would be missing from this report).
            if (not messages[i] or _renamed(res)) and (reason := undecodable(res.review)) is not None:
                messages[i].add(Violation.engine_failure(self.name, reason))
            if i in unreadable:
                messages[i] = {Violation.engine_failure(self.name, LONE_SURROGATE)}
            # The CLI needs a name and _prepare gives one where there is none; for a kind whose name a rule
            # reads, that given name would decide the verdict, so an object without its own is not judged.
            if (not messages[i] and res.kind in NAME_READ_KINDS and not _own_name(_target(res))
                    and _name_can_matter(res, how.plan)):
                messages[i] = {Violation.engine_failure(self.name, NAMELESS)}
            unseen = _old_object_unseen(how.old_readers, res) if how.by_kind or _changed_old_object(res) is None else []
            if i in unmatched_status:
                unseen = unseen + how.pod_rules
            out.append((i, messages[i], sorted((["SC012"] if i in undecided else []) + unseen)))
        return out

    def _signatures(self, binary: Path, policy: Path, resources: Mapping[int, Resource], members: list[int],
                    messages: Mapping[int, set[Violation]], namespaces: dict[str, dict[str, Any]]) -> set[int]:
        """SC012 against the registries; returns the resources it could not decide."""
        if not policy.is_file():
            raise EngineError(f"kyverno: generated policy missing: {policy}")
        objs: list[tuple[int, dict[str, Any]]] = []
        for i in members:
            obj = _prepare(resources[i], _UID.format(i))
            obj["metadata"]["name"] = f"{obj['metadata']['name']}.{_UID.format(i)}"  # pods: no rule reads names
            # Images do not depend on the version, and the CLI cannot map a controller's legacy one (extensions/v1beta1).
            obj["apiVersion"] = default_api_version(obj.get("kind")) or obj.get("apiVersion")
            objs.append((i, obj))
        by_uid = {_UID.format(i): i for i in members}
        verdict: dict[int, list[str]] = {}
        unsure: set[int] = set()
        results: list[dict[str, Any]] = []
        timeout = sc012_timeout()  # read here, not in the loop: an EngineError there would leave every share undecided
        with tempfile.TemporaryDirectory(prefix="policygen-kyverno-sc012-") as tmp:
            # Each share alone where the CLI fails on a share (it deadlocks on some image lists): a resource it
            # cannot judge keeps SC012 undecided, never the whole run. A registry that does not answer in time
            # leaves every resource of the share undecided, without trying them one by one.
            pending = [objs]
            while pending:
                share = pending.pop()
                try:
                    report = self._run(binary, Path(tmp) / f"sc012-{len(results)}-{len(pending)}-{share[0][0]}", [policy],
                                       "CREATE", dict(UNTRUSTED_USER), share, namespaces, timeout=timeout)
                except runner.BatchFailed:
                    unsure.update(i for i, _ in share)
                    continue
                except EngineError:
                    if len(share) == 1:
                        unsure.add(share[0][0])
                    else:
                        pending += [share[:len(share) // 2], share[len(share) // 2:]]
                    continue
                results += report.get("results") or []
        for result in results:
            refs = result.get("resources") or []
            idx = [by_uid.get(ref.get("uid")) for ref in refs]
            if not refs or None in idx or not str(result.get("policy", "")).startswith("sc012-"):
                raise EngineError(f"kyverno reported an SC012 result policygen cannot place: {result}")
            outcome = result.get("result")
            text = " ".join(str(result.get("message") or "").split())
            for i in idx:
                if outcome in ("pass", "skip"):
                    continue
                if outcome == "fail" and _SC012_VERDICT.search(text):
                    verdict.setdefault(i, []).append(text if text.startswith("SC012/signature ") else f"SC012/signature {text}")
                else:
                    # "unverified image" (follows any failed check), an unreachable
                    # registry or transparency log, an error: no verdict by itself.
                    unsure.add(i)
        for i, found in verdict.items():
            messages[i].update(Violation("SC012", m, "signature") for m in found)
        return unsure - set(verdict)

    def _run(self, binary: Path, work: Path, policies: list[Path], op: str, user: dict[str, Any],
             members: list[tuple[int, dict[str, Any]]], namespaces: dict[str, dict[str, Any]],
             timeout: float = runner.TIMEOUT, olds: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
        work.mkdir(parents=True)
        # JSON documents (JSON is YAML): PyYAML leaves a string like 1e-5 unquoted, which Go's YAML reads as a number.
        (work / "resources.yaml").write_text("\n---\n".join(_document(o) for _, o in members), encoding="utf-8")
        selector = namespace_selector(namespaces, [o for _, o in members])
        values = {"apiVersion": "cli.kyverno.io/v1alpha1", "kind": "Value", "metadata": {"name": "values"},
                  "namespaceSelector": selector, "globalValues": {"request.operation": op}}
        # JSON too: a label value or user name such as y, n or 1234e56 is a string to PyYAML and none to the CLI.
        (work / "values.yaml").write_text(_document(values), encoding="utf-8")
        info = {"apiVersion": "cli.kyverno.io/v1alpha1", "kind": "UserInfo", "metadata": {"name": "user"}, "userInfo": user}
        (work / "user-info.yaml").write_text(_document(info), encoding="utf-8")
        inputs = ["--resource", str(work / "resources.yaml"), "--values-file", str(work / "values.yaml"),
                  "--userinfo", str(work / "user-info.yaml")]
        for exception in self._exceptions:
            inputs += ["--exception", str(exception)]
        if olds:
            (work / "old-resources.yaml").write_text("\n---\n".join(_document(o) for _, o in sorted(olds.items())), encoding="utf-8")
            inputs += ["--old-resource", str(work / "old-resources.yaml")]
        argv = command(binary, policies, inputs)
        proc = runner.run(argv, timeout=timeout)
        # Exit 1 means "some rule failed"; anything else, or no report, is a crash.
        if proc.returncode not in (0, 1) or "panic:" in proc.stderr:
            raise EngineError(f"kyverno apply failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}{proc.stdout[-2000:]}")
        report = None
        for line in proc.stdout.split("\n"):
            if line.startswith("{"):
                try:
                    report = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise EngineError(f"kyverno apply printed an unreadable report: {exc}") from exc
        if report is None and proc.returncode == 0 and all(
            not line.strip() or line.startswith("Warning:") for line in proc.stdout.split("\n")
        ):
            # The CLI prints no report at all when no rule matched any resource.
            report = {"results": []}
        if not isinstance(report, dict) or not isinstance(report.get("results", []), list):
            raise EngineError(f"kyverno apply printed no policy report:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        if "Policies Skipped" in proc.stdout or "Policies Skipped" in proc.stderr:
            raise EngineError(f"kyverno apply skipped a policy as invalid:\n{proc.stdout[-3000:]}")
        return report

    @staticmethod
    def _collect(report: dict[str, Any], by_uid: dict[str, int], messages: Mapping[int, set[Violation]]) -> None:
        for result in report.get("results") or []:
            outcome = result.get("result")
            if outcome in ("pass", "skip"):
                continue
            policy = str(result.get("policy", ""))
            rule_id = next((r for r, info in CATALOGUE.items() if info.policy_name == policy), "")
            if not rule_id:
                raise EngineError(f"kyverno reported a result for an unknown policy {policy!r}")
            refs = result.get("resources") or []
            if not refs:
                raise EngineError(f"kyverno reported a {outcome} of {policy} without a resource")
            for ref in refs:
                uid = ref.get("uid")
                if uid not in by_uid:
                    raise EngineError(f"kyverno reported a resource policygen did not send: {ref}")
                messages[by_uid[uid]].update(result_violations(rule_id, outcome, result))
