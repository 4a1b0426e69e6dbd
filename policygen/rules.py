"""The rule catalogue: one title, description and severity per rule ID.

Every backend and the docs read these; nothing restates them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    rule_id: str
    slug: str
    title: str
    description: str
    category: str
    severity: str
    subject: str  # the Kubernetes kinds the rule reads, for Kyverno's annotation

    @property
    def policy_name(self) -> str:
        return f"{self.rule_id.lower()}-{self.slug}"


_POD = "Pod"
CATALOGUE: dict[str, RuleInfo] = {
    r.rule_id: r
    for r in [
        RuleInfo("SC001", "sidecar-image-repository", "Sidecar image repository",
                 "A sidecar runs only an image from an approved repository, compared after normalisation, never by prefix.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC002", "sidecar-image-digest", "Sidecar image digest",
                 "A sidecar image is pinned by an approved digest and never uses a forbidden tag.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC003", "unapproved-sidecar", "Unapproved sidecar",
                 "No container but an approved sidecar runs a sidecar image, no unapproved native sidecar or injected container appears, and approved sidecars stay in their placements.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC004", "sidecar-security-context", "Sidecar securityContext",
                 "A sidecar's securityContext is exactly the approved one, capabilities included.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC005", "sidecar-command-args-env", "Sidecar command, args and env",
                 "A sidecar keeps its entrypoint, starts with the approved args, carries the pinned env values and none of the forbidden variables.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC006", "sidecar-volume-mounts", "Sidecar volume mounts",
                 "A sidecar mounts only approved volumes and never a hostPath volume.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC007", "sidecar-resources", "Sidecar resources",
                 "A sidecar has cpu and memory limits within the approved maxima, requests too.",
                 "Istio Sidecar Security", "medium", _POD),
        RuleInfo("SC008", "pod-annotations", "Injector annotations",
                 "A mesh pod carries no annotation that reconfigures the injector beyond the approved values.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC009", "injection-scope", "Injection scope",
                 "A mesh pod does not opt out of injection, uses an approved revision, and carries the sidecar.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC010", "app-container-identity", "App container identity",
                 "An app container does not run as the proxy's UID or GID, adds no traffic-capturing capability and is not privileged.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC011", "pod-host-namespaces", "Pod host namespaces",
                 "A mesh pod shares no host namespace and no process namespace, through which the proxy could be bypassed.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("SC012", "sidecar-image-signature", "Sidecar image signature",
                 "A sidecar image is signed by one of the approved cosign keys.",
                 "Istio Sidecar Security", "high", _POD),
        RuleInfo("CP001", "injector-webhook", "Injector webhook",
                 "The sidecar injector's webhooks point only at the approved service, and no untrusted webhook mutates pods at creation.",
                 "Istio Control Plane", "critical", "MutatingWebhookConfiguration"),
        RuleInfo("CP002", "injector-configmap", "Injector ConfigMap",
                 "Only trusted subjects create, change or delete the injector's ConfigMaps.",
                 "Istio Control Plane", "critical", "ConfigMap"),
        RuleInfo("CP003", "strict-mtls", "Strict mTLS",
                 "No PeerAuthentication weakens mutual TLS, and the mesh-wide one is STRICT.",
                 "Istio Control Plane", "high", "PeerAuthentication"),
        RuleInfo("CP004", "namespace-injection", "Namespace injection labels",
                 "Mesh namespaces turn injection on; excluded namespaces never do.",
                 "Istio Control Plane", "high", "Namespace"),
        RuleInfo("CP005", "webhook-rbac", "Webhook RBAC",
                 "Only trusted roles may write admission webhook configurations.",
                 "Istio Control Plane", "critical", "ClusterRole, Role"),
    ]
}

ALL_RULE_IDS: tuple[str, ...] = tuple(CATALOGUE)
POD_RULE_IDS: tuple[str, ...] = tuple(r for r in ALL_RULE_IDS if r.startswith("SC"))
