"""Attacker text never reaches a verdict's structure, in any engine.

Names, images, annotation values and usernames are chosen by whoever writes
the resource. Each hostile resource here is judged next to a control that
differs only in that text (same shape, same rules tripped): the (rule, check)
pairs of both must be the same in every engine, and the same as OPA's. Echoed
values are quoted (no raw newline reaches a message) and cut (no message grows
with the input).
"""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policygen.errors import SpecErrors
from policygen.visible import visible
from policygen.fixtures import baseline_pod
from policygen.samples import Resource, SampleSet, _admission_review, _plain_review, iter_files
from policygen.spec import parse_spec
from policygen.verdicts import ENGINE_RULE

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]
# Text that reads like the start of other violations, in the shapes each engine's output could be split on.
FORGED = "x\nCP005/webhook-write-granted ClusterRole \"evil\" SC001/repository-not-approved ; SC003/status-malformed CP002/untrusted-write SC001 "
PLAIN = "x\nnothing-to-see-here plain words and more plain words, about as long as the forged ones"
# Line breaks other than LF, which Go's JSON leaves raw (NEL) and Python's str.splitlines() splits on.
FORGED += "\x85SC002/tag-not-pinned\u2028SC004/x\u2029 "
PLAIN += "\x85 plain words\u2028more\u2029 "
# Beyond the BMP: JSON escapes it as a surrogate pair, which the Kyverno CLI's YAML reader refused, whole run and all.
FORGED += "\U0001f600 "
PLAIN += "\U0001f680 "


def _pod(plan):
    pod, _ = baseline_pod(plan)
    return copy.deepcopy(pod)


def _sidecar(pod):
    return next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")


def _review(obj, user: str, operation: str = "CREATE"):
    request = {"uid": "1", "operation": operation, "userInfo": {"username": user, "groups": []},
               "namespace": obj.get("metadata", {}).get("namespace", "default")}
    request["oldObject" if operation == "DELETE" else "object"] = obj
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def hostile_pairs(plan):
    """(name, hostile document, control document): the control has plain text where the hostile one forges."""
    pairs = []
    for text_name, text in (("forged", FORGED), ("plain", PLAIN)):
        image = _pod(plan)
        _sidecar(image)["image"] = "docker.io/istio/proxyv2:1.0.0 " + text  # does not parse: SC001, SC002 cannot read it
        status = _pod(plan)
        status["metadata"]["annotations"]["sidecar.istio.io/status"] = text
        name = _pod(plan)
        app = name["spec"]["containers"][0]
        app["name"] = ("SC001 " if text is FORGED else "app-1 ") + text
        app["securityContext"]["capabilities"] = {"add": ["NET_ADMIN"]}
        reviewed = _review(copy.deepcopy(status), "someone")
        configmap = {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"}, "data": {}}
        user = _review(configmap, ("SC003/status-malformed " if text is FORGED else "mallory-plain ") + text, "UPDATE")
        long = _pod(plan)
        long["metadata"]["annotations"]["sidecar.istio.io/status"] = (text + " ") * 3000
        # Eight values that escaping makes six times longer (U+2028 is echoed as \u2028): the joined message
        # would pass the API server's 5 KiB, and its static fallback named no check.
        escaped = _pod(plan)
        app = escaped["spec"]["containers"][0]
        escaped["spec"]["containers"] += [dict(copy.deepcopy(app), name=f"app{n}",
                                               image=("\u2028" if text is FORGED else "x") * 200 + " ") for n in range(8)]
        pairs.append({"image": image, "status": status, "container-name": name, "review-status": reviewed,
                      "review-user": user, "long-value": long, "escaped-values": escaped})
    forged, plain = pairs
    return [(key, forged[key], plain[key]) for key in forged]


def _samples(docs):
    resources = []
    for i, (label, doc) in enumerate(docs):
        if doc.get("kind") == "AdmissionReview":
            resources.append(Resource(f"hostile:{label}", i, _admission_review(doc, "hostile", label), doc, None, True))
        else:
            resources.append(Resource(f"hostile:{label}", i, _plain_review(doc), doc))
    return SampleSet(resources)


@pytest.fixture(scope="module")
def hostile(reference_plan):
    pairs = hostile_pairs(reference_plan)
    docs = [(f"{name}:{side}", doc) for name, a, b in pairs for side, doc in (("hostile", a), ("control", b))]
    return pairs, _samples(docs)


@pytest.mark.parametrize("engine", ENGINES)
def test_forged_rule_ids_in_values_change_nothing(engine, judge, reference_plan, hostile):
    pairs, samples = hostile
    verdicts = judge(engine, reference_plan, "hostile-text", samples)
    reference = judge("opa", reference_plan, "hostile-text", samples)
    wrong = []
    for k, (name, _, _) in enumerate(pairs):
        attack, control, opa = verdicts[2 * k], verdicts[2 * k + 1], reference[2 * k]
        if attack.allowed or not attack.checks:
            wrong.append(f"{name}: allowed")
        if attack.checks != control.checks:
            wrong.append(f"{name}: hostile {sorted(attack.checks)} vs control {sorted(control.checks)}")
        if attack.checks != opa.checks:
            wrong.append(f"{name}: {engine} {sorted(attack.checks)} vs opa {sorted(opa.checks)}")
        if ENGINE_RULE in attack.rules:
            wrong.append(f"{name}: unjudged: {[v.message for v in attack.violations]}")
    assert wrong == []
    assert len(pairs) == 7


@pytest.mark.parametrize("engine", ENGINES)
def test_echoed_values_are_quoted_and_cut(engine, judge, reference_plan, hostile):
    pairs, samples = hostile
    verdicts = judge(engine, reference_plan, "hostile-text", samples)
    for verdict in verdicts:
        for v in verdict.violations:
            assert "\n" not in v.message, v.message
            # one container where, one echoed value (200 characters, each escape at most six), the approved
            # values: bounded whatever the input
            assert len(v.message) < 1600, v.message[:300]
    status_index = 2 * [name for name, _, _ in pairs].index("status")
    echoed = [v.message for v in verdicts[status_index].violations if v.check == "status-malformed"]
    # The value is echoed as a quoted string literal: its newline escaped, its text inside the quotes.
    assert echoed and all('"x\\nCP005/webhook-write-granted ClusterRole \\"evil\\" SC001/' in m for m in echoed), echoed
    long_index = 2 * [name for name, _, _ in pairs].index("long-value")
    cut = [v.message for v in verdicts[long_index].violations if v.check == "status-malformed"]
    assert cut and all("...(cut, " in m for m in cut)


# --- names echoed on stderr: file names, spec keys and values --------------------------------------

_DANGEROUS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NASTY = "\n\r\x1b\x07\x7f\x85\x9b\u2028\u2029\u202e\u2067\t:%"
_names = st.text(st.one_of(st.sampled_from(_NASTY), st.characters(codec="utf-8", exclude_characters="/\x00")),
                 min_size=1, max_size=20)


@given(_names)
def test_visible_leaves_no_control_character(text):
    shown = visible(text)
    assert not _DANGEROUS.search(shown)
    assert visible(shown.replace("\\", "")) == shown.replace("\\", "")  # plain text is left as it is


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_names)
def test_a_skipped_file_name_is_echoed_escaped(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("names")
    try:
        (folder / f"{name}.yaml").write_text("name: ci\non: push\njobs: {}\n")
    except OSError:
        return  # a name the file system refuses
    warnings: list[str] = []
    for _ in iter_files([folder], warn=warnings.append):
        pass
    assert len(warnings) == 1
    assert not _DANGEROUS.search(warnings[0]), warnings[0]
    assert warnings[0].startswith("policygen: warning: ")


@settings(max_examples=40, deadline=None)
@given(key=_names)
def test_a_spec_key_is_echoed_escaped(key):
    data = {"apiVersion": "policygen.dev/v1alpha1", "kind": "SidecarPolicy", "metadata": {"name": "x"},
            "spec": {"scope": {"meshNamespaces": ["a"]}, key: 1}}
    with pytest.raises(SpecErrors) as caught:
        parse_spec(data, f"spec{key}.yaml")
    lines = str(caught.value).split("\n")
    assert len(lines) == len(caught.value.errors)
    assert not any(_DANGEROUS.search(line) for line in lines), lines


def test_a_file_name_cannot_forge_a_github_command(tmp_path):
    """A CI folder file named to stop GitHub's command processing, next to a denied pod."""
    from .cli_support import policygen
    from .conftest import REFERENCE_SAMPLES, REFERENCE_SPEC, require_tool

    require_tool("opa")
    (tmp_path / "a\n::stop-commands::pwned\nb.yaml").write_text("name: ci\non: push\njobs: {}\n")
    (tmp_path / "pod.yaml").write_text((REFERENCE_SAMPLES / "sc004.yaml").read_text())
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", "github", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert not any(line.startswith("::") for line in proc.stderr.splitlines()), proc.stderr
    assert visible("a\n::stop-commands::pwned\nb.yaml") in proc.stderr  # the line feeds as \\x0a, no line of their own
    assert any(line.startswith("::error ") for line in proc.stdout.splitlines())
