"""Sub-check codes: the stable second half of every violation's identity.

A violation is (rule ID, check code), e.g. ``SC004/capability-added``. Every
message in every engine starts with ``<rule>/<check> `` so that parity can be
compared check by check, not only rule by rule: a CEL rule that lost one of its
checks no longer hides behind another check of the same rule.

Codes are stable API: add new ones, never rename one.
"""

from __future__ import annotations

CHECKS: dict[str, dict[str, str]] = {
    "SC001": {
        "repository-not-approved": "the image's normalised repository is not approved",
        "image-unparseable": "a sidecar's image does not parse as an image reference",
    },
    "SC002": {
        "digest-missing": "the image has no digest while requireDigest",
        "digest-not-approved": "the image's digest is not an approved digest",
        "tag-forbidden": "the image's tag is a forbidden tag",
        "digest-unverifiable": "without a digest list, the image's digest is not a sha256 or sha512 digest a runtime can verify",
    },
    "SC003": {
        "image-under-other-name": "a container with another name runs a sidecar image",
        "image-unparseable": "a non-sidecar container's image does not parse, so it may be a sidecar image",
        "native-sidecar-unapproved": "an init container with restartPolicy Always is not an approved sidecar",
        "placement-not-approved": "an approved sidecar sits in a placement it does not allow",
        "status-unapproved-container": "the injector status annotation lists an unapproved container",
        "status-malformed": "the injector status annotation is not the injector's status JSON",
        "pod-spec-malformed": "a container list is not a list of named containers",
        "pod-metadata-malformed": "the pod's metadata, labels or annotations are not of the shape Kubernetes reads",
        "restart-policy-malformed": "an init container's restartPolicy is set to something other than Always",
    },
    "SC004": {
        "field-mismatch": "a securityContext key differs from the approved value",
        "capability-added": "a capability is added beyond mayAdd",
        "capability-not-dropped": "a mustDrop capability is not dropped",
        "capabilities-malformed": "capabilities.add or capabilities.drop is not a list",
    },
    "SC005": {
        "command-set": "command is set while commandAllowed is false",
        "args-prefix": "args do not start with the approved prefix",
        "env-pinned-missing": "a pinned env variable is missing",
        "env-pinned-mismatch": "a pinned env variable has another value or a valueFrom",
        "env-forbidden": "a forbidden env variable is set",
        "envfrom-forbidden": "envFrom can set forbidden variables",
        "env-malformed": "env or args is not of the shape Kubernetes reads",
    },
    "SC006": {
        "mount-not-approved": "a mount of a volume that is not approved",
        "mount-hostpath": "a mount of a hostPath volume",
        "mounts-malformed": "volumeMounts or volumes is not of the shape Kubernetes reads",
    },
    "SC007": {
        "limit-missing": "a cpu or memory limit is missing or zero while requireLimits",
        "limit-exceeded": "a limit exceeds its approved maximum",
        "request-exceeded": "a request exceeds its approved maximum",
        "quantity-malformed": "a limit or request is not a Kubernetes quantity",
    },
    "SC008": {
        "annotation-forbidden": "a forbidden annotation is set",
        "annotation-value": "an allowedValues annotation has another value",
    },
    "SC009": {
        "inject-opt-out": "a sidecar.istio.io/inject label or annotation is anything but true",
        "revision-not-approved": "an istio.io/rev label or annotation is not an approved revision",
        "sidecar-missing": "a mesh Pod carries no sidecar while requireSidecar",
    },
    "SC010": {
        "run-as-forbidden": "an app container runs as a forbidden UID or GID",
        "capability-forbidden": "an app container adds a forbidden capability",
        "privileged": "an app container is privileged",
        "security-context-malformed": "an app container's securityContext, capabilities or capabilities.add is not of the shape Kubernetes reads",
    },
    "SC011": {
        "host-namespace": "the pod shares a host namespace or its process namespace",
    },
    "SC012": {
        "signature": "a sidecar image is not signed by an approved key",
    },
    "CP001": {
        "injector-target": "an injector webhook points elsewhere than the approved service",
        "injector-failure-policy": "an injector webhook has another failurePolicy",
        "untrusted-pod-mutator": "an untrusted webhook mutates pods at CREATE",
        "webhooks-malformed": "webhooks is not of the shape Kubernetes reads",
        "object-malformed": "the configuration's metadata or name is not of the shape Kubernetes reads",
    },
    "CP002": {
        "untrusted-write": "an untrusted subject writes an injector ConfigMap",
    },
    "CP003": {
        "mtls-weakened": "a PeerAuthentication mode is PERMISSIVE or DISABLE",
        "mesh-wide-not-strict": "the mesh-wide PeerAuthentication is not STRICT",
        "peer-authentication-malformed": "mtls or portLevelMtls is not of the shape Istio reads",
    },
    "CP004": {
        "mesh-injection-off": "a mesh namespace does not turn injection on",
        "excluded-injection-on": "an excluded namespace turns injection on",
        "namespace-malformed": "the Namespace's metadata, name or labels are not of the shape Kubernetes reads",
    },
    "CP005": {
        "webhook-write-granted": "an untrusted role may write webhook configurations",
        "rules-malformed": "rules is not of the shape Kubernetes reads",
    },
}


def code(rule_id: str, check: str) -> str:
    """The ``RULE/check`` code; raises KeyError for a check the catalogue lacks."""
    CHECKS[rule_id][check]
    return f"{rule_id}/{check}"
