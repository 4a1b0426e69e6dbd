"""Hostile and CI-shaped inputs through `policygen eval` and `verify`: exit 2 naming file and line, or one warning.

Every refusal happens while reading, before an engine starts, so these runs
need no engine except the few that judge what remains (opa).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policygen import kubeyaml

from .conftest import REFERENCE_SPEC, require_tool
from .test_loading import billion_laughs

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: payments
spec:
  containers:
  - name: web
    image: registry.corp.example:5000/shop/web:2.3.1
"""


def policygen(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "policygen", *args], capture_output=True, text=True, input=stdin, cwd=cwd,
        timeout=120, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def eval_(*paths: str, extra: tuple[str, ...] = (), stdin: str | None = None) -> subprocess.CompletedProcess:
    return policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--fail-on", "never", *extra, *paths, stdin=stdin)


def refused(path: Path | str, message: str) -> None:
    proc = eval_(str(path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == f"policygen: {path}: {message}\n"


def test_billion_laughs_exits_2(tmp_path):
    f = tmp_path / "lol.yaml"
    f.write_text(billion_laughs(12))
    refused(f, f"line 5: aliases expand to more than {kubeyaml.MAX_ALIAS_NODES} nodes (an alias bomb?); refused")


def test_deep_nesting_exits_2(tmp_path):
    f = tmp_path / "deep.yaml"
    f.write_text(POD + "  nodeSelector: " + "[" * 100000 + "]" * 100000 + "\n")
    refused(f, f"line 10: nested deeper than {kubeyaml.MAX_DEPTH} levels; refused")


def test_deep_json_exits_2(tmp_path):
    f = tmp_path / "deep.json"
    f.write_text('{"kind": "Pod", "spec": ' + "[" * 100000 + "]" * 100000 + "}")
    proc = eval_(str(f))
    assert proc.returncode == 2 and proc.stderr.startswith(f"policygen: {f}: line 1: ")
    assert "nested deeper" in proc.stderr


def test_duplicate_key_exits_2_naming_both_lines(tmp_path):
    f = tmp_path / "dup.yaml"
    f.write_text("---\n" + POD + "    image: evil.example/proxy:1\n")
    refused(f, 'line 11: mapping key "image" already defined at line 10')


def test_duplicate_key_in_json_exits_2(tmp_path):
    f = tmp_path / "dup.json"
    f.write_text('{"kind": "Pod",\n "metadata": {"name": "a", "name": "b"}}')
    refused(f, 'line 1: not valid JSON: duplicate key "name"')


def test_separator_with_content_exits_2(tmp_path):
    f = tmp_path / "sep.yaml"
    f.write_text(POD + "--- kind: Pod\n")
    refused(f, 'line 10: invalid YAML document separator: "kind: Pod" (kubectl allows only a comment after ---)')


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    refused(fifo, "not a regular file (a FIFO); refused")


def test_fifo_inside_a_folder_is_refused(tmp_path):
    (tmp_path / "ok.yaml").write_text(POD)
    os.mkfifo(tmp_path / "pipe.yaml")
    proc = eval_(str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == f"policygen: {tmp_path / 'pipe.yaml'}: not a regular file (a FIFO); refused\n"


def test_device_is_refused():
    refused("/dev/zero", "not a regular file (a character device); refused")


def test_symlink_to_a_device_in_a_folder_is_refused(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    proc = eval_(str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == f"policygen: {tmp_path / 'zero.yaml'}: not a regular file (a character device); refused\n"


def test_oversized_file_is_refused_before_reading(tmp_path):
    f = tmp_path / "huge.yaml"
    with open(f, "wb") as fh:  # sparse: no disk used, nothing read
        fh.truncate(kubeyaml.MAX_INPUT_BYTES + 1)
    refused(f, f"{kubeyaml.MAX_INPUT_BYTES + 1} bytes, over the {kubeyaml.MAX_INPUT_BYTES}-byte input limit; refused")


def test_bad_utf8_names_the_line(tmp_path):
    f = tmp_path / "latin1.yaml"
    f.write_bytes(POD.encode() + b"  hostname: caf\xe9\n")
    refused(f, f"line 10: not UTF-8 text (byte 0xe9 at offset {len(POD) + 15})")


def test_nul_and_control_characters_name_the_line(tmp_path):
    f = tmp_path / "nul.yaml"
    f.write_text(POD + "  hostname: a\x00b\n")
    refused(f, "line 10: not valid YAML: control characters are not allowed (U+0000)")


def test_nan_that_kubectl_cannot_send_exits_2(tmp_path):
    f = tmp_path / "nan.yaml"
    f.write_text(POD + "  priority: .nan\n")
    refused(f, "line 10: json: unsupported value: NaN")


WORKFLOW = """name: ci
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
    - uses: actions/checkout@v4
"""
VALUES = "replicaCount: 2\nimage:\n  repository: nginx\n  tag: stable\n"
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [pod.yaml]\n"


@pytest.fixture
def ci_folder(tmp_path):
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (root / "chart").mkdir()
    (root / "chart" / "values.yaml").write_text(VALUES)
    (root / "kustomization.yaml").write_text(KUSTOMIZATION)
    (root / "package.json").write_text('["not", "an", "object"]')
    (root / "pod.yaml").write_text(POD)
    return root


def test_strict_makes_a_file_of_no_objects_fatal(ci_folder):
    proc = eval_(str(ci_folder), extra=("--strict",))
    assert proc.returncode == 2
    ci = ci_folder / ".github" / "workflows" / "ci.yml"
    assert proc.stderr == f"policygen: {ci}: no Kubernetes object in it (no document has a kind) (--strict)\n"


def test_ci_folder_and_stdin_judged_with_one_warning_per_skipped_file(ci_folder):
    require_tool("opa")
    other = POD.replace("name: web\n  namespace", "name: from-stdin\n  namespace")
    proc = eval_("-", str(ci_folder), extra=("--ignore", "chart/**"), stdin="# from helm template\n---\n" + other)
    assert proc.returncode == 0, proc.stderr
    warnings = proc.stderr.splitlines()
    assert warnings == [
        f"policygen: warning: {ci_folder / '.github' / 'workflows' / 'ci.yml'}: skipped: no Kubernetes object in it (no document has a kind)",
        f"policygen: warning: {ci_folder / 'kustomization.yaml'}: skipped: a kustomize configuration, not a Kubernetes object",
        f"policygen: warning: {ci_folder / 'package.json'}: skipped: no Kubernetes object in it (a document is not a mapping)",
    ]
    records = json.loads(proc.stdout)
    assert [(r["file"], r["document"], r["line"], r["object"], r["kind"], r["namespace"], r["name"]) for r in records] == [
        ("<stdin>", 2, 3, "Pod payments/from-stdin", "Pod", "payments", "from-stdin"),
        (str(ci_folder / "pod.yaml"), 1, 1, "Pod payments/web", "Pod", "payments", "web"),
    ]


def test_objects_in_a_file_named_kustomization_are_judged(tmp_path):
    """kubectl apply -f on the folder applies a Pod kept in kustomization.yaml: it was skipped whole."""
    require_tool("opa")
    pod = POD.replace("namespace: payments", "namespace: payments\n  annotations: {sidecar.istio.io/proxyImage: evil.example/proxy:1}")
    (tmp_path / "kustomization.yaml").write_text(KUSTOMIZATION + "---\n" + pod)
    proc = eval_(str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    judged = {r["kind"]: r for r in json.loads(proc.stdout)}
    assert judged["Pod"]["allowed"] is False
    assert "SC008" in {v["rule"] for v in judged["Pod"]["violations"]}


def test_ignore_leaves_a_broken_file_out(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "deploy.yaml").write_text("kind: Deployment\nmetadata: {{ .Values.name }}\n")
    (tmp_path / "bad.yaml").write_text("kind: [")
    proc = eval_(str(tmp_path), extra=("--ignore", "templates", "--ignore", "bad.yaml"))
    # Nothing left to judge is bad input: a CI gate that judged nothing must not pass.
    assert proc.returncode == 2 and "no Kubernetes object to judge" in proc.stderr, proc.stderr
    assert "warning" not in proc.stderr


def test_verify_takes_the_same_input_flags(ci_folder):
    (ci_folder / "pod.yaml").unlink()
    proc = policygen("verify", str(REFERENCE_SPEC), str(ci_folder), "--engine", "opa", "--strict")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"policygen: {ci_folder / '.github' / 'workflows' / 'ci.yml'}: no Kubernetes object")


def test_cluster_scoped_records_carry_no_namespace(tmp_path):
    require_tool("opa")
    f = tmp_path / "cluster.yaml"
    f.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: payments, namespace: default}\n---\n"
                 "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n")
    proc = eval_(str(f))
    assert proc.returncode == 0, proc.stderr
    assert [(r["namespace"], r["object"], r["line"]) for r in json.loads(proc.stdout)] == [
        ("", "Namespace payments", 1), ("", "ClusterRole r", 5),
    ]


_HUGE = "9" * 5000
_POD_YAML = ("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: payments}\nspec:\n  containers:\n"
             "  - name: app\n    image: nginx\n    securityContext: {runAsUser: %s}\n")
_POD_JSON = ('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"payments"},"spec":{"containers":'
             '[{"name":"app","image":"nginx","securityContext":{"runAsUser":%s}}]}}')


@pytest.mark.parametrize("name, template", [("pod.yaml", _POD_YAML), ("pod.json", _POD_JSON)])
def test_an_integer_of_thousands_of_digits_is_judged_as_1e400_is(tmp_path, name, template):
    """Out of every engine's range: judged as the same document with 1e400 is (never allowed), not a traceback."""
    require_tool("opa")
    huge, inf = tmp_path / name, tmp_path / f"inf-{name}"
    huge.write_text(template % _HUGE)
    inf.write_text(template % "1e400")
    runs = [policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", "json", str(p))
            for p in (huge, inf)]
    for proc in runs:
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    (big,), (control,) = (json.loads(p.stdout) for p in runs)
    assert not big["allowed"]
    assert [v["rule"] for v in big["violations"]] == [v["rule"] for v in control["violations"]]


def test_strict_names_a_file_whose_name_holds_a_colon(tmp_path):
    """The message is the file's name and the reason, however the name reads (it used to be split on ': ')."""
    odd = tmp_path / "wf: x.yaml"
    odd.write_text(WORKFLOW)
    proc = eval_(str(tmp_path), extra=("--strict",))
    assert proc.returncode == 2
    assert proc.stderr == f"policygen: {odd}: no Kubernetes object in it (no document has a kind) (--strict)\n"


# kustomize reads its own file without apiVersion or kind (or with `kind: Component`) all the same (red team 11).
KUSTOMIZATION_FORMS = {"full": KUSTOMIZATION, "kindless": "resources: [pod.yaml]\n",
                       "kind-only": "kind: Kustomization\nresources: [pod.yaml]\n", "null-kind": "kind: null\nresources: [pod.yaml]\n"}


@pytest.mark.parametrize("form", sorted(KUSTOMIZATION_FORMS))
@pytest.mark.parametrize("field", ["namespace: payments", "images: [{name: web, newName: evil.example/web}]",
                                   "commonLabels: {sidecar.istio.io/inject: 'false'}", "patches: [{path: p.yaml}]",
                                   "configMapGenerator: [{name: istio-sidecar-injector}]", "components: [../c]"])
def test_a_kustomization_that_transforms_what_it_lists_is_bad_input(tmp_path, field, form):
    """kubectl apply -k, Argo CD and Flux apply what kustomize renders: a namespace-less privileged Pod listed
    under `namespace: payments` lands in that mesh namespace, while its file as written sits in default."""
    (tmp_path / "kustomization.yaml").write_text(KUSTOMIZATION_FORMS[form] + field + "\n")
    (tmp_path / "pod.yaml").write_text(POD.replace("  namespace: payments\n", ""))
    proc = eval_(str(tmp_path))
    key = field.split(":")[0]
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"policygen: {tmp_path / 'kustomization.yaml'}: document 1, line 1: field '{key}': "), proc.stderr
    assert f"kubectl kustomize {tmp_path} | policygen eval" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_a_transforming_kustomization_left_out_with_ignore(tmp_path):
    require_tool("opa")
    (tmp_path / "kustomization.yaml").write_text(KUSTOMIZATION + "namespace: payments\n")
    (tmp_path / "pod.yaml").write_text(POD)
    proc = eval_(str(tmp_path), extra=("--ignore", "kustomization.yaml"))
    assert proc.returncode == 0, proc.stderr
