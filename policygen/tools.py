"""The engines, built from the Go module proxy at pinned versions and cached.

Binaries live outside the repository, one folder per tool and version
(``$POLICYGEN_TOOLS_DIR`` or ``~/.cache/policygen/tools/<tool>/<version>/``), so
a second install costs nothing and a version bump builds side by side.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import EngineError, EngineNotInstalled, EngineVersionMismatch


@dataclass(frozen=True)
class Tool:
    name: str
    module: str  # the Go module that holds the version
    version: str
    package: str  # the main package inside it
    binary: str
    # Modules whose go.mod has replace directives build inside the module.
    build_in_module: bool = False
    # Built through a scratch main module written at install time (see wrappers.py).
    wrapper: str = ""
    # The name `go install` gives the binary when it differs from ours.
    built_as: str = ""
    # Files read out of the pinned module at install time and kept beside the
    # binary (e.g. a controller's CRDs): name in the cache -> extractor name.
    assets: tuple[tuple[str, str], ...] = ()
    # A Go program of this repository (its folder), built with the proxy's modules.
    local: str | None = None


def source_dir(folder: str) -> Path:
    """A Go program of this repository: inside the wheel (policygen/tools/...) or in a checkout."""
    here = Path(__file__).resolve().parent
    return next((c for c in (here / folder, here.parent / folder) if c.is_dir()), here.parent / folder)


def _source_version(folder: str) -> str:
    """A version for a Go program of this repository: the hash of its sources."""
    root = source_dir(folder)
    digest = hashlib.sha256()
    for path in sorted(root.glob("*")) if root.is_dir() else []:
        if path.suffix in (".go", ".mod", ".sum"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "src-" + digest.hexdigest()[:12]


TOOLS: dict[str, Tool] = {
    t.name: t
    for t in [
        Tool("opa", "github.com/open-policy-agent/opa", "v1.22.3", "github.com/open-policy-agent/opa", "opa"),
        Tool("conftest", "github.com/open-policy-agent/conftest", "v0.71.1", "github.com/open-policy-agent/conftest", "conftest"),
        # The proxy refuses Regal's version list, which `go install mod@v` reads for
        # deprecation notices; downloading the exact version and building inside works.
        Tool("regal", "github.com/styrainc/regal", "v0.35.1", ".", "regal", build_in_module=True),
        Tool("gator", "github.com/open-policy-agent/gatekeeper/v3", "v3.23.1",
             "github.com/open-policy-agent/gatekeeper/v3/cmd/gator", "gator"),
        Tool("kyverno", "github.com/kyverno/kyverno", "v1.19.1", "./cmd/cli/kubectl-kyverno", "kyverno", build_in_module=True),
        # SC012's signature tests (tests/test_signatures.py): a loopback OCI registry,
        # crane to push test images, cosign to sign them. Not engines.
        Tool("registry", "github.com/google/go-containerregistry", "v0.22.1",
             "github.com/google/go-containerregistry/cmd/registry", "registry"),
        Tool("crane", "github.com/google/go-containerregistry", "v0.22.1",
             "github.com/google/go-containerregistry/cmd/crane", "crane"),
        Tool("cosign", "github.com/sigstore/cosign/v3", "v3.1.3", "github.com/sigstore/cosign/v3/cmd/cosign", "cosign"),
        # The local control plane (policygen/cluster/): real admission without containers.
        Tool("etcd", "go.etcd.io/etcd/server/v3", "v3.7.3", ".", "etcd", wrapper="etcd"),
        Tool("kube-apiserver", "k8s.io/kubernetes", "v1.37.2", "k8s.io/kubernetes/cmd/kube-apiserver", "kube-apiserver",
             wrapper="kubernetes"),
        Tool("kubectl", "k8s.io/kubernetes", "v1.37.2", "k8s.io/kubernetes/cmd/kubectl", "kubectl", wrapper="kubernetes"),
        # The admission controllers, run as local processes against that control plane.
        Tool("gatekeeper-manager", "github.com/open-policy-agent/gatekeeper/v3", "v3.23.1",
             "github.com/open-policy-agent/gatekeeper/v3", "manager", built_as="gatekeeper",
             assets=(("crds.yaml", "gatekeeper-crds"),)),
        Tool("kyverno-controller", "github.com/kyverno/kyverno", "v1.19.1", "./cmd/kyverno", "kyverno",
             build_in_module=True, assets=(("crds.yaml", "kyverno-crds"),)),
        # The API server's CEL admission code (k8s.io/apiserver) as an offline
        # evaluator of the generated ValidatingAdmissionPolicies: tools/celcheck.
        Tool("celcheck", "policygen.dev/celcheck", _source_version("tools/celcheck"), ".", "celcheck", local="tools/celcheck"),
        # Kyverno's own CLI loaders, ValidatingPolicy compiler and engine, compiling each policy once per run
        # where `kyverno apply` compiles every policy for every resource: tools/kyvernocheck.
        Tool("kyvernocheck", "policygen.dev/kyvernocheck", _source_version("tools/kyvernocheck"), ".", "kyvernocheck",
             local="tools/kyvernocheck"),
    ]
}
ENGINE_TOOLS = {"opa": "opa", "conftest": "conftest", "gator": "gator", "kyverno": "kyvernocheck", "vap": "celcheck",
                "cluster": "kube-apiserver"}
# What the cluster engine needs besides: kube-apiserver starts on etcd, kubectl installs dist/.
CLUSTER_TOOLS = ("etcd", "kube-apiserver", "kubectl")
CLUSTER_BACKEND_TOOLS = {"vap": (), "gatekeeper": ("gatekeeper-manager",), "kyverno": ("kyverno-controller",)}


def tools_dir() -> Path:
    env = os.environ.get("POLICYGEN_TOOLS_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policygen" / "tools"


def binary_path(name: str) -> Path:
    tool = TOOLS[name]
    return tools_dir() / tool.name / tool.version / tool.binary


def asset_path(name: str, asset: str) -> Path:
    """A file kept beside a tool's binary (its CRDs), written at install time."""
    tool = TOOLS[name]
    if asset not in dict(tool.assets):
        raise KeyError(f"{name} has no asset {asset!r}")
    return tools_dir() / tool.name / tool.version / asset


def install_hint(name: str) -> str:
    return f"policygen tools install {name}"


# How each tool prints its own version, and the line that holds it (other
# lines name its libraries' versions: conftest prints OPA's too).
VERSION_ARGS: dict[str, tuple[str, ...]] = {
    "opa": ("version",),
    "conftest": ("--version",),
    "regal": ("version",),
    "gator": ("--version",),
    "kyverno": ("version",),
    "crane": ("version",),
    "cosign": ("version",),
}
VERSION_LINE: dict[str, str] = {
    "opa": r"^Version:\s*(\S+)",
    "conftest": r"^Conftest:\s*(\S+)",
    "regal": r"^Version:\s*(\S+)",
    "gator": r"version\s*:?\s*(v?[0-9][^\s,]*)",
    "kyverno": r"^Version:\s*(\S+)",
    "crane": r"^(v?[0-9]\S*)$",
    "cosign": r"^GitVersion:\s*(\S+)",
}


def env_var(name: str) -> str:
    """The environment variable that names a tool's binary: POLICYGEN_OPA, POLICYGEN_KYVERNO, ..."""
    return "POLICYGEN_" + name.upper().replace("-", "_")


@functools.lru_cache(maxsize=64)
def _reported_version(path: str, mtime: float) -> str:
    args = VERSION_ARGS.get(Path(path).name) or ()
    try:
        proc = subprocess.run([path, *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout + proc.stderr


def version_of(name: str, path: Path) -> str | None:
    """The version a binary says it is ("v1.22.3"); "" when it says none (a source build); None if it cannot say."""
    if name not in VERSION_ARGS:
        return None
    text = _reported_version(str(path), path.stat().st_mtime)
    m = re.search(VERSION_LINE[name], text, re.MULTILINE | re.IGNORECASE)
    if not m or not re.fullmatch(r"v?[0-9]+\.[0-9]+\.[0-9]+", m.group(1)):
        return ""
    return "v" + m.group(1).removeprefix("v")


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def resolve(name: str) -> tuple[Path, str] | None:
    """Where a tool comes from: (binary, "env"|"cache"|"path"), or None.

    Order: the binary named by POLICYGEN_<TOOL> (the user's choice, refused only
    when it says it is another version), the cache we build into, then a binary
    on PATH that reports exactly the pinned version.
    """
    named = os.environ.get(env_var(name))
    if named:
        path = Path(named).expanduser()
        if not _executable(path):
            raise EngineNotInstalled(name, install_hint(name), f"{env_var(name)}={named} is not an executable file")
        found = version_of(name, path)
        if found and found != TOOLS[name].version:
            raise EngineVersionMismatch(name, str(path), found, TOOLS[name].version)
        return path, "env"
    cached = binary_path(name)
    if _executable(cached):
        return cached, "cache"
    on_path = shutil.which(TOOLS[name].binary)
    if on_path and version_of(name, Path(on_path)) == TOOLS[name].version:
        return Path(on_path), "path"
    return None


def find(name: str) -> Path:
    """The binary of a tool, or EngineNotInstalled naming the install command."""
    found = resolve(name)
    if found is None:
        raise EngineNotInstalled(name, install_hint(name))
    return found[0]


def is_installed(name: str) -> bool:
    try:
        found = resolve(name)
    except EngineError:
        return False
    return found is not None and all(asset_path(name, a).is_file() for a, _ in TOOLS[name].assets)


def _go() -> str:
    go = shutil.which("go")
    if not go:
        raise EngineError("the Go toolchain is needed to build the engines from the Go module proxy; install Go 1.26+")
    return go


def _run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise EngineError(f"{' '.join(argv)} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc.stdout


def install(name: str, log=print) -> Path:
    """Build one tool into the cache unless that version is already there."""
    tool = TOOLS[name]
    target = binary_path(name)
    found = resolve(name)
    if found is not None and is_installed(name):
        where = {"env": f"named by {env_var(name)}", "cache": "cached", "path": "on PATH"}[found[1]]
        log(f"{name} {tool.version}: {where} at {found[0]}")
        return found[0]
    go = _go()
    log(f"{name} {tool.version}: building from the Go module proxy (first time only) ...")
    env = dict(os.environ, GOFLAGS="-buildvcs=false", CGO_ENABLED=os.environ.get("CGO_ENABLED", "0"))
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build into a scratch folder and move into place, so an interrupted build
    # never leaves a half-written binary that later runs would trust.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as scratch:
        out = Path(scratch) / tool.binary
        if target.is_file():
            log(f"{name} {tool.version}: binary cached; reading its assets")
        elif tool.local:
            source = source_dir(tool.local)
            if not (source / "go.mod").is_file():
                raise EngineError(f"{name}: its source {source} is missing (it ships with the repository)")
            _run([go, "build", "-trimpath", "-o", str(out), "."], cwd=source, env=env)
        elif tool.wrapper:
            from .wrapper_modules import build_wrapped

            build_wrapped(tool, out, go, env, _run)
        elif tool.build_in_module:
            _run([go, "build", "-trimpath", "-o", str(out), tool.package], cwd=module_dir(tool, go, env), env=env)
        else:
            _run([go, "install", "-trimpath", f"{tool.package}@{tool.version}"], env=dict(env, GOBIN=scratch))
            if tool.built_as:
                os.replace(Path(scratch) / tool.built_as, out)
        for asset, extractor in tool.assets:
            from .wrapper_modules import extract_asset

            text = extract_asset(extractor, module_dir(tool, go, env))
            staged = Path(scratch) / asset
            staged.write_text(text, encoding="utf-8")
            os.replace(staged, target.parent / asset)
        if not target.is_file():
            os.replace(out, target)
    log(f"{name} {tool.version}: built {target}")
    return target


def module_dir(tool: Tool, go: str | None = None, env: dict[str, str] | None = None) -> Path:
    """The pinned module's source in the Go module cache (downloaded if absent)."""
    info = json.loads(_run([go or _go(), "mod", "download", "-json", f"{tool.module}@{tool.version}"], env=env))
    return Path(info["Dir"])


def install_all(names: list[str] | None = None, log=print) -> dict[str, Path]:
    return {n: install(n, log) for n in (names or list(TOOLS))}


def main_list(stream=sys.stdout) -> None:
    # Columns as wide as their widest entry: the helpers' versions are source hashes.
    name_width = max(len(t.name) for t in TOOLS.values())
    version_width = max(len(t.version) for t in TOOLS.values())
    for tool in TOOLS.values():
        try:
            found = resolve(tool.name)
        except EngineError as exc:
            print(f"{tool.name:{name_width}} {tool.version:{version_width}} unusable  {exc}", file=stream)
            continue
        state, where = ("missing  ", binary_path(tool.name)) if found is None else (f"{found[1]:9}", found[0])
        print(f"{tool.name:{name_width}} {tool.version:{version_width}} {state} {where}", file=stream)
