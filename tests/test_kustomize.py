"""dist/'s kustomization files: only cluster objects, every one of them, in layers that apply on the first try."""

from __future__ import annotations

from pathlib import PurePosixPath

import yaml

from policygen.kustomize import CLUSTER_BACKENDS, NOT_FOR_CLUSTERS, backend_kustomizations

from .conftest import backend_files


def _listed(files, folder: PurePosixPath) -> list[PurePosixPath]:
    doc = yaml.safe_load(files[folder / "kustomization.yaml"])
    assert doc["apiVersion"] == "kustomize.config.k8s.io/v1beta1" and doc["kind"] == "Kustomization"
    return [folder / r for r in doc["resources"]]


def _policy_objects(files, backend: str) -> set[PurePosixPath]:
    """Files holding an object we annotate with its rule ID, outside the test folders."""
    found = set()
    for path, text in files.items():
        if path.parts[0] != backend or NOT_FOR_CLUSTERS & set(path.parts) or path.suffix != ".yaml":
            continue
        for doc in yaml.safe_load_all(text):
            if isinstance(doc, dict) and "policygen.dev/rule-id" in ((doc.get("metadata") or {}).get("annotations") or {}):
                found.add(path)
    return found


def test_each_cluster_backend_lists_its_objects_and_nothing_else(reference_files):
    backends = {p.parts[0] for p in reference_files} & set(CLUSTER_BACKENDS)
    assert {"gatekeeper", "kyverno"} <= backends
    for backend in backends:
        root = PurePosixPath(backend)
        listed = set(_listed(reference_files, root))
        for layer in {p.parent for p in reference_files if p.parts[0] == backend and p.name == "kustomization.yaml"} - {root}:
            listed |= set(_listed(reference_files, layer))
        for path in listed:
            assert path in reference_files, path
            assert not NOT_FOR_CLUSTERS & set(path.parts), path
            assert "suite.yaml" != path.name, path
        wanted = _policy_objects(reference_files, backend)
        # Gatekeeper's constraints are installed from the layer's copies of each rule folder's constraint.yaml.
        covered = {p for p in wanted if p in listed or (root / "constraints" / f"{p.parent.name}.yaml") in listed}
        assert covered == wanted, sorted(map(str, wanted - covered))


def test_gatekeeper_templates_and_constraints_are_separate_layers(reference_files):
    base = _listed(reference_files, PurePosixPath("gatekeeper"))
    layer = _listed(reference_files, PurePosixPath("gatekeeper/constraints"))
    kinds_base = {yaml.safe_load(reference_files[p])["kind"] for p in base}
    assert "ConstraintTemplate" in kinds_base
    assert all(yaml.safe_load(reference_files[p])["apiVersion"].startswith("constraints.gatekeeper.sh/") for p in layer)
    defined = {yaml.safe_load(reference_files[p])["spec"]["crd"]["spec"]["names"]["kind"]
               for p in base if p.name == "template.yaml"}
    assert {yaml.safe_load(reference_files[p])["kind"] for p in layer} <= defined
    for p in layer:  # a copy of the rule folder's constraint, byte for byte
        assert reference_files[p] == reference_files[PurePosixPath("gatekeeper") / p.stem / "constraint.yaml"]


def test_a_new_backend_is_covered_from_its_file_map():
    """The vap backend's files (helper cel's) get a kustomization without a change here; test files stay out."""
    policy = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: sc004\n"
    binding = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: sc004\n"
    files = {
        PurePosixPath("sc004/binding.yaml"): binding,
        PurePosixPath("sc004/policy.yaml"): policy,
        PurePosixPath("sc004/samples/pod.yaml"): "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n",
        PurePosixPath("README.md"): "# not yaml\n",
    }
    out = backend_kustomizations("vap", files)
    doc = yaml.safe_load(out[PurePosixPath("kustomization.yaml")])
    assert doc["resources"] == ["sc004/policy.yaml", "sc004/binding.yaml"]


def test_reference_backend_files_unchanged_by_layers(reference_files):
    """The rule folders keep their files: gator suites and engines read them where they were."""
    gk = backend_files(reference_files, "gatekeeper")
    assert PurePosixPath("sc004-sidecar-security-context/constraint.yaml") in gk
    assert PurePosixPath("sc004-sidecar-security-context/template.yaml") in gk


def test_gator_suites_live_outside_every_installed_folder(reference_files):
    """The suites and samples of dist/gatekeeper-tests get no kustomization, and no layer reaches them."""
    assert any(p.parts[0] == "gatekeeper-tests" and p.name == "suite.yaml" for p in reference_files)
    assert "gatekeeper-tests" not in CLUSTER_BACKENDS
    assert not [p for p in reference_files if p.parts[0] == "gatekeeper-tests" and p.name == "kustomization.yaml"]
    for path in (p for p in reference_files if p.name == "kustomization.yaml"):
        for listed in _listed(reference_files, path.parent):
            assert ".." not in listed.parts and listed.parts[0] == path.parts[0], listed
            for doc in yaml.safe_load_all(reference_files[listed]):
                assert doc["kind"] not in ("Suite", "Pod", "Namespace"), listed
