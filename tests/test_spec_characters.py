"""Any character in a free-form spec string reaches every backend's policies unchanged, or the spec is refused.

Annotation values, trusted roles, argument prefixes, pinned env values and the
injector's service path are written by a platform engineer and compared
exactly with what a pod or request holds. A value no policy source can hold
raw (DEL, a C1 control, U+FFFE; NEL, U+2028, U+2029, which YAML 1.1 reads as
line breaks; bidi controls) is escaped in the CEL and Rego literals, never
dropped, folded or replaced; a value the spec does not accept is exit 2 naming
the field. Never a traceback.
"""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policygen as pg
from policygen.pipeline import render_all
from policygen.render import load_own_yaml_all

from .cli_support import policygen
from .conftest import REFERENCE_SAMPLES, REFERENCE_SPEC, require_tool

BACKENDS = ["rego", "gatekeeper", "kyverno", "vap"]
# field -> (where it sits in the reference spec, the rule folder whose policies compare it)
FIELDS = {
    "annotations.allowedValues": ("spec.annotations.allowedValues.inject.istio.io/templates[1]", "sc008"),
    "controlPlane.trustedRoles": ("spec.controlPlane.trustedRoles[0]", "cp005"),
    "args.prefix": ("spec.sidecars[0].args.prefix[0]", "sc005"),
    "env.pinned": ("spec.sidecars[0].env.pinned.CA_ADDR", "sc005"),
    "injectorWebhooks.service.path": ("spec.controlPlane.injectorWebhooks.service.path", "cp001"),
}
# Characters YAML cannot carry raw or reads as line breaks, controls that reorder text, and ordinary non-ASCII.
AWKWARD = "\x7f\x85\x9b\u2028\u2029\u202e\u2066\ufeff\ufffe\uffff\x01\t\né\U0001f600"
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _reference() -> dict:
    return yaml.safe_load(REFERENCE_SPEC.read_text())


def _with_value(field: str, value: str) -> dict:
    data = copy.deepcopy(_reference())
    spec = data["spec"]
    if field == "annotations.allowedValues":
        spec["annotations"]["allowedValues"]["inject.istio.io/templates"][1] = value
    elif field == "controlPlane.trustedRoles":
        spec["controlPlane"]["trustedRoles"][0] = value
    elif field == "args.prefix":
        spec["sidecars"][0]["args"]["prefix"][0] = value
    elif field == "env.pinned":
        spec["sidecars"][0]["env"]["pinned"]["CA_ADDR"] = value
    else:
        spec["controlPlane"]["injectorWebhooks"]["service"]["path"] = value
    return data


def _strings(files: dict, rule_folder: str) -> dict[str, set[str]]:
    """Per backend, every string its policies for the rule hold: YAML values, and the JSON-written string
    literals of the Rego and CEL sources (a CEL or Rego literal as policygen writes it is JSON)."""
    found: dict[str, set[str]] = {b: set() for b in BACKENDS}
    for path, text in files.items():
        backend = path.parts[0]
        if backend not in found or not str(path).split("/", 1)[1].startswith(rule_folder):
            if not (backend == "gatekeeper" and path.parts[1] == "constraints" and path.name.startswith(rule_folder)):
                continue
        sources = [text]
        if path.suffix == ".yaml":
            stack = load_own_yaml_all(text)
            while stack:
                v = stack.pop()
                if isinstance(v, dict):
                    stack += [*v.keys(), *v.values()]
                elif isinstance(v, list):
                    stack += v
                elif isinstance(v, str):
                    found[backend].add(v)
                    sources.append(v)
        for source in sources:
            for token in _TOKEN.findall(source):
                try:
                    found[backend].add(json.loads(token))
                except ValueError:
                    pass
    return found


def _generate_or_refuse(tmp_path, field: str, value: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(_with_value(field, value)), encoding="utf-8")
    where, rule_folder = FIELDS[field]
    try:
        plan = pg.build_plan(pg.load_spec(path))
    except pg.SpecError as exc:
        # Refused: the message names the file and the field (its section at least).
        section = where.split("[")[0].rsplit(".", 1)[0] if field != "env.pinned" else "spec.sidecars[0].env.pinned"
        assert str(path) in str(exc) and section.split(".")[1] in str(exc), str(exc)
        return
    files = render_all(plan, BACKENDS)
    strings = _strings(files, rule_folder)
    missing = [b for b in BACKENDS if value not in strings[b]]
    assert not missing, f"{value!r} of {field} does not reach {missing} unchanged"


@pytest.mark.parametrize("field", list(FIELDS))
def test_awkward_characters_reach_every_backend_unchanged(tmp_path, field):
    chars = "\x7f\x9b\ufffe\x85\u2028\u202e"
    value = f"/x{chars}y" if field == "injectorWebhooks.service.path" else f"x{chars}y"
    _generate_or_refuse(tmp_path, field, value)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(list(FIELDS)),
       text=st.text(st.one_of(st.sampled_from(AWKWARD), st.characters(codec="utf-8")), min_size=1, max_size=12))
def test_any_text_reaches_the_policies_or_is_refused(tmp_path, field, text):
    value = "/" + text if field == "injectorWebhooks.service.path" else text
    _generate_or_refuse(tmp_path, field, value)


@pytest.mark.parametrize("char", ["\x7f", "\x9b", "\ufffe"])
def test_generate_and_check_exit_0_not_a_traceback(tmp_path, char):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(_with_value("annotations.allowedValues", f"gate{char}way")), encoding="utf-8")
    out = tmp_path / "dist"
    proc = policygen("generate", str(spec), "-o", str(out), "-q")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    check = policygen("generate", str(spec), "-o", str(out), "--check")
    assert check.returncode == 0 and "Traceback" not in check.stderr, check.stderr


@pytest.mark.parametrize("engine", ["opa", "gator", "kyverno", "vap"])
def test_an_escaped_value_matches_the_same_value_in_a_pod(tmp_path, engine):
    """The escaped literal is the value itself: a pod holding it is allowed, one holding another is denied."""
    require_tool({"gator": "gator", "kyverno": "kyverno", "vap": "celcheck"}.get(engine, "opa"))
    value = "gate\x9b\x7f\ufffeway"
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(_with_value("annotations.allowedValues", value)), encoding="utf-8")
    pod = pg.load_samples([REFERENCE_SAMPLES / "benign.yaml"]).resources[0].source
    pods = []
    for name, annotation in (("same", value), ("other", "gate\x9bway")):
        doc = copy.deepcopy(pod)
        doc["metadata"]["name"] = name
        doc["metadata"].setdefault("annotations", {})["inject.istio.io/templates"] = annotation
        pods.append(doc)
    path = tmp_path / "pods.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": pods}))
    proc = policygen("eval", "--spec", str(spec), "--engine", engine, "--format", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    verdicts = {r["name"]: r["allowed"] for r in json.loads(proc.stdout)}
    assert verdicts == {"same": True, "other": False}


@pytest.mark.parametrize("engine", ["opa", "kyverno", "vap"])
def test_a_line_break_in_a_spec_value_keeps_the_message_and_its_check(tmp_path, engine):
    """The API server drops a messageExpression result with a line break for the static message, which names no
    check (red team 9, F2): an approved value echoed in a message must not take the rule's check with it."""
    require_tool({"kyverno": "kyverno", "vap": "celcheck"}.get(engine, "opa"))
    pod = pg.load_samples([REFERENCE_SAMPLES / "benign.yaml"]).resources[0].source
    doc = copy.deepcopy(pod)
    doc["metadata"].setdefault("annotations", {})["inject.istio.io/templates"] = "other"
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(doc))
    for field, value, check in (("annotations.allowedValues", "gate\nway", "SC008/annotation-value"),
                                ("args.prefix", "pro\nxy", "SC005/args-prefix")):
        spec = tmp_path / "spec.yaml"
        spec.write_text(yaml.safe_dump(_with_value(field, value)), encoding="utf-8")
        proc = policygen("eval", "--spec", str(spec), "--engine", engine, "--format", "json", str(path))
        assert proc.returncode == 1, proc.stderr
        found = {f"{v['rule']}/{v['check']}" for v in json.loads(proc.stdout)[0]["violations"]}
        assert check in found, (field, found)
