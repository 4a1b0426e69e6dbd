"""SC012: a sidecar image is signed by one of the approved cosign keys.

Only Kyverno can check a signature (an ImageValidatingPolicy, rendered by
backends/kyverno.py): the check needs a registry and cosign, which neither Rego
nor the API server's CEL can reach. Its cases are the signed, unsigned,
wrong-key and tag-only images of tests/test_signatures.py, against a loopback
registry, since no fixture file can carry a signature; its one offline case is
a pod with nothing to verify.
"""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    spec = given.spec
    if not (spec.signatures and spec.images):
        return None
    return {
        "scope": given.scope,
        "repositories": given.repositories,
        "sidecarNames": given.sidecar_names,
        "publicKeys": list(spec.signatures.cosign.public_keys),
        "transparencyLog": spec.signatures.cosign.transparency_log,
        "requireDigest": spec.images.require_digest,
    }


def cases(p, kit):
    # Offline no registry answers, so only what needs no signature: a pod without an image of an
    # approved repository has nothing to verify. Outside the mesh, where no other rule wants a sidecar.
    def app_only(pod):
        pod["spec"]["containers"] = [c for c in pod["spec"]["containers"] if c["name"] == "app"]
        pod["spec"].pop("initContainers", None)
        pod["spec"].pop("volumes", None)
        pod["metadata"]["annotations"].pop("sidecar.istio.io/status", None)
    kit.pod("app_only_outside_mesh", False, app_only, outside=True)


RULE = Rule(
    info=RuleInfo("SC012", "sidecar-image-signature", "Sidecar image signature",
                  "A sidecar image is signed by one of the approved cosign keys.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "signature": "a sidecar image is not signed by an approved key",
    },
    plan=plan,
    cases=cases,
    baseline_cases=False,
    folder=Path(__file__).parent,
    not_rendered={
        "rego": "signatures need a registry and cosign, which Rego cannot reach",
        "vap": "CEL in the API server cannot reach a registry",
    },
    coverage_notes={
        "Kyverno": "yes: ImageValidatingPolicy, proven against a loopback registry; offline eval: notEvaluated",
        "ValidatingAdmissionPolicy": "no: CEL in the API server cannot reach a registry; reported in notEvaluated",
    },
)
