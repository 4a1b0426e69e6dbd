"""A local Kubernetes control plane: etcd and kube-apiserver as processes on loopback.

What controller-runtime's envtest does, without containers: real admission
(ValidatingAdmissionPolicy, webhooks) with no nodes, no scheduler and no
controller-manager. So the server runs with ``--endpoint-reconciler-type=none``
(no controller keeps the kubernetes Service's endpoints), the ServiceAccount
admission plugin off (no controller creates default ServiceAccounts) and
``--allow-privileged=true`` (malicious samples are privileged pods, and must
reach admission rather than be refused before it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import tools
from .certs import CertificateAuthority, service_account_keys
from .client import ApiClient, Credentials
from .processes import ClusterError, Component, free_port, log_tail

ADMIN_USER = "policygen-admin"
# Every user a sample is impersonated as may write anything: the verdict must
# come from admission, never from RBAC refusing the request first.
JUDGED_ROLE = "policygen:judged-users"
SERVICE_CIDR = "10.0.0.0/24"


@dataclass
class Timings:
    etcd_ready: float = 0.0
    apiserver_ready: float = 0.0


class LocalCluster:
    """etcd + kube-apiserver on free 127.0.0.1 ports; a context manager.

    ``detach=True`` (``policygen cluster up``) starts the processes in their own
    session and keeps the folder, so that they outlive this Python process;
    ``stop()`` or ``policygen cluster down`` ends them.
    """

    def __init__(self, folder: Path | None = None, detach: bool = False, startup_timeout: float = 90.0) -> None:
        self.detach = detach
        self.startup_timeout = startup_timeout
        self._own_folder = folder is None
        self.folder = Path(folder) if folder else None
        self.components: list[Component] = []
        self.timings = Timings()
        self.server = ""
        self.kubeconfig = Path()
        self.client: ApiClient | None = None

    def __enter__(self) -> "LocalCluster":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- start -----------------------------------------------------------------

    def start(self) -> None:
        etcd_bin, apiserver_bin = tools.find("etcd"), tools.find("kube-apiserver")
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="policygen-cluster-"))  # mode 0700
        folder = self.folder
        ca = CertificateAuthority(folder)
        serving = ca.issue("apiserver", "kube-apiserver", server=True)
        admin = ca.issue("admin", ADMIN_USER, organizations=("system:masters",), client=True)
        sa = service_account_keys(folder)
        self.ca_path = ca.cert_path
        self.ca = ca

        started = time.monotonic()
        client_port, peer_port = free_port(), free_port()
        etcd_url = f"http://127.0.0.1:{client_port}"
        self._start("etcd", [
            str(etcd_bin), "--name", "policygen", "--data-dir", str(folder / "etcd"),
            "--listen-client-urls", etcd_url, "--advertise-client-urls", etcd_url,
            "--listen-peer-urls", f"http://127.0.0.1:{peer_port}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer_port}",
            "--initial-cluster", f"policygen=http://127.0.0.1:{peer_port}",
            "--unsafe-no-fsync", "--log-level", "warn",
        ])
        self._wait(lambda: _http_ok(f"{etcd_url}/health"), "etcd /health")
        self.timings.etcd_ready = time.monotonic() - started

        port = free_port()
        self.server = f"https://127.0.0.1:{port}"
        self._start("kube-apiserver", [
            str(apiserver_bin),
            "--bind-address=127.0.0.1", f"--secure-port={port}", "--advertise-address=127.0.0.1",
            f"--etcd-servers={etcd_url}",
            f"--tls-cert-file={serving.cert}", f"--tls-private-key-file={serving.key}",
            f"--client-ca-file={ca.cert_path}",
            "--authorization-mode=RBAC",
            f"--service-account-issuer={self.server}",
            f"--service-account-key-file={sa.cert}", f"--service-account-signing-key-file={sa.key}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--endpoint-reconciler-type=none",
            "--allow-privileged=true",
            "--disable-admission-plugins=ServiceAccount",
            "--profiling=false",
        ])
        self.client = ApiClient(Credentials(self.server, str(ca.cert_path), (str(admin.cert), str(admin.key))))
        self._wait(self._readyz, "kube-apiserver /readyz")
        self.timings.apiserver_ready = time.monotonic() - started
        self.kubeconfig = folder / "kubeconfig"
        self._write_kubeconfig(admin.cert, admin.key)
        self._grant_judged_users()

    def _start(self, name: str, argv: list[str]) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ETCD_", "KUBECONFIG"))}
        self.components.append(Component(name, argv, self.folder / f"{name}.log", env=env, detach=self.detach))

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self.check()
            if ready():
                return
            time.sleep(0.1)
        logs = "\n".join(f"--- {c.name}:\n{log_tail(c.log, 1500)}" for c in self.components)
        raise ClusterError(f"{what} not ready after {self.startup_timeout:.0f}s\n{logs}")

    def _readyz(self) -> bool:
        try:
            return self.client.request("GET", "/readyz").status == 200
        except ClusterError:
            return False

    def _write_kubeconfig(self, cert: Path, key: Path) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "policygen-local", "cluster": {"server": self.server, "certificate-authority": str(self.ca_path)}}],
            "users": [{"name": ADMIN_USER, "user": {"client-certificate": str(cert), "client-key": str(key)}}],
            "contexts": [{"name": "policygen-local", "context": {"cluster": "policygen-local", "user": ADMIN_USER}}],
            "current-context": "policygen-local",
        }
        fd = os.open(self.kubeconfig, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            yaml.safe_dump(config, fh, sort_keys=True)

    def _grant_judged_users(self) -> None:
        role = {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": JUDGED_ROLE},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
        }
        binding = {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": JUDGED_ROLE},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": JUDGED_ROLE},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}],
        }
        for path, obj in (("/apis/rbac.authorization.k8s.io/v1/clusterroles", role),
                          ("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding)):
            resp = self.client.request("POST", path, body=obj)
            if resp.status not in (201, 409):
                raise ClusterError(f"creating {obj['kind']} {JUDGED_ROLE}: status {resp.status}: {resp.body.get('message')}")

    # -- run -------------------------------------------------------------------

    def check(self) -> None:
        """Raise ClusterError if any component has exited."""
        for component in self.components:
            component.check()

    def state(self) -> dict:
        return {
            "folder": str(self.folder),
            "kubeconfig": str(self.kubeconfig),
            "server": self.server,
            "components": [{"name": c.name, "pid": c.pid, "binary": c.argv[0]} for c in self.components],
        }

    def stop(self) -> None:
        for component in reversed(self.components):
            component.stop()
        self.components = []
        if self._own_folder and self.folder is not None and not self.detach:
            shutil.rmtree(self.folder, ignore_errors=True)


def _http_ok(url: str) -> bool:
    import requests

    try:
        resp = requests.get(url, timeout=2)
        return resp.status_code == 200 and json.loads(resp.text).get("health") in ("true", True)
    except (requests.RequestException, ValueError):
        return False
