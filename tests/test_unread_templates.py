"""Pod templates in kinds no rule reads (an Argo Rollout, an OpenShift DeploymentConfig, a core PodTemplate, a
custom resource named like a pod kind) are reported as not evaluated, never as passed.

SPEC.md names the pod kinds; a privileged container in a Rollout is judged nowhere offline, and a CI gate
on `policygen eval` must say so rather than pass it silently (README, Known limits).
"""

from __future__ import annotations

import json

import pytest
import yaml

from policygen import tools
from policygen.kinds import unread_pod_template

from .cli_support import ROOT, policygen
from .conftest import require_tool

REFERENCE = ROOT / "specs" / "reference.yaml"
EXCEPTIONS = ROOT / "specs" / "exceptions.yaml"
POD_RULES = [f"SC{n:03d}" for n in range(1, 13)]

PRIVILEGED = {"containers": [{"name": "web", "image": "nginx", "securityContext": {"privileged": True}}]}


def _template(spec: dict) -> dict:
    return {"metadata": {"labels": {"app": "web"}}, "spec": spec}


UNREAD = {
    "rollout": ({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web", "namespace": "payments"},
                 "spec": {"template": _template(PRIVILEGED)}}, "spec.template.spec"),
    "deploymentconfig": ({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
                          "metadata": {"name": "web", "namespace": "payments"}, "spec": {"template": _template(PRIVILEGED)}},
                         "spec.template.spec"),
    "podtemplate": ({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "web", "namespace": "payments"},
                     "template": _template(PRIVILEGED)}, "template.spec"),
    "kruise-statefulset": ({"apiVersion": "apps.kruise.io/v1beta1", "kind": "StatefulSet",
                            "metadata": {"name": "web", "namespace": "payments"}, "spec": {"template": _template(PRIVILEGED)}},
                           "spec.template.spec"),
    "advanced-cronjob": ({"apiVersion": "apps.kruise.io/v1alpha1", "kind": "AdvancedCronJob",
                          "metadata": {"name": "web", "namespace": "payments"},
                          "spec": {"jobTemplate": {"spec": {"template": _template(PRIVILEGED)}}}},
                         "spec.jobTemplate.spec.template.spec"),
    "keda-scaledjob": ({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob", "metadata": {"name": "web", "namespace": "payments"},
                        "spec": {"jobTargetRef": {"template": _template({"initContainers": [{"name": "i", "image": "x"}]})}}},
                       "spec.jobTargetRef.template.spec"),
    # Red team 16c: what fixed paths missed.
    "pod-of-another-group": ({"apiVersion": "evil.example/v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "payments"},
                              "spec": PRIVILEGED}, "spec"),
    "kruise-sidecarset": ({"apiVersion": "apps.kruise.io/v1alpha1", "kind": "SidecarSet", "metadata": {"name": "proxy"},
                           "spec": {"selector": {}, "containers": [{"name": "istio-proxy", "image": "evil.example/proxy:1"}]}},
                          "spec"),
    "knative-revision": ({"apiVersion": "serving.knative.dev/v1", "kind": "Revision", "metadata": {"name": "web", "namespace": "payments"},
                          "spec": PRIVILEGED}, "spec"),
    "argo-workflow": ({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w", "namespace": "payments"},
                       "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "nginx"}}]}},
                      "spec.templates[0]"),
    "openshift-template": ({"apiVersion": "template.openshift.io/v1", "kind": "Template", "metadata": {"name": "t"},
                            "objects": [{"kind": "Deployment", "spec": {"template": _template(PRIVILEGED)}}]},
                           "objects[0].spec.template.spec"),
    "podtemplate-ephemeral-only": ({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t", "namespace": "payments"},
                                    "template": {"spec": {"ephemeralContainers": [{"name": "d", "image": "busybox"}]}}},
                                   "template.spec"),
}

# Near misses: what the rules read, and what keeps no pod template.
READ_OR_NONE = {
    "deployment": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "payments"},
                   "spec": {"template": _template(PRIVILEGED)}},
    "rollout-by-workload-ref": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                                "metadata": {"name": "web", "namespace": "payments"},
                                "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}},
    "template-without-containers": {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                                    "spec": {"template": {"spec": {"replicas": 2}}}},
    "template-not-a-mapping": {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                               "spec": {"template": ["containers"]}},
    "configmap": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"template": "spec"}},
    "image-repository": {"apiVersion": "image.toolkit.fluxcd.io/v1beta2", "kind": "ImageRepository", "metadata": {"name": "r"},
                         "spec": {"image": "ghcr.io/org/app", "interval": "5m"}},
    "containers-in-metadata-and-status": {"apiVersion": "example.com/v1", "kind": "Widget",
                                          "metadata": {"name": "w", "annotations": {"containers": "[]"}},
                                          "status": {"containers": [{"name": "c", "image": "x"}]}},
    "empty-container-list": {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"containers": []}},
}


@pytest.mark.parametrize("name", sorted(UNREAD))
def test_a_pod_template_no_rule_reads_is_found(name):
    obj, path = UNREAD[name]
    assert unread_pod_template(obj["kind"], obj["apiVersion"], obj) == path


@pytest.mark.parametrize("name", sorted(READ_OR_NONE))
def test_pod_kinds_and_objects_without_a_template_are_not(name):
    obj = READ_OR_NONE[name]
    assert unread_pod_template(obj["kind"], obj["apiVersion"], obj) is None


@pytest.fixture(scope="module")
def manifests(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unread")
    path = folder / "workloads.yaml"
    docs = [obj for obj, _ in UNREAD.values()] + [READ_OR_NONE["deployment"], READ_OR_NONE["rollout-by-workload-ref"]]
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return path, len(UNREAD)


@pytest.mark.parametrize("engine", ["opa", "conftest", "gator", "kyverno", "vap"])
def test_every_engine_reports_them_not_evaluated(manifests, engine):
    require_tool(tools.ENGINE_TOOLS[engine])
    path, unread = manifests
    proc = policygen("eval", "--engine", engine, "--spec", str(REFERENCE), "--fail-on", "never", str(path))
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    for record in records[:unread]:
        assert record["allowed"] and record["violations"] == [], record
        assert record["notEvaluated"] == POD_RULES, record
    deployment, by_reference = records[unread:]
    assert not deployment["allowed"] and "SC010" in {v["rule"] for v in deployment["violations"]}
    assert "SC010" not in deployment["notEvaluated"]
    assert by_reference["notEvaluated"] == [] and by_reference["allowed"]
    warnings = [line for line in proc.stderr.splitlines() if "keep containers at" in line]
    assert any(line.startswith("policygen: warning: 1 Rollout object(s) keep containers at spec.template.spec,")
               for line in warnings), proc.stderr
    assert len(warnings) == len({obj["kind"] for obj, _ in UNREAD.values()}), proc.stderr
    assert any(line.startswith("policygen: warning: 2 PodTemplate object(s) keep containers at template.spec (the first),")
               for line in warnings), proc.stderr


def test_the_path_that_applies_exceptions_reports_them_too(manifests):
    """A spec with exceptions is judged from parsed resources rather than the spool: the same notEvaluated."""
    require_tool("opa")
    path, unread = manifests
    proc = policygen("eval", "--engine", "opa", "--spec", str(EXCEPTIONS), "--fail-on", "never", "--format", "text", str(path))
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stdout.splitlines() if line.startswith("  (not evaluated by opa: SC001")]
    assert len(said) == unread, proc.stdout


def test_every_report_format_shows_them_unjudged_not_passed(manifests, tmp_path):
    """A PolicyReport skips them, JUnit counts them skipped, GitHub and SARIF warn at each one's file and line: no
    format reads such an object as passed (red team 16c)."""
    import jsonschema
    import xmlschema

    from .cli_support import SCHEMAS

    require_tool("opa")
    path, unread = manifests

    def run(fmt: str) -> str:
        proc = policygen("eval", "--engine", "opa", "--spec", str(REFERENCE), "--fail-on", "never", "--format", fmt, str(path))
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    results = [item for doc in yaml.safe_load_all(run("policyreport")) for item in doc["results"]]
    skipped = [item for item in results if item["result"] == "skip"]
    assert len(skipped) == unread and all("in a kind no rule reads" in item["message"] for item in skipped)
    others = [item["result"] for item in results if item not in skipped]
    assert set(others[:-1]) == {"fail"} and others[-1] == "pass", others  # the Deployment, the Rollout by reference

    junit = run("junit")
    xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd")).validate(junit)
    assert junit.count("<skipped ") == unread and 'skipped="%d"' % unread in junit

    github = [line for line in run("github").splitlines() if line.startswith("::warning ") and "kind no rule reads" in line]
    assert len(github) == unread and all(f"file={path}," in line for line in github)

    log = json.loads(run("sarif"))
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(log))
    notes = [n for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"] if n.get("locations")]
    assert len(notes) == unread and all(n.get("level", "warning") == "warning" for n in notes)  # SARIF's default
