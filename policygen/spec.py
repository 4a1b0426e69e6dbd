"""The SidecarPolicy spec: Pydantic v2 models, strict, camelCase as written in YAML.

Unknown keys are errors (a typo must never silently drop a guard), digests are
exact, quantities are parsed, and image repositories are normalised here once so
that every backend compares the same canonical strings.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel

from . import kubeyaml
from .errors import SpecError, SpecErrors
from .capabilities import runtime_capability
from .images import ImageRefError, normalize_repository
from .kinds import API_GROUPS, CLUSTER_SCOPED_KINDS
from .objectmeta import DNS_SUBDOMAIN, is_label_value, is_qualified_name
from .quantity import QuantityError, parse, parse_quantity
from .rules import CATALOGUE


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        alias_generator=to_camel,
        populate_by_name=True,
        # Built on first validation, and then only SidecarPolicy's validator, which holds the others' schemas:
        # building every model's own validator on import was a third of `generate`'s start.
        defer_build=True,
    )


def _quantity(value: object) -> str:
    try:
        parse_quantity(value)
    except QuantityError as exc:
        raise ValueError(str(exc)) from exc
    try:  # the bound the policies compare with, in nano-units, must be writable as a whole number
        str(parse(str(value)).nano())
    except ValueError:
        raise ValueError("too large a quantity: more than 4300 digits in nano-units") from None
    return str(value)


def _repository(value: str) -> str:
    try:
        return normalize_repository(value)
    except ImageRefError as exc:
        raise ValueError(f"{value!r} is not an image repository: {exc}") from exc


def _capability(value: str) -> str:
    # The runtime accepts both NET_ADMIN and CAP_NET_ADMIN; compare one form.
    name = runtime_capability(value)
    if name is None:
        raise ValueError(f"{value!r} is not a capability name (ASCII letters and _, not a bare CAP_)")
    return name


_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# Kyverno matches subject names with go-wildcard ("*", "?"); Rego and CEL compare them literally.
_WILDCARDS = ("*", "?")
_SERVICE_ACCOUNT = re.compile(r"^system:serviceaccount:([^:]*):([^:]*)$")


def _qualified_name(value: str) -> str:
    """A label or annotation key as Kubernetes validates it: [prefix/]name."""
    prefix, sep, _ = value.rpartition("/")
    if sep and not (prefix and len(prefix) <= 253 and DNS_SUBDOMAIN.fullmatch(prefix)):
        raise ValueError(f"{value!r}: the prefix before '/' must be a DNS subdomain of at most 253 characters")
    if not is_qualified_name(value):
        raise ValueError(
            f"{value!r}: the name must be at most 63 characters, alphanumerics with '-', '_' or '.' inside (Kubernetes' qualified name)"
        )
    return value


def _label_value(value: str) -> str:
    if not is_label_value(value):
        raise ValueError(
            f"{value!r} is not a Kubernetes label value: at most 63 characters, empty or alphanumerics with '-', '_' or '.' inside"
        )
    return value


def _subject(value: str) -> str:
    """A request username or group, compared literally by every engine."""
    if any(w in value for w in _WILDCARDS):
        raise ValueError(
            f"{value!r} holds '*' or '?', which Kyverno's subject match reads as a wildcard and every other engine as a literal; "
            "name each subject exactly"
        )
    if not value or value != value.strip() or not value.isprintable():
        raise ValueError(f"{value!r} is not a user or group name: empty, surrounding whitespace or control characters")
    sa = _SERVICE_ACCOUNT.fullmatch(value)
    if value.startswith("system:serviceaccount:") and not (
        sa and re.fullmatch(_DNS_LABEL, sa.group(1)) and len(sa.group(1)) <= 63
        and DNS_SUBDOMAIN.fullmatch(sa.group(2)) and len(sa.group(2)) <= 253
    ):
        raise ValueError(f"{value!r} is not a service account username: system:serviceaccount:<namespace>:<name>")
    return value


def _no_expansion(value: str) -> str:
    # The kubelet expands $(VAR) in env values and args from the container's own env,
    # which the pod author writes: a pinned "$(X)" would match whatever X is set to.
    if "$(" in value:
        raise ValueError(
            f"{value!r} holds '$(', which Kubernetes expands from the container's environment; pin the literal value"
        )
    return value
_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_ENV_NAME = r"^[-._a-zA-Z][-._a-zA-Z0-9]*$"

Quantity = Annotated[str | int, BeforeValidator(_quantity)]
Repository = Annotated[str, AfterValidator(_repository)]
Digest = Annotated[str, Field(pattern=r"^sha256:[a-f0-9]{64}$")]
Capability = Annotated[str, Field(pattern=r"^[A-Za-z_]+$"), AfterValidator(_capability)]
Namespace = Annotated[str, Field(pattern=_DNS_LABEL, max_length=63)]
ContainerName = Annotated[str, Field(pattern=_DNS_LABEL, max_length=63)]
QualifiedKey = Annotated[str, AfterValidator(_qualified_name)]
LabelValue = Annotated[str, AfterValidator(_label_value)]
Subject = Annotated[str, AfterValidator(_subject)]
Literal_ = Annotated[str, AfterValidator(_no_expansion)]
EnvName = Annotated[str, Field(pattern=_ENV_NAME)]
Uid = Annotated[int, Field(ge=0, le=2**31 - 1)]
Placement = Literal["initContainers", "containers", "ephemeralContainers"]


def _unique(values: list, what: str) -> None:
    seen: set = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)


class Metadata(_Model):
    name: Annotated[str, Field(pattern=_DNS_LABEL, max_length=40)]
    description: str = ""


class LabelRequirement(_Model):
    key: QualifiedKey
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[LabelValue] = []

    @model_validator(mode="after")
    def _values_fit_operator(self) -> "LabelRequirement":
        if self.operator in ("In", "NotIn") and not self.values:
            raise ValueError(f"operator {self.operator} needs values")
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise ValueError(f"operator {self.operator} takes no values")
        return self


class LabelSelector(_Model):
    match_labels: dict[QualifiedKey, LabelValue] = {}
    match_expressions: list[LabelRequirement] = []

    @model_validator(mode="after")
    def _not_empty(self) -> "LabelSelector":
        # An empty selector selects every namespace: almost always a mistake here.
        if not self.match_labels and not self.match_expressions:
            raise ValueError("an empty selector would select every namespace; leave it out instead")
        # Istio's revision webhooks select istio.io/rev only where istio-injection is
        # absent: a namespace with istio-injection: disabled is not injected whatever
        # its revision says. A selector must not call such a namespace a mesh one.
        on_revision = "istio.io/rev" in self.match_labels or any(
            r.key == "istio.io/rev" and r.operator in ("In", "Exists") for r in self.match_expressions
        )
        injection_pinned = self.match_labels.get("istio-injection") == "enabled" or any(
            r.key == "istio-injection"
            and (r.operator == "DoesNotExist" or (r.operator == "In" and set(r.values) <= {"enabled"}))
            for r in self.match_expressions
        )
        if on_revision and not injection_pinned:
            raise ValueError(
                "a selector on istio.io/rev must also require istio-injection DoesNotExist, as Istio's revision "
                "webhooks do: a namespace with istio-injection set is not injected by its istio.io/rev label"
            )
        return self


class Scope(_Model):
    mesh_namespace_selector: LabelSelector | None = None
    mesh_namespaces: list[Namespace] = []
    excluded_namespaces: list[Namespace] = []
    approved_revisions: list[Annotated[str, Field(pattern=_DNS_LABEL)]] = []

    @model_validator(mode="after")
    def _some_scope(self) -> "Scope":
        if self.mesh_namespace_selector is None and not self.mesh_namespaces:
            raise ValueError("name meshNamespaces, a meshNamespaceSelector, or both")
        _unique(self.mesh_namespaces, "namespace")
        _unique(self.excluded_namespaces, "namespace")
        both = sorted(set(self.mesh_namespaces) & set(self.excluded_namespaces))
        if both:
            # Exclusions win, so the listing would be dead: say so rather than leave the namespace unguarded.
            raise ValueError(f"{', '.join(both)} in both meshNamespaces and excludedNamespaces; excludedNamespaces "
                             "would win and leave it unguarded: keep it in one of them")
        return self


class Images(_Model):
    repositories: Annotated[list[Repository], Field(min_length=1)]
    require_digest: bool = False
    digests: list[Digest] = []
    forbidden_tags: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]] = []

    @model_validator(mode="after")
    def _distinct(self) -> "Images":
        _unique(self.repositories, "repository (normalised)")
        _unique(self.digests, "digest")
        return self


class Args(_Model):
    prefix: list[Literal_] = []


class Capabilities(_Model):
    must_drop: list[Capability] = []
    may_add: list[Capability] = []


class SecurityContext(_Model):
    privileged: bool | None = None
    allow_privilege_escalation: bool | None = None
    run_as_non_root: bool | None = None
    run_as_user: Uid | None = None
    run_as_group: Uid | None = None
    read_only_root_filesystem: bool | None = None
    capabilities: Capabilities | None = None


class ResourceBounds(_Model):
    cpu: Quantity | None = None
    memory: Quantity | None = None


class Resources(_Model):
    require_limits: bool = False
    max_limits: ResourceBounds | None = None
    max_requests: ResourceBounds | None = None

    @model_validator(mode="after")
    def _satisfiable(self) -> "Resources":
        # Kubernetes reads a zero limit as none: with requireLimits, a maximum of 0 would admit no pod.
        for resource in ("cpu", "memory"):
            bound = getattr(self.max_limits, resource) if self.require_limits and self.max_limits else None
            if bound is not None and parse(str(bound)).nano() <= 0:
                raise ValueError(f"maxLimits.{resource} is {bound} while requireLimits is true: a zero limit is no limit, "
                                 "so no pod could carry this sidecar")
        return self


class Env(_Model):
    pinned: dict[EnvName, Literal_] = {}
    forbidden: list[EnvName] = []
    # When given, the only names the sidecar may set besides the pinned ones (and no envFrom): a program that
    # reads any flag missing from its command line from the environment (istio-iptables) has too many to forbid.
    allowed: list[EnvName] | None = None

    @model_validator(mode="after")
    def _no_overlap(self) -> "Env":
        both = sorted(set(self.pinned) & set(self.forbidden))
        if both:
            raise ValueError(f"{both[0]!r} is both pinned and forbidden")
        both = sorted(set(self.allowed or ()) & set(self.forbidden))
        if both:
            raise ValueError(f"{both[0]!r} is both allowed and forbidden")
        return self


# The source fields of a Kubernetes volume (core/v1 VolumeSource): a volume holds one of them, emptyDir when it
# names none (the API server's default).
VolumeSourceKind = Literal[
    "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap", "csi", "downwardAPI",
    "emptyDir", "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs",
    "hostPath", "image", "iscsi", "nfs", "persistentVolumeClaim", "photonPersistentDisk", "portworxVolume",
    "projected", "quobyte", "rbd", "scaleIO", "secret", "storageos", "vsphereVolume",
]


def _one_or_more(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _mount_path(value: str) -> str:
    # Compared exactly as written, so only a path a container could be given as it stands: absolute, and with no
    # empty, `.` or `..` component that would name the same directory another way.
    parts = value.split("/")
    if not value.startswith("/") or value == "/" or any(p in ("", ".", "..") for p in parts[1:]) or not value.isprintable():
        raise ValueError(f"{value!r} is not a mount path as the policies compare it: absolute, no trailing '/', "
                         "no empty, '.' or '..' component, no control characters")
    return value


MountPath = Annotated[str, AfterValidator(_mount_path)]


class VolumeMounts(_Model):
    allowed: list[Annotated[str, Field(pattern=_DNS_LABEL)]] = []
    # For an allowed volume, the sources the pod's volume of that name may have: a name alone lets the pod
    # author put anything behind it (an NFS share, their own Secret as istiod-ca-cert). The kind only: a
    # ConfigMap of another name is still a configMap.
    sources: dict[Annotated[str, Field(pattern=_DNS_LABEL)],
                  Annotated[list[VolumeSourceKind], BeforeValidator(_one_or_more), Field(min_length=1)]] = {}

    # For an allowed volume, where the sidecar may mount it: a name alone lets the pod author mount an approved
    # emptyDir over the proxy's own programs (/usr/local/bin), filled first by an app init container.
    paths: dict[Annotated[str, Field(pattern=_DNS_LABEL)],
                Annotated[list[MountPath], BeforeValidator(_one_or_more), Field(min_length=1)]] = {}

    @model_validator(mode="after")
    def _sources_of_allowed_volumes(self) -> "VolumeMounts":
        for field in ("sources", "paths"):
            unknown = sorted(set(getattr(self, field)) - set(self.allowed))
            if unknown:
                raise ValueError(f"{field} names {unknown[0]!r}, which is not among the allowed volumes")
        return self


class ExecHandlers(_Model):
    # The programs a sidecar's lifecycle hooks and exec probes may run, each as a command prefix (as args.prefix):
    # a hook runs inside the sidecar as its user, and the proxy's user (1337) is the one whose traffic the mesh
    # lets out uncaptured, so `sh -c ...` there is what SC010 forbids an app container. An empty list: none.
    allowed: list[Annotated[list[Literal_], Field(min_length=1)]] = []


class Sidecar(_Model):
    name: ContainerName
    placement: Annotated[list[Placement], Field(min_length=1)]
    args: Args | None = None
    command_allowed: bool | None = None
    security_context: SecurityContext | None = None
    resources: Resources | None = None
    env: Env | None = None
    volume_mounts: VolumeMounts | None = None
    exec_handlers: ExecHandlers | None = None
    # In initContainers, no app init container may come before it: one that does runs before istio-init has
    # set up traffic capture (or before the native proxy starts), so its connections leave the pod uncaptured.
    before_app_init_containers: bool = False
    # It must finish before the next container starts (istio-init writes the capture rules): never a native
    # sidecar, which the kubelet marks started at once, starting the app beside it.
    runs_to_completion: bool = False

    @model_validator(mode="after")
    def _placements_valid(self) -> "Sidecar":
        _unique(self.placement, "placement")
        if self.before_app_init_containers and "initContainers" not in self.placement:
            raise ValueError("beforeAppInitContainers is true, but the placement does not allow initContainers")
        if self.runs_to_completion and self.placement != ["initContainers"]:
            raise ValueError("runsToCompletion is true, but the placement is not initContainers alone")
        return self


class Annotations(_Model):
    forbidden: list[QualifiedKey] = []
    allowed_values: dict[QualifiedKey, Annotated[list[str], Field(min_length=1)]] = {}

    @model_validator(mode="after")
    def _no_overlap(self) -> "Annotations":
        both = sorted(set(self.forbidden) & set(self.allowed_values))
        if both:
            raise ValueError(f"{both[0]!r} is both forbidden and given allowedValues")
        return self


class Injection(_Model):
    forbid_opt_out: bool = False
    require_sidecar: bool = False
    # Which sidecar "requireSidecar" asks for; Istio's is always istio-proxy.
    sidecar_name: ContainerName = "istio-proxy"
    # The init containers that set up traffic capture (istio-init, or istio-validation under istio-cni): Istio's
    # gateway template injects the proxy alone, so an app container beside it sends and takes traffic uncaptured.
    capture_containers: list[ContainerName] = []


class AppContainers(_Model):
    forbidden_run_as_users: list[Uid] = []
    forbidden_run_as_groups: list[Uid] = []
    forbidden_capabilities: list[Capability] = []
    forbid_privileged: bool = False
    # A container that declares no runAsUser (or runAsGroup), nor its pod, runs as its image's USER, which
    # the manifest cannot show: that may be the proxy's UID, whose traffic Istio's iptables rules let out.
    require_declared_identity: bool = False
    # The pod's fsGroup and supplementalGroups are groups of every container: a member of the proxy's group can
    # make a setgid file of that group and run it as that group, whose traffic Istio's iptables rules let out.
    forbid_supplemental_groups: bool = False
    # Volumes no app container may mount: the proxy's own writable ones (istio-envoy holds pilot-agent's XDS
    # socket, which a sharer could replace with its own; an app init container could fill istio-data).
    forbidden_volumes: list[Annotated[str, Field(pattern=_DNS_LABEL, max_length=63)]] = []


class PodSettings(_Model):
    forbid_host_network: bool = False
    forbid_host_pid: bool = Field(False, alias="forbidHostPID")
    forbid_host_ipc: bool = Field(False, alias="forbidHostIPC")
    forbid_share_process_namespace: bool = False
    # hostAliases, dnsPolicy None or a nameserver of the pod's own can point istiod's name (and every other
    # name the proxy resolves) at an address of the author's choosing.
    forbid_custom_name_resolution: bool = False


def _public_key(value: str) -> str:
    text = value.strip()
    if not (text.startswith("-----BEGIN PUBLIC KEY-----") and text.endswith("-----END PUBLIC KEY-----")):
        raise ValueError("a cosign public key is a PEM block from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----")
    return text + "\n"


class Cosign(_Model):
    public_keys: Annotated[list[Annotated[str, AfterValidator(_public_key)]], Field(min_length=1)]
    # Signatures must also be in the public transparency log (Rekor) with an SCT,
    # as cosign does by default; false for private keys used without it (air-gapped).
    transparency_log: bool = True


class Signatures(_Model):
    cosign: Cosign


class ServiceRef(_Model):
    namespace: Namespace
    name: Annotated[str, Field(pattern=_DNS_LABEL)]
    path: Annotated[str, Field(pattern=r"^/")] = "/"


class InjectorWebhooks(_Model):
    name_prefixes: Annotated[list[Annotated[str, Field(pattern=r"^[a-z0-9][-a-z0-9.]*$")]], Field(min_length=1)]
    service: ServiceRef
    failure_policy: Literal["Fail", "Ignore"] = "Fail"


class PeerAuthentication(_Model):
    require_strict: bool = False


class ControlPlane(_Model):
    namespace: Namespace
    # Request usernames (service accounts as system:serviceaccount:<ns>:<name>), never groups.
    trusted_subjects: list[Subject] = []
    # Groups whose members are trusted: a separate field, so that a group is never
    # matched against a username entry.
    trusted_groups: list[Subject] = []
    trusted_roles: list[Annotated[str, Field(pattern=r"^[^/%]+$")]] = []
    injector_webhooks: InjectorWebhooks | None = None
    injector_config_maps: list[Annotated[str, Field(pattern=_DNS_SUBDOMAIN)]] = []
    peer_authentication: PeerAuthentication | None = None
    # A mutating webhook runs before validation: one on ConfigMaps or PeerAuthentications rewrites what a
    # trusted subject writes there, which CP002 and CP003 judge by that subject.
    forbid_untrusted_config_mutators: bool = False


def _iso_date(value: object) -> object:
    # YAML reads an unquoted 2027-01-31 as a date, a quoted one as text: both mean the same day.
    if isinstance(value, datetime.datetime):
        raise ValueError(f"{value!r} is a timestamp; write the expiry as a date, YYYY-MM-DD")
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a calendar date: {exc}") from None
    return value


def _rule_id(value: str) -> str:
    if value not in CATALOGUE:
        raise ValueError(f"{value!r} is not a rule ID (one of {', '.join(CATALOGUE)})")
    return value


def _object_name(value: str) -> str:
    """An object name as Kubernetes validates it: a DNS subdomain, or (Roles, ClusterRoles) a path segment."""
    if len(value) <= 253 and re.fullmatch(_DNS_SUBDOMAIN, value):
        return value
    if any(w in value for w in _WILDCARDS) or not value.isprintable() or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an object name: no wildcard ('*', '?'), whitespace or control character; "
                         "every engine compares names exactly")
    if value in (".", "..") or "/" in value or "%" in value or len(value) > 253:
        raise ValueError(f"{value!r} is not an object name: at most 253 characters, no '/' or '%', not '.' or '..'")
    return value


def _known_kind(value: str) -> str:
    if value not in API_GROUPS:
        raise ValueError(f"{value!r} is not a kind any rule reads (one of {', '.join(sorted(API_GROUPS))})")
    return value


RuleId = Annotated[str, AfterValidator(_rule_id), WithJsonSchema({"type": "string", "enum": list(CATALOGUE)})]
Enforcement = Literal["deny", "warn", "audit"]


class ExceptionLabels(_Model):
    match_labels: Annotated[dict[QualifiedKey, LabelValue], Field(min_length=1)]


class ExceptionObjects(_Model):
    """Which objects an exception covers: every criterion given must hold (and); values are exact."""

    kinds: list[Annotated[str, AfterValidator(_known_kind)]] = []
    namespaces: list[Namespace] = []
    names: list[Annotated[str, AfterValidator(_object_name)]] = []
    label_selector: ExceptionLabels | None = None

    @model_validator(mode="after")
    def _bounded(self) -> "ExceptionObjects":
        _unique(self.kinds, "kind")
        _unique(self.namespaces, "namespace")
        _unique(self.names, "name")
        if not self.namespaces:
            # A namespaced object's name and labels are chosen by whoever creates it: without a
            # namespace, anyone allowed to create one anywhere could exempt it.
            if not self.names:
                raise ValueError("name the namespaces (or, for cluster-scoped kinds only, the names) the exception "
                                 "covers: labels and kinds alone are chosen by whoever creates the object")
            if not self.kinds or not set(self.kinds) <= CLUSTER_SCOPED_KINDS:
                raise ValueError("an exception without namespaces must list only cluster-scoped kinds: a namespaced "
                                 "object's name is chosen by whoever creates it in any namespace")
        return self


class ExceptionEntry(_Model):
    name: Annotated[str, Field(pattern=_DNS_LABEL, max_length=63)]
    objects: ExceptionObjects
    rules: Annotated[list[RuleId], Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    expires: Annotated[datetime.date, BeforeValidator(_iso_date)]

    @model_validator(mode="after")
    def _meaningful(self) -> "ExceptionEntry":
        _unique(self.rules, "rule")
        if not self.reason.strip():
            raise ValueError("reason is blank: say why the exception is granted")
        if not self.reason.isprintable():
            raise ValueError("reason holds control characters or line breaks: one line of text")
        return self


class PolicySpec(_Model):
    mode: Literal["enforce", "audit"] = "enforce"
    scope: Scope
    images: Images | None = None
    sidecars: list[Sidecar] = []
    annotations: Annotations | None = None
    injection: Injection | None = None
    app_containers: AppContainers | None = None
    pod: PodSettings | None = None
    signatures: Signatures | None = None
    control_plane: ControlPlane | None = None
    # Per rule, what a violation does, overriding mode: deny, warn (admitted with a warning) or audit (recorded only).
    enforcement: dict[RuleId, Enforcement] = {}
    exceptions: list[ExceptionEntry] = []

    @model_validator(mode="after")
    def _consistent(self) -> "PolicySpec":
        _unique([e.name for e in self.exceptions], "exception name")
        _unique([s.name for s in self.sidecars], "sidecar name")
        if self.sidecars and self.images is None:
            raise ValueError("sidecars are listed but images is missing: name the approved repositories")
        if self.signatures is not None and self.images is None:
            raise ValueError("signatures need images.repositories to know which images to verify")
        if self.injection and self.injection.require_sidecar and self.injection.sidecar_name not in {
            s.name for s in self.sidecars
        }:
            raise ValueError(f"injection.requireSidecar names {self.injection.sidecar_name!r}, which is not a listed sidecar")
        required = next((s for s in self.sidecars if self.injection and self.injection.require_sidecar
                         and s.name == self.injection.sidecar_name), None)
        if required is not None and not {"containers", "initContainers"} & set(required.placement):
            raise ValueError(f"injection.requireSidecar names {required.name!r}, whose only placement is ephemeralContainers: "
                             "SC009 looks for it in containers and initContainers, so no pod could pass")
        placements = {s.name: s.placement for s in self.sidecars}
        for name in self.injection.capture_containers if self.injection else []:
            if name == self.injection.sidecar_name:
                raise ValueError(f"injection.captureContainers names {name!r}, which is sidecarName: the proxy captures no "
                                 "traffic of its own, and the check asks for a container that sets capture up beside it")
            if "initContainers" not in placements.get(name, []):
                raise ValueError(f"injection.captureContainers names {name!r}, which is not a listed sidecar approved in "
                                 "initContainers, where SC009 looks for it")
        return self


class SidecarPolicy(_Model):
    api_version: Literal["policygen.dev/v1alpha1"]
    kind: Literal["SidecarPolicy"]
    metadata: Metadata
    spec: PolicySpec


def _loc(parts: tuple) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_repository(), str]",) or str(part).startswith(("function-", "constrained-")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_msg(err: dict) -> str:
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if err["type"] == "extra_forbidden":
        msg = "unknown field (not part of the SidecarPolicy schema; check the spelling)"
    if err["type"] == "missing":
        msg = "required field is missing"
    if (
        "input" in err
        and err["type"] not in ("missing", "extra_forbidden")
        and not isinstance(err["input"], (dict, list))
        and repr(err["input"]) not in msg
    ):
        got = repr(err["input"])
        msg = f"{msg} (got {got if len(got) <= 200 else got[:200] + '...(cut)'})"
    return msg


def _templates(data: object, loc: str = "") -> list[tuple[str, str]]:
    """Every string of the raw spec (keys included) that Kyverno would read as a {{ }} variable."""
    found: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{loc}.{key}" if loc else str(key)
            if isinstance(key, str) and "{{" in key:
                found.append((where, key))
            found += _templates(value, where)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _templates(value, f"{loc}[{i}]")
    elif isinstance(data, str) and "{{" in data:
        found.append((loc, data))
    return found


def parse_spec(data: object, source: Path | str = "<spec>") -> SidecarPolicy:
    if not isinstance(data, dict):
        raise SpecError(source, "", "a spec is a YAML mapping with apiVersion, kind, metadata and spec")
    templated = _templates(data)
    if templated:
        raise SpecErrors([
            SpecError(source, loc, f"{value!r} holds '{{{{', which Kyverno substitutes as a variable and other engines read "
                      "literally; no spec value may contain it")
            for loc, value in templated
        ])
    try:
        policy = SidecarPolicy.model_validate(data, by_alias=True)
    except ValidationError as exc:
        raise SpecErrors([SpecError(source, _loc(e["loc"]), _clean_msg(e)) for e in exc.errors()]) from None
    problems = _rule_references(policy, source)
    if problems:
        raise SpecErrors(problems)
    return policy


def revalidated(policy: object) -> SidecarPolicy:
    """The policy validated again: a caller may have changed a list inside it (the models are frozen, their lists
    are not), and a value that never passed validation must not reach a backend."""
    if not isinstance(policy, SidecarPolicy):
        raise TypeError(f"expected a SidecarPolicy (load_spec(path) or parse_spec(data) returns one), "
                        f"not {type(policy).__name__}")
    try:
        return SidecarPolicy.model_validate(policy.model_dump(by_alias=True, warnings=False), by_alias=True)
    except ValidationError as exc:
        raise SpecErrors([SpecError("<SidecarPolicy>", _loc(e["loc"]), _clean_msg(e)) for e in exc.errors()]) from None


def _rule_references(policy: SidecarPolicy, source: Path | str) -> list[SpecError]:
    """The spec turns on a rule; enforcement and exceptions name only rules it turns on, and kinds those rules read."""
    from .kinds import rule_kinds
    from .plan import plan_of_valid

    spec = policy.spec
    on = set(plan_of_valid(policy).rule_ids)
    if not on:
        # Every backend would be empty (and a conftest entry point of no rule does not parse): a CI gate
        # on it would pass everything.
        return [SpecError(source, "spec", "turns on no rule: name sidecars or images, pod or annotation guards, "
                          "or a controlPlane section; the policies would judge nothing")]
    problems = []
    for rule in spec.enforcement:
        if rule not in on:
            problems.append(SpecError(source, f"spec.enforcement.{rule}", f"{rule} is not a rule this spec turns on "
                                      f"(it turns on {', '.join(sorted(on))})"))
    for i, exc in enumerate(spec.exceptions):
        for j, rule in enumerate(exc.rules):
            if rule not in on:
                problems.append(SpecError(source, f"spec.exceptions[{i}].rules[{j}]", f"{rule} is not a rule this spec "
                                          f"turns on, so the exception would exempt nothing"))
        read = {k for rule in exc.rules for k in rule_kinds(rule)}
        for j, kind in enumerate(exc.objects.kinds):
            if kind not in read:
                problems.append(SpecError(source, f"spec.exceptions[{i}].objects.kinds[{j}]", f"none of the exception's "
                                          f"rules ({', '.join(exc.rules)}) reads {kind} objects"))
    return problems


def load_spec(path: Path | str) -> SidecarPolicy:
    """Read and validate one spec file; every problem names the file and field (or line).

    Read with the limits of the sample reader (a regular file of bounded size,
    bounded aliases and depth); a duplicate key, or a string that no backend can
    encode (NUL, an unpaired surrogate), is an error rather than a silent pick.
    """
    path = Path(path)
    try:
        text = kubeyaml.read_text(path)
    except kubeyaml.InputRefused as exc:
        msg = str(exc)
        where, _, rest = msg.partition(": ") if msg.startswith("line ") else ("", "", msg)
        raise SpecError(path, where, rest) from None
    try:
        docs = [d.value for d in kubeyaml.load_spec_documents(text)]
    except kubeyaml.YamlError as exc:
        raise SpecError(path, f"line {exc.line}" if exc.line else "", exc.msg) from None
    if len(docs) != 1:
        raise SpecError(path, "", f"a spec file holds exactly one YAML document, found {len(docs)}")
    return parse_spec(docs[0], path)
