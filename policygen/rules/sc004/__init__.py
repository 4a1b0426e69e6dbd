"""SC004: a sidecar's securityContext is exactly the approved one, capabilities included."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo, per_sidecar

# Kubernetes' defaults where a missing securityContext key means the approved
# value anyway (SPEC.md SC004); allowPrivilegeEscalation is never defaulted.
SECURITY_CONTEXT_DEFAULTS = {"privileged": False}
SECURITY_CONTEXT_KEYS = (
    "privileged",
    "allowPrivilegeEscalation",
    "runAsNonRoot",
    "runAsUser",
    "runAsGroup",
    "readOnlyRootFilesystem",
)


def _sidecar(sidecar):
    sc = sidecar.security_context
    if sc is None:
        return None
    dumped = sc.model_dump(by_alias=True, exclude_none=True)
    expected = [
        {"key": key, "value": dumped[key], "defaultsTo": SECURITY_CONTEXT_DEFAULTS.get(key) == dumped[key]}
        for key in SECURITY_CONTEXT_KEYS
        if key in dumped
    ]
    caps = sc.capabilities
    return {
        "name": sidecar.name,
        "expected": expected,
        # The whole approved context at once: where every key holds its value, the usual case, the Rego
        # compares nothing key by key (each value is a scalar, so a subset is an exact match).
        "expectedValues": {e["key"]: e["value"] for e in expected},
        "checkCapabilities": caps is not None,
        "mustDrop": sorted(caps.must_drop) if caps else [],
        "mayAdd": sorted(caps.may_add) if caps else [],
    }


def plan(given):
    return per_sidecar(given, _sidecar)


def cases(p, kit):
    side = p["sidecars"][0]
    name = side["name"]
    if side["expected"]:
        key, value = side["expected"][0]["key"], side["expected"][0]["value"]
        kit.pod(f"{key.lower()}_changed", "field-mismatch", lambda pod: kit.sidecar(pod, name)["securityContext"].update({key: kit.flip(value)}))
    # Without a securityContext every key reads as unset: only the defaulted ones still hold.
    missing = tuple(code for code, trips in (
        ("field-mismatch", any(not e["defaultsTo"] for e in side["expected"])),
        ("capability-not-dropped", side["checkCapabilities"] and bool(side["mustDrop"])),
    ) if trips)
    if missing:
        kit.pod("no_security_context", missing, lambda pod: kit.sidecar(pod, name).pop("securityContext"))
    # The first of these the spec does not approve (none, where it approves ALL).
    added = next((c for c in ("SYS_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_ADMIN", "BPF") if c not in side["mayAdd"]), None)
    if side["checkCapabilities"] and added and "ALL" not in side["mayAdd"]:
        kit.pod(f"adds_{added.lower()}", "capability-added", lambda pod: kit.sidecar(pod, name)["securityContext"]["capabilities"]["add"].append(added))
        if side["mustDrop"]:
            # A dropped name compares in any case, but with a CAP_ prefix it drops nothing under containerd, which
            # prefixes every entry but ALL again (docs/semantics.md).
            kit.pod("drop_spelled_lowercase", False, lambda pod: kit.sidecar(pod, name)["securityContext"]["capabilities"].update(
                drop=[d.lower() for d in side["mustDrop"]]))
            kit.pod("drop_spelled_with_cap_prefix", "capability-not-dropped",
                    lambda pod: kit.sidecar(pod, name)["securityContext"]["capabilities"].update(
                        drop=["cap_" + d.lower() for d in side["mustDrop"]]))
    defaulted = next((e for e in side["expected"] if e["defaultsTo"]), None)
    if defaulted:
        kit.pod(f"{defaulted['key'].lower()}_left_to_default", False,
                lambda pod: kit.sidecar(pod, name)["securityContext"].pop(defaulted["key"]))
    kit.pod("no_security_context_outside_mesh", False, lambda pod: kit.sidecar(pod, name).pop("securityContext"), outside=True)


RULE = Rule(
    info=RuleInfo("SC004", "sidecar-security-context", "Sidecar securityContext",
                  "A sidecar's securityContext is exactly the approved one, capabilities included.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "field-mismatch": "a securityContext key differs from the approved value",
        "capability-added": "a capability is added beyond mayAdd",
        "capability-not-dropped": "a mustDrop capability is not dropped",
        "capabilities-malformed": "capabilities.add or capabilities.drop is not a list",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=lambda params: True,
)
