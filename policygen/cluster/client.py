"""A small Kubernetes REST client: discovery, dry-run writes, impersonation.

Just what judging resources needs, on `requests` with one session per thread so
that many requests can be in flight at once.
"""

from __future__ import annotations

import atexit
import base64
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml
from requests.adapters import HTTPAdapter
from urllib3 import HTTPHeaderDict

from ..errors import PolicygenError
from .processes import ClusterError


# RFC 7234 warning values as the API server writes them: 299 - "text"
_WARNING = re.compile(r'299 - "((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Credentials:
    server: str
    ca: str | bool  # a CA file, or False for insecure-skip-tls-verify
    cert: tuple[str, str] | None = None
    token: str | None = None


@dataclass(frozen=True)
class ApiResource:
    group_version: str
    plural: str
    namespaced: bool


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    warnings: list[str]


def load_kubeconfig(path: Path, context: str | None = None) -> Credentials:
    """The current (or named) context's server and credentials; files for inline data."""
    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicygenError(f"{path}: cannot read kubeconfig: {exc}") from None
    if not isinstance(config, dict):
        raise PolicygenError(f"{path}: not a kubeconfig")

    def named(section: str, name: str) -> dict[str, Any]:
        for entry in config.get(section) or []:
            if isinstance(entry, dict) and entry.get("name") == name:
                return entry.get(section[:-1]) or {}
        raise PolicygenError(f"{path}: {section}: no entry named {name!r}")

    ctx_name = context or config.get("current-context")
    if not ctx_name:
        raise PolicygenError(f"{path}: current-context: not set")
    ctx = named("contexts", ctx_name)
    cluster = named("clusters", ctx.get("cluster", ""))
    user = named("users", ctx.get("user", "")) if ctx.get("user") else {}
    base = Path(path).resolve().parent
    scratch: list[Path] = []

    def file_of(entry: dict[str, Any], key: str) -> str | None:
        if entry.get(f"{key}-data"):
            if not scratch:
                # requests reads certificates and keys from files only; they go when the process ends.
                scratch.append(Path(tempfile.mkdtemp(prefix="policygen-kubeconfig-")))
                atexit.register(shutil.rmtree, scratch[0], True)
            target = scratch[0] / key
            target.write_bytes(base64.b64decode(entry[f"{key}-data"]))
            target.chmod(0o600)
            return str(target)
        if entry.get(key):
            return str(base / entry[key])
        return None

    server = cluster.get("server")
    if not isinstance(server, str) or not server.startswith("https://"):
        raise PolicygenError(f"{path}: clusters[{ctx.get('cluster')}].server: an https:// URL is needed")
    ca: str | bool = file_of(cluster, "certificate-authority") or True
    if cluster.get("insecure-skip-tls-verify"):
        ca = False
    cert, key = file_of(user, "client-certificate"), file_of(user, "client-key")
    if user.get("exec") or user.get("auth-provider"):
        raise PolicygenError(f"{path}: users[{ctx.get('user')}]: exec and auth-provider credentials are not supported; "
                             "use a client certificate or a token")
    return Credentials(server.rstrip("/"), ca, (cert, key) if cert and key else None, user.get("token"))


class ApiClient:
    def __init__(self, creds: Credentials, pool: int = 32, timeout: float = 90.0) -> None:
        self.creds = creds
        self.pool = pool
        self.timeout = timeout
        self._local = threading.local()
        self._resources: dict[tuple[str, str], ApiResource] = {}
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            if self.creds.server.startswith(("https://127.0.0.1:", "https://localhost:")):
                session.trust_env = False  # never send loopback traffic through a proxy from the environment
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.pool)
            session.mount("https://", adapter)
            session.verify = self.creds.ca
            if self.creds.cert:
                session.cert = self.creds.cert
            if self.creds.token:
                session.headers["Authorization"] = f"Bearer {self.creds.token}"
            self._local.session = session
        return session

    def request(self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None,
                impersonate: dict[str, Any] | None = None, content_type: str = "application/json") -> Response:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        if impersonate is not None:
            # As UTF-8 bytes, as Go clients send them: requests would encode a str as Latin-1.
            headers["Impersonate-User"] = impersonate["username"].encode()
        try:
            # Impersonate-Group repeats once per group, which a dict cannot say.
            extra = [("Impersonate-Group", g.encode()) for g in (impersonate or {}).get("groups") or []]
            prepared = requests.Request(method, self.creds.server + path, headers=headers, params=params,
                                        json=body if content_type == "application/json" else None,
                                        data=None if content_type == "application/json" else body)
            session = self._session()
            req = session.prepare_request(prepared)
            if extra:
                # One Impersonate-Group header per group (a comma would be read as part of a name).
                multi = HTTPHeaderDict(dict(req.headers))
                for name, value in extra:
                    multi.add(name, value)
                req.headers = multi
            resp = session.send(req, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ClusterError(f"{method} {path}: the API server could not be reached: {exc}") from None
        try:
            data = resp.json() if resp.content else {}
        except ValueError:
            data = {"message": resp.text[:2000]}
        warnings = [m.group(1).replace('\\"', '"').replace("\\\\", "\\")
                    for m in _WARNING.finditer(resp.headers.get("Warning", ""))]
        return Response(resp.status_code, data if isinstance(data, dict) else {"items": data}, warnings)

    def get(self, path: str) -> dict[str, Any]:
        resp = self.request("GET", path)
        if resp.status != 200:
            raise ClusterError(f"GET {path}: status {resp.status}: {resp.body.get('message', '')}")
        return resp.body

    def resource(self, api_version: str, kind: str) -> ApiResource | None:
        """The REST resource of a kind, from discovery; None for a kind the server does not serve."""
        key = (api_version, kind)
        with self._lock:
            if key in self._resources:
                return self._resources[key]
        path = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        resp = self.request("GET", path)
        found = None
        if resp.status == 200:
            for entry in resp.body.get("resources") or []:
                if entry.get("kind") == kind and "/" not in entry.get("name", ""):
                    found = ApiResource(api_version, entry["name"], bool(entry.get("namespaced")))
                    break
        elif resp.status != 404:
            raise ClusterError(f"discovery of {api_version}: status {resp.status}: {resp.body.get('message', '')}")
        with self._lock:
            self._resources[key] = found
        return found

    def forget_discovery(self) -> None:
        with self._lock:
            self._resources.clear()

    @staticmethod
    def collection_path(res: ApiResource, namespace: str | None) -> str:
        prefix = f"/api/{res.group_version}" if "/" not in res.group_version else f"/apis/{res.group_version}"
        if res.namespaced:
            return f"{prefix}/namespaces/{namespace or 'default'}/{res.plural}"
        return f"{prefix}/{res.plural}"
