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
from .client import ApiClient
from .processes import ClusterError, Component, free_port, log_tail

GATEKEEPER_NAMESPACE = "gatekeeper-system"
GATEKEEPER_WEBHOOK = "policygen-gatekeeper"
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


class GatekeeperController:
    """The pinned Gatekeeper manager as a local process: webhook operation, fail-closed registration."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.component: Component | None = None
        self.port = 0

    def start(self) -> None:
        cluster, client = self.cluster, self.cluster.client
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
                    "resources": ["*", "pods/ephemeralcontainers"], "scope": "*",
                }],
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
