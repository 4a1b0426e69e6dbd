"""Installing a backend's dist/ folder into the local control plane, as GitOps would.

``kubectl apply -k --server-side`` of the folder exactly as written to disk;
for Gatekeeper first its CRDs (read out of the pinned module at install time)
and its controller as a local process whose webhook serves on 127.0.0.1 with
a certificate of the cluster's CA, registered by ``clientConfig.url``.
"""

from __future__ import annotations

import base64
import os
import subprocess
import time
from pathlib import Path

import yaml

from .. import tools
from ..backends.cel import STATUS_CONDITION
from ..kinds import API_GROUPS
from .client import ApiClient
from .processes import ClusterError, Component, free_port, log_tail

GATEKEEPER_NAMESPACE = "gatekeeper-system"
GATEKEEPER_WEBHOOK = "policygen-gatekeeper"
# What the local Gatekeeper webhook intercepts: "*" matches no subresource, so the pod subresources that change
# a pod's spec after admission, and those that change labels and annotations (pods/status, namespaces/status
# and namespaces/finalize, where CP004's injection labels could be removed), are named, as Gatekeeper's own
# chart names them (validatingWebhookSubResources). Of the latter only the writes that change labels or
# annotations are sent (STATUS_CONDITION), never the kubelet's or the namespace controller's own.
GATEKEEPER_WEBHOOK_RESOURCES = ("*", "namespaces/finalize", "namespaces/status", "pods/ephemeralcontainers", "pods/resize",
                                "pods/status")
FIELD_MANAGER = "policygen"


def kubectl(kubeconfig: Path, *args: str, timeout: float = 300) -> str:
    argv = [str(tools.find("kubectl")), "--kubeconfig", str(kubeconfig), *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise ClusterError(f"kubectl {' '.join(args)} failed (exit {proc.returncode}):\n{(proc.stderr or proc.stdout)[-3000:]}")
    return proc.stdout


def apply_folder(kubeconfig: Path, folder: Path) -> None:
    kubectl(kubeconfig, "apply", "-k", str(folder), "--server-side", f"--field-manager={FIELD_MANAGER}", "--force-conflicts")


def delete_folder(kubeconfig: Path, folder: Path) -> None:
    kubectl(kubeconfig, "delete", "-k", str(folder), "--ignore-not-found", "--wait=true", "--timeout=120s")


def wait_established(client: ApiClient, crd_names: list[str], timeout: float = 60.0, check=None) -> None:
    deadline = time.monotonic() + timeout
    pending = list(crd_names)
    while pending and time.monotonic() < deadline:
        if check:
            check()
        still = []
        for name in pending:
            resp = client.request("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
            conditions = (resp.body.get("status") or {}).get("conditions") or [] if resp.status == 200 else []
            if not any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
                still.append(name)
        pending = still
        if pending:
            time.sleep(0.2)
    if pending:
        raise ClusterError(f"CRDs not established after {timeout:.0f}s: {', '.join(pending)}")
    client.forget_discovery()


def crd_names(text: str) -> list[str]:
    return [d["metadata"]["name"] for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"]


# Istio serves v1 and v1beta1 of its security kinds; a local CRD serves both, whichever a sample uses.
ISTIO_VERSIONS = {"security.istio.io": {"v1", "v1beta1"}}


def ensure_crds(cluster, wanted: dict[tuple[str, str], set[str]]) -> None:
    """A schema-less CRD for each (group, kind) the bare API server does not serve, with every version wanted
    (and every version Istio serves of it); one created earlier gains the versions it lacks."""
    client = cluster.client
    created = []
    for (group, kind), versions in sorted(wanted.items()):
        versions = set(versions) | ISTIO_VERSIONS.get(group, set())
        plural = kind.lower() + "s"
        crd = {
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {
                "group": group, "scope": "Namespaced",
                "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": f"{kind}List"},
                "versions": [
                    {"name": v, "served": True, "storage": i == 0,
                     "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
                    for i, v in enumerate(sorted(versions))
                ],
            },
        }
        resp = client.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body=crd)
        if resp.status == 409:
            path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{plural}.{group}"
            current = client.request("GET", path)
            if current.status != 200:
                raise ClusterError(f"reading CRD {plural}.{group}: {current.status} {current.body.get('message')}")
            have = {v["name"] for v in current.body["spec"]["versions"]}
            if versions <= have:
                continue
            body = current.body
            body["spec"]["versions"] += [dict(v, storage=False) for v in crd["spec"]["versions"] if v["name"] not in have]
            resp = client.request("PUT", path, body=body)
        if resp.status == 422:
            # A group, kind or version no CRD can have (a protected *.k8s.io group, a name that is no DNS
            # label): the server serves no such kind, so its objects are not evaluated; the run goes on.
            continue
        if resp.status not in (200, 201):
            raise ClusterError(f"creating CRD {plural}.{group}: {resp.status} {resp.body.get('message')}")
        created.append(f"{plural}.{group}")
    if created:
        wait_established(client, created, check=cluster.check)


class GatekeeperController:
    """The pinned Gatekeeper manager as a local process: webhook operation, fail-closed registration."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.component: Component | None = None
        self.port = 0
        self.started_in = 0.0

    def start(self) -> None:
        cluster, client = self.cluster, self.cluster.client
        started = time.monotonic()
        binary = tools.find("gatekeeper-manager")
        crds = tools.asset_path("gatekeeper-manager", "crds.yaml")
        kubectl(cluster.kubeconfig, "apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "--force-conflicts", "-f", str(crds))
        wait_established(client, crd_names(crds.read_text(encoding="utf-8")), check=cluster.check)
        ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": GATEKEEPER_NAMESPACE}}
        resp = client.request("POST", "/api/v1/namespaces", body=ns)
        if resp.status not in (201, 409):
            raise ClusterError(f"creating namespace {GATEKEEPER_NAMESPACE}: {resp.status} {resp.body.get('message')}")
        certs = cluster.folder / "gatekeeper-certs"
        certs.mkdir(exist_ok=True, mode=0o700)
        pair = cluster.ca.issue("gatekeeper-webhook", "gatekeeper-webhook", server=True)
        (certs / "tls.crt").write_bytes(pair.cert.read_bytes())
        (certs / "tls.key").write_bytes(pair.key.read_bytes())
        (certs / "tls.key").chmod(0o600)
        self.port, health = free_port(), free_port()
        env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), POD_NAMESPACE=GATEKEEPER_NAMESPACE, POD_NAME="gatekeeper-local")
        argv = [
            # webhook: admission; generate: the CRDs of the constraint kinds (the audit pod's job in a deployment).
            str(binary), "--operation=webhook", "--operation=generate", "--default-create-vap-for-templates=false",
            f"--port={self.port}", "--host=127.0.0.1", f"--cert-dir={certs}",
            "--disable-cert-rotation", f"--health-addr=127.0.0.1:{health}", "--metrics-addr=0",
            # The Prometheus exporter would listen on every address; this one only pushes, and does not here.
            "--metrics-backend=stackdriver", "--stackdriver-only-when-available",
            "--debug-use-fake-pod", f"--exempt-namespace={GATEKEEPER_NAMESPACE}",
            "--disable-opa-builtin={http.send}", "--log-level=WARNING",
            "--enable-external-data=false",
        ]
        self.component = Component("gatekeeper", argv, cluster.folder / "gatekeeper.log", env=env)
        cluster.components.append(self.component)
        import requests

        deadline = time.monotonic() + 120
        while True:
            cluster.check()
            try:
                if requests.get(f"http://127.0.0.1:{health}/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise ClusterError(f"gatekeeper not ready after 120s; log:\n{log_tail(self.component.log)}")
            time.sleep(0.2)
        self._register(cluster.ca.cert_pem)
        self.started_in = time.monotonic() - started

    def _register(self, ca_pem: bytes) -> None:
        webhook = {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": GATEKEEPER_WEBHOOK},
            "webhooks": [{
                "name": "validation.gatekeeper.sh",
                "admissionReviewVersions": ["v1"],
                "clientConfig": {"url": f"https://127.0.0.1:{self.port}/v1/admit", "caBundle": base64.b64encode(ca_pem).decode()},
                # Fail closed: an unreachable controller is an error, never an admitted pod.
                "failurePolicy": "Fail",
                "matchPolicy": "Equivalent",
                "sideEffects": "None",
                "timeoutSeconds": 10,
                "namespaceSelector": {"matchExpressions": [
                    {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [GATEKEEPER_NAMESPACE]},
                ]},
                "rules": [{
                    "apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE", "DELETE"],
                    "resources": list(GATEKEEPER_WEBHOOK_RESOURCES), "scope": "*",
                }],
                "matchConditions": [STATUS_CONDITION],
            }],
        }
        client = self.cluster.client
        path = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
        client.request("DELETE", f"{path}/{GATEKEEPER_WEBHOOK}")
        resp = client.request("POST", path, body=webhook)
        if resp.status != 201:
            raise ClusterError(f"registering the Gatekeeper webhook: {resp.status} {resp.body.get('message')}")

    def stop(self) -> None:
        client = self.cluster.client
        if client is not None:
            # Unregister first: a fail-closed webhook with no server behind it blocks every write.
            client.request("DELETE", f"/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/{GATEKEEPER_WEBHOOK}")
        if self.component is not None:
            self.component.stop()
            if self.component in self.cluster.components:
                self.cluster.components.remove(self.component)
            self.component = None


KYVERNO_NAMESPACE = "kyverno"
# Kyverno labels every webhook configuration it registers with this; it removes them
# itself only when its Deployment goes away, which a local process has none of.
KYVERNO_WEBHOOK_SELECTOR = "webhook.kyverno.io/managed-by=kyverno"
# The resource webhooks it fills in from the policies; registered (empty) once it is healthy.
KYVERNO_RESOURCE_WEBHOOKS = ("kyverno-resource-validating-webhook-cfg",)
_KYVERNO_SECRETS = ("policygen-kyverno-ca", "policygen-kyverno-tls")


class KyvernoController:
    """The pinned Kyverno admission controller (cmd/kyverno) as a local process.

    ``--serverIP=127.0.0.1:PORT`` is Kyverno's out-of-cluster mode: it registers
    its webhooks by ``clientConfig.url`` (https://127.0.0.1:PORT/...) instead of
    its Service, adds 127.0.0.1 to the serving certificate its own certificate
    controller issues (CA and pair kept as Secrets in its namespace, the caBundle
    filled in from them), and skips its Deployment checks. Its webhooks are fail
    closed (failurePolicy Fail, from the policies), so a dead controller is an
    error on the next request, never an admitted pod. What it needs that a bare
    API server lacks: its namespace, its two ConfigMaps (empty: no resource
    filters, nothing excluded), its CRDs (both kyverno.io and policies.kyverno.io,
    read out of the pinned module) and the environment variables a Deployment
    would set. Reports, metrics export and events are not what is measured here:
    admission reports are off and the metrics listener is on loopback.
    """

    def __init__(self, cluster, ready_timeout: float = 180.0) -> None:
        self.cluster = cluster
        self.component: Component | None = None
        self.port = 0
        self.ready_timeout = ready_timeout
        self.started_in = 0.0

    def start(self) -> None:
        cluster, client = self.cluster, self.cluster.client
        started = time.monotonic()
        binary = tools.find("kyverno-controller")
        crds = tools.asset_path("kyverno-controller", "crds.yaml")
        kubectl(cluster.kubeconfig, "apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "--force-conflicts", "-f", str(crds))
        wait_established(client, crd_names(crds.read_text(encoding="utf-8")), check=cluster.check)
        # Kyverno maps a CEL policy's resources through the discovery it reads at start: the Istio kinds the
        # policies match are served, in every version, before it starts.
        ensure_crds(cluster, {(group, kind): set() for kind, group in API_GROUPS.items() if "." in group and "istio" in group})
        for path, obj in (
            ("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": KYVERNO_NAMESPACE}}),
            (f"/api/v1/namespaces/{KYVERNO_NAMESPACE}/configmaps",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kyverno", "namespace": KYVERNO_NAMESPACE}}),
            (f"/api/v1/namespaces/{KYVERNO_NAMESPACE}/configmaps",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kyverno-metrics", "namespace": KYVERNO_NAMESPACE}}),
        ):
            resp = client.request("POST", path, body=obj)
            if resp.status not in (201, 409):
                raise ClusterError(f"creating {obj['kind']} {obj['metadata']['name']}: {resp.status} {resp.body.get('message')}")
        self._remove_leftovers()
        self.port = free_port()
        env = dict(
            os.environ, KUBECONFIG=str(cluster.kubeconfig),
            KYVERNO_NAMESPACE=KYVERNO_NAMESPACE, KYVERNO_POD_NAME="kyverno-local",
            KYVERNO_SERVICEACCOUNT_NAME="kyverno-admission-controller", KYVERNO_DEPLOYMENT="kyverno-admission-controller",
            INIT_CONFIG="kyverno", METRICS_CONFIG="kyverno-metrics",
        )
        argv = [
            str(binary), f"--kubeconfig={cluster.kubeconfig}",
            f"--serverIP=127.0.0.1:{self.port}", "--webhookServerHost=127.0.0.1", f"--webhookServerPort={self.port}",
            f"--caSecretName={_KYVERNO_SECRETS[0]}", f"--tlsSecretName={_KYVERNO_SECRETS[1]}", "--tlsKeyAlgorithm=ECDSA",
            # Every listener on loopback: metrics on a port the kernel picks, controller-runtime's off.
            "--metricsHost=127.0.0.1", "--metricsPort=0", "--disableMetrics=true", "--controllerRuntimeMetricsAddress=0",
            "--admissionReports=false", "--autoMemLimitEnabled=false",
            "--disableLogColor", "--loggingFormat=text",
        ]
        self.component = Component("kyverno", argv, cluster.folder / "kyverno.log", env=env)
        cluster.components.append(self.component)
        self._await_registered()
        self.started_in = time.monotonic() - started

    def _await_registered(self) -> None:
        """Until the controller has its lease and serving certificate and has registered its resource webhooks."""
        client = self.cluster.client
        base = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
        deadline = time.monotonic() + self.ready_timeout
        while True:
            self.cluster.check()
            lease = client.request("GET", f"/apis/coordination.k8s.io/v1/namespaces/{KYVERNO_NAMESPACE}/leases/kyverno-health")
            hooks = [client.request("GET", f"{base}/{name}") for name in KYVERNO_RESOURCE_WEBHOOKS]
            if lease.status == 200 and all(h.status == 200 for h in hooks) and self._serving():
                return
            if time.monotonic() > deadline:
                raise ClusterError(f"kyverno not registered after {self.ready_timeout:.0f}s; log:\n{log_tail(self.component.log)}")
            time.sleep(0.25)

    def _serving(self) -> bool:
        """Its readiness probe answers over TLS with the certificate its CA Secret vouches for."""
        import requests

        secret = self.cluster.client.request("GET", f"/api/v1/namespaces/{KYVERNO_NAMESPACE}/secrets/{_KYVERNO_SECRETS[0]}")
        ca = (secret.body.get("data") or {}).get("tls.crt") if secret.status == 200 else None
        if not ca:
            return False
        ca_file = self.cluster.folder / "kyverno-ca.crt"
        ca_file.write_bytes(base64.b64decode(ca))
        try:
            return requests.get(f"https://127.0.0.1:{self.port}/health/readiness", verify=str(ca_file), timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def _remove_leftovers(self) -> None:
        """Webhooks, leases and certificates of an earlier controller: fail-closed webhooks with no server behind them."""
        client = self.cluster.client
        for kind in ("validatingwebhookconfigurations", "mutatingwebhookconfigurations"):
            client.request("DELETE", f"/apis/admissionregistration.k8s.io/v1/{kind}",
                           params={"labelSelector": KYVERNO_WEBHOOK_SELECTOR})
        for lease in ("kyverno", "kyverno-health", "kyvernopre-lock"):
            client.request("DELETE", f"/apis/coordination.k8s.io/v1/namespaces/{KYVERNO_NAMESPACE}/leases/{lease}")
        for secret in _KYVERNO_SECRETS:
            client.request("DELETE", f"/api/v1/namespaces/{KYVERNO_NAMESPACE}/secrets/{secret}")

    def stop(self) -> None:
        # The process first (it re-registers what is deleted under it), then what it left.
        if self.component is not None:
            self.component.stop()
            if self.component in self.cluster.components:
                self.cluster.components.remove(self.component)
            self.component = None
        if self.cluster.client is not None:
            self._remove_leftovers()
