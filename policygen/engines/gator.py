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

import copy
import json
import re
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from .. import tools
from ..backends.rego import UNSUPPORTED
from ..errors import EngineError
from ..kinds import default_api_version
from ..plan import Plan
from ..render import to_json, to_yaml
from ..samples import Resource, SampleSet
from ..verdicts import Verdict, sorted_violations
from .base import verdict_shell

TIMEOUT = 600
_VIOLATIONS = re.compile(r"got (\d+) violations but want exactly 0: got messages \[(.*)\]\s*\Z", re.DOTALL)
_CASE_RESULT = re.compile(r"^    --- (PASS|FAIL): (\S+)\t")
_TEST_RESULT = re.compile(r"^--- (PASS|FAIL): (\S+)\t")
_TEST_RUN = re.compile(r"^=== RUN   (\S+)$")


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"{argv[0]} {argv[1]} did not finish within {TIMEOUT}s") from exc
    except OSError as exc:
        raise EngineError(f"cannot run {argv[0]}: {exc}") from exc


def split_messages(text: str, count: int, rule_id: str) -> list[str]:
    """Go's %v of a []string of count messages, each starting with rule_id, back into messages."""
    if count == 0:
        return []
    starts = [m.start() + 1 for m in re.finditer(re.escape(f" {rule_id} "), text)]
    if not text.startswith(f"{rule_id} ") or len(starts) != count - 1:
        raise EngineError(
            f"gator reported {count} {rule_id} violations whose messages cannot be told apart: {text[:500]!r}"
        )
    bounds = [0, *starts, len(text) + 1]
    return [text[bounds[i] : bounds[i + 1] - 1] for i in range(count)]


def parse_verify_report(report: str, tests: dict[str, list[str]]) -> dict[tuple[str, str], list[str]]:
    """(test, case) -> messages from `gator verify -v`; anything unexpected raises EngineError."""
    results: dict[tuple[str, str], list[str]] = {}
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
                raise EngineError(f"gator verify reported case {case} outside a test:\n{report[-2000:]}")
            if status == "PASS":
                results[(test, case)] = []
                continue
            body = []
            while i < len(lines) and not re.match(r"^(    )?(---|===) |^(ok|FAIL)\t|^(PASS|FAIL)$", lines[i]):
                body.append(lines[i])
                i += 1
            error = "\n".join(body).strip()
            found = _VIOLATIONS.search(error)
            if not found:
                raise EngineError(f"gator verify failed on {test}/{case}: {error[:2000]}")
            results[(test, case)] = split_messages(found.group(2), int(found.group(1)), test)
            continue
        if m := _TEST_RESULT.match(line):
            status, name = m.groups()
            if status == "FAIL" and i < len(lines) and lines[i].startswith("  ") and not lines[i].startswith("    "):
                raise EngineError(f"gator verify could not run {name}: {lines[i].strip()}")
    missing = [f"{t}/{c}" for t, cases in tests.items() for c in cases if (t, c) not in results]
    if missing:
        raise EngineError(f"gator verify gave no result for {', '.join(missing[:10])}:\n{report[-3000:]}")
    return results


class GatorEngine:
    name = "gator"
    tool = "gator"
    backend = "gatekeeper"

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        binary = tools.find(self.tool)
        policies = _policy_files(Path(dist) / self.backend)
        plain: list[int] = []
        reviewed: list[int] = []
        for i, res in enumerate(samples.resources):
            obj = with_api_version(res.object)
            if not _judgeable(obj):
                continue  # a kind no rule reads, without a version gator could store it under: no violations
            if res.from_admission_review or _is_gatekeeper_object(obj):
                reviewed.append(i)
            else:
                plain.append(i)
        messages: dict[int, list[str]] = {i: [] for i in range(len(samples.resources))}
        with tempfile.TemporaryDirectory(prefix="policygen-gator-") as tmp:
            work = Path(tmp)
            if plain:
                for i, found in self._test(binary, work, policies, samples, plain).items():
                    messages[i].extend(found)
            if reviewed:
                for i, found in self._verify(binary, work, policies, samples, reviewed).items():
                    messages[i].extend(found)
        skipped = sorted(r.rule_id for r in plan.rules if r.rule_id in UNSUPPORTED)
        verdicts = []
        for i, res in enumerate(samples.resources):
            verdict = verdict_shell(res, self.name)
            verdict.violations = sorted_violations(messages[i])
            verdict.not_evaluated = list(skipped)
            verdicts.append(verdict)
        return verdicts

    def _test(self, binary: Path, work: Path, policies, samples: SampleSet, plain: list[int]) -> dict[int, list[str]]:
        """One `gator test` over every plain resource, with the inputs' Namespaces as inventory."""
        by_object: dict[str, list[int]] = defaultdict(list)
        docs: list[str] = []
        for i in plain:
            obj = with_api_version(samples.resources[i].object)
            by_object[_canonical(obj)].append(i)
            docs.append(to_json(obj))
        # The inventory's Namespaces come last, so that where two share a name the one policygen
        # picks (samples.namespaces) is what gator stores. Those that arrived inside AdmissionReviews
        # are inventory only here; their own verdicts come from verify.
        extras = set()
        for ns in samples.namespaces.values():
            ns = with_api_version(ns)
            key = _canonical(ns)
            if key not in by_object:
                extras.add(key)
            docs.append(to_json(ns))
        inputs = work / "resources.yaml"
        inputs.write_text("\n---\n".join(docs) + "\n", encoding="utf-8")
        argv = [str(binary), "test", "--output=json", "--filename", str(inputs)]
        for _, template, constraint in policies:
            argv += ["--filename", str(template), "--filename", str(constraint)]
        proc = _run(argv)
        try:
            answer = json.loads(proc.stdout) if proc.stdout.strip() else None
        except json.JSONDecodeError:
            answer = None
        if proc.returncode not in (0, 1) or (answer is None and proc.stdout.strip() != "null"):
            raise EngineError(f"gator test failed (exit {proc.returncode}):\n{proc.stderr[-3000:] or proc.stdout[-3000:]}")
        if answer is None:
            if proc.returncode != 0:
                raise EngineError(f"gator test failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
            answer = []
        if not isinstance(answer, list):
            raise EngineError(f"gator test answered {str(answer)[:300]!r}, not a list of results")
        found: dict[int, list[str]] = defaultdict(list)
        for result in answer:
            msg = result.get("msg") if isinstance(result, dict) else None
            obj = result.get("violatingObject") if isinstance(result, dict) else None
            if not isinstance(msg, str) or not isinstance(obj, dict):
                raise EngineError(f"gator test answered a result without msg or violatingObject: {str(result)[:300]!r}")
            key = _canonical(obj)
            if key in extras:
                continue
            if key not in by_object:
                raise EngineError(f"gator test reported a violation on an object that is no input: {msg}")
            for i in by_object[key]:
                found[i].append(msg)
        return found

    def _verify(self, binary: Path, work: Path, policies, samples: SampleSet, reviewed: list[int]) -> dict[int, list[str]]:
        """One `gator verify` of a generated Suite: every (template, resource) pair is a case."""
        root = work / "verify"
        (root / "objects").mkdir(parents=True)
        inventory = ""
        if samples.namespaces:
            inventory = "inventory.yaml"
            (root / inventory).write_text(
                "\n---\n".join(to_json(with_api_version(ns)) for ns in samples.namespaces.values()) + "\n", encoding="utf-8"
            )
        cases = []
        for i in reviewed:
            path = f"objects/r{i}.yaml"
            (root / path).write_text(to_json(admission_review(samples.resources[i], i)) + "\n", encoding="utf-8")
            case: dict[str, Any] = {"name": f"r{i}", "object": path, "assertions": [{"violations": 0}]}
            if inventory:
                case["inventory"] = [inventory]
            cases.append(case)
        tests = []
        for rule_id, template, constraint in policies:
            kinds = _match_kinds(constraint)
            # A case the constraint's match.kinds skips has no violations; skipping it saves a template compile.
            mine = [c for c, i in zip(cases, reviewed) if _matches(kinds, samples.resources[i].object)]
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
                "cases": copy.deepcopy(mine),
            })
        if not tests:
            return {}
        suite = {"apiVersion": "test.gatekeeper.sh/v1alpha1", "kind": "Suite", "metadata": {"name": "policygen-eval"}, "tests": tests}
        (root / "suite.yaml").write_text(to_yaml(suite), encoding="utf-8")
        proc = _run([str(binary), "verify", "-v", str(root / "suite.yaml")])
        results = parse_verify_report(proc.stdout + proc.stderr, {t["name"]: [c["name"] for c in t["cases"]] for t in tests})
        found: dict[int, list[str]] = defaultdict(list)
        for (_, case), msgs in results.items():
            found[int(case[1:])].extend(msgs)
        return found
