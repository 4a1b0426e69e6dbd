"""What the approved sidecars need from users' *other* policies, computed from the plan.

Pod Security (Kyverno podSecurity subrules, gatekeeper-library PSP templates,
Pod Security Admission) flags Istio's own containers: istio-init runs as root
and adds NET_ADMIN/NET_RAW. Users then exempt whole namespaces or image
prefixes, which lets anything through. Here we compute the narrowest
exemption: the exact approved images (repository@digest, no glob), the
container names and placements they may run under, and for each sidecar the
Pod Security Standards controls its approved securityContext fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .images import DEFAULT_REGISTRY
from .plan import Plan

PLACEMENTS = ("containers", "initContainers", "ephemeralContainers")
# Capabilities the baseline level allows to add; restricted allows NET_BIND_SERVICE only.
BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
RESTRICTED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})


@dataclass(frozen=True)
class PssFinding:
    """One Pod Security Standards control an approved sidecar fails, and with which values."""

    level: str  # baseline | restricted: the lowest level that flags it
    control: str  # the control's name as Pod Security Standards (and Kyverno's controlName) spell it
    field: str  # the container field, without the container list: securityContext.runAsUser
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApprovedSidecar:
    name: str
    placements: tuple[str, ...]
    findings: tuple[PssFinding, ...] = ()


@dataclass(frozen=True)
class Exemptions:
    spec_name: str
    images: tuple[str, ...]  # exact references, every spelling a pod may use
    sidecars: tuple[ApprovedSidecar, ...]
    # Why nothing exact can be generated (no digests), or "".
    reason_none: str = ""
    mesh_namespaces: tuple[str, ...] = field(default=())

    def names_in(self, placement: str) -> list[str]:
        return sorted(s.name for s in self.sidecars if placement in s.placements)


def image_spellings(repository: str, digest: str) -> list[str]:
    """repository@digest as a pod may write it: Docker Hub images also without their registry."""
    out = [f"{repository}@{digest}"]
    if repository.startswith(DEFAULT_REGISTRY + "/"):
        short = repository[len(DEFAULT_REGISTRY) + 1:]
        out.append(f"{short}@{digest}")
        if short.startswith("library/"):
            out.append(f"{short[len('library/'):]}@{digest}")
    return out


def _findings(entry: dict) -> tuple[PssFinding, ...]:
    expected = {e["key"]: e["value"] for e in entry.get("expected", [])}
    out: list[PssFinding] = []
    if expected.get("privileged") is True:
        out.append(PssFinding("baseline", "Privileged Containers", "securityContext.privileged", ("true",)))
    may_add = sorted(set(entry.get("mayAdd") or []))
    if entry.get("checkCapabilities"):
        beyond_baseline = [c for c in may_add if c not in BASELINE_CAPABILITIES]
        beyond_restricted = [c for c in may_add if c not in RESTRICTED_CAPABILITIES]
        if beyond_baseline:
            out.append(PssFinding("baseline", "Capabilities", "securityContext.capabilities.add", tuple(beyond_restricted)))
        elif beyond_restricted:
            out.append(PssFinding("restricted", "Capabilities", "securityContext.capabilities.add", tuple(beyond_restricted)))
    if expected.get("allowPrivilegeEscalation") is True:
        out.append(PssFinding("restricted", "Privilege Escalation", "securityContext.allowPrivilegeEscalation", ("true",)))
    if expected.get("runAsUser") == 0:
        out.append(PssFinding("restricted", "Running as Non-root user", "securityContext.runAsUser", ("0",)))
        if expected.get("runAsNonRoot") is not True:
            # A root container cannot run in a pod that sets runAsNonRoot: true.
            out.append(PssFinding("restricted", "Running as Non-root", "securityContext.runAsNonRoot"))
    elif expected.get("runAsNonRoot") is False:
        out.append(PssFinding("restricted", "Running as Non-root", "securityContext.runAsNonRoot"))
    return tuple(out)


def compute(plan: Plan) -> Exemptions:
    sc001, sc002, sc003, sc004 = (plan.rule(r) for r in ("SC001", "SC002", "SC003", "SC004"))
    repositories = sorted(sc001.params["repositories"]) if sc001 else []
    digests = sorted(sc002.params.get("digests", [])) if sc002 else []
    placements = {s["name"]: tuple(p for p in PLACEMENTS if p in s["placement"]) for s in (sc003.params["sidecars"] if sc003 else [])}
    security = {s["name"]: s for s in (sc004.params["sidecars"] if sc004 else [])}
    sidecars = tuple(
        ApprovedSidecar(name, places, _findings(security.get(name, {}))) for name, places in sorted(placements.items())
    )
    reason = ""
    if not repositories:
        reason = "the spec names no approved image repositories (images.repositories)"
    elif not digests:
        reason = ("the spec approves no digests (images.digests): without a digest no exemption can name an exact "
                  "image, and a tag or prefix would exempt any image pushed under it")
    elif not sidecars:
        reason = "the spec lists no sidecars"
    images = () if reason else tuple(sorted({s for r in repositories for d in digests for s in image_spellings(r, d)}))
    scope = (sc001 or sc003).params.get("scope", {}) if (sc001 or sc003) else {}
    return Exemptions(plan.name, images, sidecars, reason, tuple(scope.get("meshNamespaces", [])))
