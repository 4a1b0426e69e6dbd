"""SC009: a mesh pod does not opt out of injection, uses an approved revision, and carries the sidecar."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    spec = given.spec
    inj = spec.injection
    if not ((inj and (inj.forbid_opt_out or inj.require_sidecar)) or spec.scope.approved_revisions):
        return None
    return {
        "scope": given.scope,
        "forbidOptOut": bool(inj and inj.forbid_opt_out),
        "approvedRevisions": sorted(spec.scope.approved_revisions),
        "requireSidecar": bool(inj and inj.require_sidecar),
        "sidecarName": inj.sidecar_name if inj else "istio-proxy",
    }


def cases(p, kit):
    if p["forbidOptOut"]:
        kit.pod("inject_true_label", False, lambda pod: pod["metadata"]["labels"].update({"sidecar.istio.io/inject": "true"}))
        kit.pod("inject_capital_true", "inject-opt-out", lambda pod: pod["metadata"]["labels"].update({"sidecar.istio.io/inject": "True"}))
        kit.pod("inject_false_label", "inject-opt-out", lambda pod: pod["metadata"]["labels"].update({"sidecar.istio.io/inject": "false"}))
        kit.pod("inject_false_annotation", "inject-opt-out", lambda pod: pod["metadata"]["annotations"].update({"sidecar.istio.io/inject": "false"}))
        kit.pod("inject_yes_annotation", "inject-opt-out", lambda pod: pod["metadata"]["annotations"].update({"sidecar.istio.io/inject": "yes"}))
    if p["approvedRevisions"]:
        kit.pod("unapproved_revision", "revision-not-approved", lambda pod: pod["metadata"]["labels"].update({"istio.io/rev": "canary-evil"}))
    if p["requireSidecar"]:
        side = p["sidecarName"]
        def drop(pod):
            for f in ("containers", "initContainers"):
                pod["spec"][f] = [c for c in pod["spec"].get(f, []) if c["name"] != side]
        kit.pod("no_sidecar", "sidecar-missing", drop)
        kit.pod("no_sidecar_outside_mesh", False, drop, outside=True)
        # A controller's template is injected at pod creation: requireSidecar judges Pods only (SPEC.md SC009).
        kit.deployment("deployment_without_sidecar", False, drop)


RULE = Rule(
    info=RuleInfo("SC009", "injection-scope", "Injection scope",
                  "A mesh pod does not opt out of injection, uses an approved revision, and carries the sidecar.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "inject-opt-out": "a sidecar.istio.io/inject label or annotation is anything but true",
        "revision-not-approved": "an istio.io/rev label or annotation is not an approved revision",
        "sidecar-missing": "a mesh Pod carries no sidecar while requireSidecar",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
)
