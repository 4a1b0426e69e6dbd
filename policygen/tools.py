"""The engines, built from the Go module proxy at pinned versions and cached.

Binaries live outside the repository, one folder per tool and version
(``$POLICYGEN_TOOLS_DIR`` or ``~/.cache/policygen/tools/<tool>/<version>/``), so
a second install costs nothing and a version bump builds side by side.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import EngineError, EngineNotInstalled


@dataclass(frozen=True)
class Tool:
    name: str
    module: str  # the Go module that holds the version
    version: str
    package: str  # the main package inside it
    binary: str
    # Modules whose go.mod has replace directives build inside the module.
    build_in_module: bool = False
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
        # The API server's CEL admission code (k8s.io/apiserver) as an offline
        # evaluator of the generated ValidatingAdmissionPolicies: tools/celcheck.
        Tool("celcheck", "policygen.dev/celcheck", _source_version("tools/celcheck"), ".", "celcheck", local="tools/celcheck"),
    ]
}
ENGINE_TOOLS = {"opa": "opa", "conftest": "conftest", "gator": "gator", "kyverno": "kyverno", "vap": "celcheck"}


def tools_dir() -> Path:
    env = os.environ.get("POLICYGEN_TOOLS_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policygen" / "tools"


def binary_path(name: str) -> Path:
    tool = TOOLS[name]
    return tools_dir() / tool.name / tool.version / tool.binary


def install_hint(name: str) -> str:
    return f"policygen tools install {name}"


def find(name: str) -> Path:
    """The cached binary of a tool, or EngineNotInstalled naming the install command."""
    path = binary_path(name)
    if path.is_file() and os.access(path, os.X_OK):
        return path
    raise EngineNotInstalled(name, install_hint(name))


def is_installed(name: str) -> bool:
    return binary_path(name).is_file()


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
    if target.is_file():
        log(f"{name} {tool.version}: cached at {target}")
        return target
    go = _go()
    log(f"{name} {tool.version}: building from the Go module proxy (first time only) ...")
    env = dict(os.environ, GOFLAGS="-buildvcs=false", CGO_ENABLED=os.environ.get("CGO_ENABLED", "0"))
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build into a scratch folder and move into place, so an interrupted build
    # never leaves a half-written binary that later runs would trust.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as scratch:
        out = Path(scratch) / tool.binary
        if tool.local:
            source = source_dir(tool.local)
            if not (source / "go.mod").is_file():
                raise EngineError(f"{name}: its source {source} is missing (it ships with the repository)")
            _run([go, "build", "-trimpath", "-o", str(out), "."], cwd=source, env=env)
        elif tool.build_in_module:
            info = json.loads(_run([go, "mod", "download", "-json", f"{tool.module}@{tool.version}"], env=env))
            _run([go, "build", "-trimpath", "-o", str(out), tool.package], cwd=Path(info["Dir"]), env=env)
        else:
            _run([go, "install", "-trimpath", f"{tool.package}@{tool.version}"], env=dict(env, GOBIN=scratch))
        os.replace(out, target)
    log(f"{name} {tool.version}: built {target}")
    return target


def install_all(names: list[str] | None = None, log=print) -> dict[str, Path]:
    return {n: install(n, log) for n in (names or list(TOOLS))}


def main_list(stream=sys.stdout) -> None:
    for tool in TOOLS.values():
        state = "installed" if is_installed(tool.name) else "missing  "
        print(f"{tool.name:9} {tool.version:9} {state} {binary_path(tool.name)}", file=stream)
