"""SC009: a mesh pod does not opt out of injection, uses an approved revision, and carries the sidecar."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    spec = given.spec
    inj = spec.injection
    if not ((inj and (inj.forbid_opt_out or inj.require_sidecar or inj.capture_containers)) or spec.scope.approved_revisions):
        return None
    capture = sorted(set(inj.capture_containers)) if inj else []
    return {
        "scope": given.scope,
        "forbidOptOut": bool(inj and inj.forbid_opt_out),
        "approvedRevisions": sorted(spec.scope.approved_revisions),
        "requireSidecar": bool(inj and inj.require_sidecar),
        "sidecarName": inj.sidecar_name if inj else "istio-proxy",
        "captureContainers": capture,
        # What is no app container; read only with captureContainers.
        "sidecarNames": sorted(s.name for s in spec.sidecars) if capture else [],
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
    if p["captureContainers"]:
        side, capture = p["sidecarName"], set(p["captureContainers"])

        def uncaptured(pod):
            pod["spec"]["initContainers"] = [c for c in pod["spec"].get("initContainers", []) if c["name"] not in capture]

        def gateway(pod):
            uncaptured(pod)
            for f in ("containers", "initContainers"):
                pod["spec"][f] = [c for c in pod["spec"].get(f, []) if c["name"] in p["sidecarNames"]]

        def capture_beside_the_app(pod):
            moved = [c for c in pod["spec"].get("initContainers", []) if c["name"] in capture]
            uncaptured(pod)
            pod["spec"]["containers"] += [{k: v for k, v in c.items() if k != "restartPolicy"} for c in moved]

        def debugged(pod):
            gateway(pod)
            pod["spec"]["ephemeralContainers"] = [{"name": "debugger", "image": "busybox:1.36"}]

        if any(c in p["sidecarNames"] for c in capture):
            kit.pod("app_without_capture", "capture-missing", uncaptured)
            kit.deployment("template_without_capture", "capture-missing", uncaptured)
            kit.pod("app_without_capture_outside_mesh", False, uncaptured, outside=True)
            kit.pod("proxy_alone_like_a_gateway", False, gateway)
            kit.pod("capture_container_beside_the_app", "capture-missing", capture_beside_the_app)
            kit.ephemeral("debugger_beside_an_uncaptured_proxy", "capture-missing", debugged)
        def neither(pod):
            uncaptured(pod)
            for f in ("containers", "initContainers"):
                pod["spec"][f] = [c for c in pod["spec"].get(f, []) if c["name"] != side]

        if side in p["sidecarNames"]:
            # The check asks nothing of a pod without the sidecar: requireSidecar does.
            kit.pod("no_proxy_no_capture", "sidecar-missing" if p["requireSidecar"] else False, neither)


RULE = Rule(
    info=RuleInfo("SC009", "injection-scope", "Injection scope",
                  "A mesh pod does not opt out of injection, uses an approved revision, and carries the sidecar.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "inject-opt-out": "a sidecar.istio.io/inject label or annotation is anything but true",
        "revision-not-approved": "an istio.io/rev label or annotation is not an approved revision",
        "sidecar-missing": "a mesh Pod carries no sidecar while requireSidecar",
        "capture-missing": "a mesh pod runs the sidecar beside app containers without any of captureContainers in initContainers",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=lambda params: True,
)
