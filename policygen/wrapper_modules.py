"""Scratch Go modules that build tools whose own modules cannot be `go install`ed.

etcd's root module and k8s.io/kubernetes carry `replace` lines (the latter to
its ./staging tree), which `go install mod@version` refuses. So at install time
we write a tiny main module of our own into a temporary folder: for etcd a
`main` that calls etcdmain.Main; for Kubernetes one that requires
k8s.io/kubernetes and pins every staging module it replaces to the published
v0.X.Y of the same release. Nothing of the fetched projects is kept in our
repository; the assets (CRDs) are read out of the pinned module at install time.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Callable

import yaml

Runner = Callable[..., str]

_STAGING_REPLACE = re.compile(r"^\s*(k8s\.io/[A-Za-z0-9._-]+)\s*=>\s*\./staging/src/", re.MULTILINE)
_GO_DIRECTIVE = re.compile(r"^go\s+(\S+)\s*$", re.MULTILINE)

ETCD_MAIN = """package main

import (
\t"os"

\t"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
"""


def _kubernetes_version_ldflags(version: str) -> str:
    """What Kubernetes' own build stamps (hack/lib/version.sh), so the server reports its release."""
    major, minor = version.lstrip("v").split(".")[:2]
    values = {"gitVersion": version, "gitMajor": major, "gitMinor": minor, "gitTreeState": "clean"}
    flags = [
        f"-X {pkg}.{key}={value}"
        for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
        for key, value in values.items()
    ]
    return " ".join(flags)


def _kubernetes_go_mod(tool, go: str, env: dict[str, str], run: Runner) -> str:
    info = json.loads(run([go, "mod", "download", "-json", f"{tool.module}@{tool.version}"], env=env))
    upstream = Path(info["GoMod"]).read_text(encoding="utf-8")
    staging = sorted(set(_STAGING_REPLACE.findall(upstream)))
    if not staging:
        raise ValueError(f"{tool.module}@{tool.version}: go.mod lists no ./staging replace lines")
    go_version = _GO_DIRECTIVE.search(upstream)
    published = "v0." + tool.version.split(".", 1)[1]
    lines = [
        "module policygen.local/kubebuild",
        "",
        f"go {go_version.group(1) if go_version else '1.26.0'}",
        "",
        f"require {tool.module} {tool.version}",
        "",
        "replace (",
        *[f"\t{mod} => {mod} {published}" for mod in staging],
        ")",
        "",
    ]
    return "\n".join(lines)


def _tools_go(packages: list[str]) -> str:
    imports = "\n".join(f'\t_ "{p}"' for p in packages)
    return f"//go:build tools\n\npackage tools\n\nimport (\n{imports}\n)\n"


def build_wrapped(tool, out: Path, go: str, env: dict[str, str], run: Runner) -> None:
    """Write the tool's scratch module into a temporary folder and build its binary to out."""
    from .tools import TOOLS

    with tempfile.TemporaryDirectory(prefix=f"policygen-{tool.wrapper}-") as tmp:
        work = Path(tmp)
        if tool.wrapper == "etcd":
            (work / "go.mod").write_text(f"module policygen.local/etcdbuild\n\ngo 1.26.0\n\nrequire {tool.module} {tool.version}\n")
            (work / "main.go").write_text(ETCD_MAIN)
            run([go, "mod", "tidy"], cwd=work, env=env)
            run([go, "build", "-trimpath", "-o", str(out), "."], cwd=work, env=env)
        elif tool.wrapper == "kubernetes":
            (work / "go.mod").write_text(_kubernetes_go_mod(tool, go, env, run))
            # Every main built from this wrapper, so that each tool's tidy resolves the same versions.
            siblings = sorted(t.package for t in TOOLS.values() if t.wrapper == "kubernetes")
            (work / "tools").mkdir()
            (work / "tools" / "tools.go").write_text(_tools_go(siblings))
            run([go, "mod", "tidy", "-e"], cwd=work, env=env)
            ldflags = _kubernetes_version_ldflags(tool.version)
            run([go, "build", "-trimpath", f"-ldflags={ldflags}", "-o", str(out), tool.package], cwd=work, env=env)
        else:
            raise ValueError(f"{tool.name}: unknown wrapper {tool.wrapper!r}")


def _crd_documents(texts: list[str]) -> str:
    """The CustomResourceDefinition documents among YAML texts, verbatim, in a stable order."""
    docs: list[tuple[str, str]] = []
    for text in texts:
        for chunk in re.split(r"^---[ \t]*$", text, flags=re.MULTILINE):
            loaded = yaml.safe_load(chunk)
            if isinstance(loaded, dict) and loaded.get("kind") == "CustomResourceDefinition":
                docs.append((loaded["metadata"]["name"], chunk.strip("\n") + "\n"))
    if not docs:
        raise ValueError("no CustomResourceDefinition found")
    return "---\n".join(text for _, text in sorted(docs))


def extract_asset(extractor: str, module: Path) -> str:
    if extractor == "gatekeeper-crds":
        # The release manifest the project ships for `kubectl apply`, CRDs only.
        return _crd_documents([(module / "deploy" / "gatekeeper.yaml").read_text(encoding="utf-8")])
    if extractor == "kyverno-crds":
        files = sorted((module / "config" / "crds").rglob("*.yaml"))
        return _crd_documents([f.read_text(encoding="utf-8") for f in files])
    raise ValueError(f"unknown asset extractor {extractor!r}")
