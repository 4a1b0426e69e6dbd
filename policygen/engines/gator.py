"""gator, Gatekeeper's CLI, running the generated ConstraintTemplates and Constraints.

Two batched runs at most, never one per resource:

* ``gator test -o json`` judges every plain resource in one process. gator
  reviews them as Gatekeeper's audit does, without a request; the templates
  read that as a CREATE by an untrusted user, as SPEC.md reads a plain
  resource. Every input object lands in gator's ``data.inventory``, so the
  Namespace objects among the inputs select mesh namespaces, as in the OPA
  engine. Results come back with the violating object, which maps them to
  their input resource.
* ``gator verify`` on a generated Suite judges what ``gator test`` cannot:
  AdmissionReview samples (their operation and userInfo as given: only
  verify passes a request through) and resources that ``gator test`` would
  load as policy (templates, constraints, mutators, expansion templates).
  Each such resource is one case per template, asserting no violations; a
  failed assertion lists the messages, which are read back from the report.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from .. import tools
from ..backends.rego import UNSUPPORTED
from ..checks import CHECKS
from ..errors import EngineError
from ..kinds import default_api_version
from ..objectmeta import metadata_problem
from ..plan import Plan
from ..render import to_json, to_yaml
from ..samples import Resource, SampleSet
from ..verdicts import Verdict, Violation
from . import runner
from .runner import BatchFailed

# gator's own words come first, before any message text: "<why>: got N violations [containing "<regex>"]
# but want exactly 0: got messages [<messages>]".
_VIOLATIONS = re.compile(
    r'(?:[^:\n]*: )?got (\d+) violations(?: containing "(?:[^"\\]|\\.)*")? but want exactly 0: got messages \[(.*)\]\s*\Z', re.DOTALL
)
_CASE_RESULT = re.compile(r"^    --- (PASS|FAIL): (\S+)\t")
_TEST_RESULT = re.compile(r"^--- (PASS|FAIL): (\S+)\t")
_TEST_RUN = re.compile(r"^=== RUN   (\S+)$")


def _canonical(obj: Any) -> str:
    """The key that maps a gator result back to its input: the object's JSON with numbers as gator prints them."""
    return json.dumps(_as_decoded(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _as_decoded(value: Any) -> Any:
    """Numbers as Kubernetes' JSON decoding leaves them: an int64 when the number is one, else a float64.

    gator prints back what it decoded, so 1337.0 returns as 1337 and 2**63 as
    9223372036854775808.0's shortest form; keyed as sent, such a result would
    match no input and fail the batch.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, int) and -(2**63) <= value < 2**63:
            return value
        try:
            number = float(value)
        except OverflowError:
            return value  # no float64 holds it: gator fails on it, and bisection pins the resource
        return int(number) if number.is_integer() and -(2**63) <= number < 2**63 else number
    if isinstance(value, dict):
        return {k: _as_decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_decoded(v) for v in value]
    return value


# Said in every verdict of a resource gator cannot load (see unloadable).
UNLOADABLE = "gator cannot load it"


def unloadable(res: Resource) -> str | None:
    """Why gator cannot judge this resource at all, or None.

    gator caches every Namespace as a typed object for its inventory, and one
    whose metadata does not decode as Kubernetes' ObjectMeta fails the whole
    run ("cannot cache Namespace"). Such a Namespace is never sent (nor put in
    any batch's inventory) and is denied with this reason instead. Other kinds
    are judged as unstructured objects, whatever their metadata.
    """
    for role in ("object", "oldObject"):
        obj = res.review.get(role)
        if not isinstance(obj, dict) or obj.get("kind") != "Namespace":
            continue
        problem = metadata_problem(obj)
        if problem is not None:
            where = f" (request.{role})" if res.from_admission_review else ""
            return (f"{UNLOADABLE}{where}: {problem}; the API server would refuse this Namespace too, "
                    f"as its metadata does not decode")
    return None


def _group(obj: dict[str, Any]) -> str:
    api = obj.get("apiVersion")
    return api.rpartition("/")[0] if isinstance(api, str) else ""


def _is_gatekeeper_object(obj: dict[str, Any]) -> bool:
    """gator test would load it as policy (templates, constraints, mutators, expansions), not judge it."""
    group = _group(obj)
    return group == "gatekeeper.sh" or group.endswith(".gatekeeper.sh")


def with_api_version(obj: Any) -> Any:
    """The object as an API server stores it: a kind the rules read gets its apiVersion when it has none.

    gator matches constraints on the object's own group and cannot store an
    object without a version; the Rego reads only the kind.
    """
    if not isinstance(obj, dict) or isinstance(obj.get("apiVersion"), str) and obj["apiVersion"]:
        return obj
    api_version = default_api_version(obj.get("kind"))
    return obj if api_version is None else {**obj, "apiVersion": api_version}


def _judgeable(obj: dict[str, Any]) -> bool:
    """gator can store and match it: it has an apiVersion (after with_api_version)."""
    return isinstance(obj.get("apiVersion"), str) and bool(obj["apiVersion"])


def _user_info(user: Any) -> dict[str, Any]:
    """The fields of userInfo that authentication/v1 can hold; anything else reads as untrusted."""
    if not isinstance(user, dict):
        return {}
    out: dict[str, Any] = {}
    if isinstance(user.get("username"), str):
        out["username"] = user["username"]
    if isinstance(user.get("uid"), str):
        out["uid"] = user["uid"]
    groups = user.get("groups")
    if isinstance(groups, list):
        out["groups"] = [g for g in groups if isinstance(g, str)]
    return out


def _request_namespace(res: Resource) -> str:
    """The request's namespace as written (the Rego falls back to the object's, then default)."""
    if res.from_admission_review:
        ns = res.source.get("request", {}).get("namespace")
    else:
        meta = res.object.get("metadata")
        ns = meta.get("namespace") if isinstance(meta, dict) else None
    return ns if isinstance(ns, str) else ""


def admission_review(res: Resource, index: int) -> dict[str, Any]:
    """The request policygen judges, as an AdmissionReview gator verify accepts (no unknown fields)."""
    rev = res.review
    obj = with_api_version(res.object)
    api = obj.get("apiVersion") if isinstance(obj.get("apiVersion"), str) else ""
    group, _, version = api.rpartition("/")
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    request: dict[str, Any] = {
        "uid": f"00000000-0000-0000-0000-{index:012d}",
        "kind": {"group": group, "version": version, "kind": res.kind},
        "operation": rev["operation"],
        "userInfo": _user_info(rev.get("userInfo")),
        "namespace": _request_namespace(res),
    }
    if isinstance(meta.get("name"), str):
        request["name"] = meta["name"]
    if isinstance(rev.get("object"), dict):
        request["object"] = with_api_version(rev["object"])
    if isinstance(rev.get("oldObject"), dict):
        request["oldObject"] = with_api_version(rev["oldObject"])
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def _policy_files(gk: Path) -> list[tuple[str, Path, Path]]:
    """(rule ID, template, constraint) of every policy folder under dist/gatekeeper."""
    found = []
    for folder in sorted(p for p in gk.iterdir() if p.is_dir()):
        template, constraint = folder / "template.yaml", folder / "constraint.yaml"
        if template.is_file() and constraint.is_file():
            found.append((folder.name.split("-", 1)[0].upper(), template, constraint))
    if not found:
        raise EngineError(f"no ConstraintTemplates under {gk}: generate the gatekeeper backend first")
    return found


def _match_kinds(constraint: Path) -> list[tuple[list[str], list[str]]]:
    """(apiGroups, kinds) of a generated Constraint's spec.match.kinds; [] matches everything."""
    try:
        doc = yaml.safe_load(constraint.read_text(encoding="utf-8"))
        kinds = (doc.get("spec") or {}).get("match", {}).get("kinds") or []
        return [(list(k.get("apiGroups") or ["*"]), list(k.get("kinds") or ["*"])) for k in kinds]
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        raise EngineError(f"cannot read {constraint}: {exc}") from exc


def _matches(kinds: list[tuple[list[str], list[str]]], obj: dict[str, Any]) -> bool:
    if not kinds:
        return True
    group, kind = _group(obj), obj.get("kind")
    return any(("*" in gs or group in gs) and ("*" in ks or kind in ks) for gs, ks in kinds)


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


class GatorEngine:
    name = "gator"
    tool = "gator"
    backend = "gatekeeper"

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs  # processes at once; None: POLICYGEN_JOBS, else one per core

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        binary = tools.find(self.tool)
        policies = _policy_files(Path(dist) / self.backend)
        namespaces = [ns for ns in runner.inventory_namespaces(samples).values() if metadata_problem(ns) is None]
        with tempfile.TemporaryDirectory(prefix="policygen-gator-") as tmp:
            runs = iter(range(1 << 30))

            def judge(batch: list[Resource]) -> list[list[Violation]]:
                work = Path(tmp) / f"run{next(runs)}"
                work.mkdir()
                return self._judge(binary, work, policies, plan, batch, namespaces)

            # One process per core, each on its share of the resources; a failed share is bisected on its own.
            workers = runner.jobs(self.jobs)
            found = runner.isolate(self.name, samples.resources, judge, workers=workers,
                                   chunk=runner.spread(len(samples.resources), workers), unloadable=unloadable)
        skipped = sorted(r.rule_id for r in plan.rules if r.rule_id in UNSUPPORTED)
        return runner.verdicts(self.name, plan, samples, found, skipped)

    def _judge(self, binary: Path, work: Path, policies, plan: Plan, batch: list[Resource],
               namespaces: list[dict[str, Any]]) -> list[list[Violation]]:
        plain: list[int] = []
        reviewed: list[int] = []
        for i, res in enumerate(batch):
            obj = with_api_version(res.object)
            if not _judgeable(obj):
                continue  # a kind no rule reads, without a version gator could store it under: no violations
            if res.from_admission_review or _is_gatekeeper_object(obj):
                reviewed.append(i)
            else:
                plain.append(i)
        found: list[list[Violation]] = [[] for _ in batch]
        if plain:
            for i, violations in self._test(binary, work, policies, plan, batch, plain, namespaces).items():
                found[i].extend(violations)
        if reviewed:
            for i, violations in self._verify(binary, work, policies, plan, batch, reviewed, namespaces).items():
                found[i].extend(violations)
        return found

    def _test(self, binary: Path, work: Path, policies, plan: Plan, batch: list[Resource], plain: list[int],
              namespaces: list[dict[str, Any]]) -> dict[int, list[Violation]]:
        """One `gator test` over the batch's plain resources, with the inputs' Namespaces as inventory.

        Rule and check come from each result's details (set by the template from
        its plan) and are checked against the reporting Constraint's rule-id
        annotation; the message is shown, never parsed.
        """
        by_object: dict[str, list[int]] = defaultdict(list)
        docs: list[str] = []
        for i in plain:
            obj = with_api_version(batch[i].object)
            by_object[_canonical(obj)].append(i)
            docs.append(to_json(obj))
        # The inventory's Namespaces come last, so that where two share a name the one policygen
        # picks (samples.namespaces) is what gator stores. Those that arrived inside AdmissionReviews
        # or sit in another batch are inventory only here; their own verdicts come from elsewhere.
        extras = set()
        for ns in namespaces:
            ns = with_api_version(ns)
            key = _canonical(ns)
            if key not in by_object:
                extras.add(key)
            docs.append(to_json(ns))
        inputs = work / "resources.yaml"
        inputs.write_text("\n---\n".join(docs) + "\n", encoding="utf-8")
        argv: list[Any] = [binary, "test", "--output=json", "--filename", inputs]
        for _, template, constraint in policies:
            argv += ["--filename", template, "--filename", constraint]
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
            key = _canonical(obj)
            if key in extras:
                continue
            if key not in by_object:
                raise BatchFailed(f"gator test reported a violation on an object that is no input: {str(result)[:300]!r}")
            violation = _test_violation(plan, result)
            for i in by_object[key]:
                found[i].append(violation)
        return found

    def _verify(self, binary: Path, work: Path, policies, plan: Plan, batch: list[Resource], reviewed: list[int],
                namespaces: list[dict[str, Any]]) -> dict[int, list[Violation]]:
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
        for rule_id, template, constraint in policies:
            kinds = _match_kinds(constraint)
            # A case the constraint's match.kinds skips has no violations; skipping it saves a template compile.
            mine = [(i, path) for i, path in cases if _matches(kinds, batch[i].object)]
            if not mine:
                continue
            folder = root / "policies" / rule_id
            folder.mkdir(parents=True)
            (folder / "template.yaml").write_bytes(template.read_bytes())
            (folder / "constraint.yaml").write_bytes(constraint.read_bytes())
            tests.append({
                "name": rule_id,
                "template": f"policies/{rule_id}/template.yaml",
                "constraint": f"policies/{rule_id}/constraint.yaml",
                "cases": [case for i, path in mine for case in _verify_cases(rule_id, i, path, inventory)],
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
                found[i].extend(_verify_violations(plan, rule_id, counts, total, text))
        return found


def _verify_cases(rule_id: str, i: int, path: str, inventory: str) -> list[dict[str, Any]]:
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


def _verify_violations(plan: Plan, rule_id: str, counts: dict[str, int], total: int, text: str) -> list[Violation]:
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


def _test_violation(plan: Plan, result: dict[str, Any]) -> Violation:
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
