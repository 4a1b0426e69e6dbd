"""Image references parsed as the container runtime reads them, never by prefix.

The same grammar is implemented in the Rego library (templates/rego/lib) and in
the Kyverno backend's CEL; tests hold the three to the cases in SPEC.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ImageRefError  # noqa: F401  (raised here; defined with every other error)

DEFAULT_REGISTRY = "docker.io"
# Docker Hub answers under several names; the runtime treats them as one.
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})

_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_REGISTRY = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")




@dataclass(frozen=True)
class ImageRef:
    registry: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        return f"{self.registry}/{self.path}"


def _looks_like_registry(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def parse_image(ref: object) -> ImageRef:
    if not isinstance(ref, str) or not ref or ref != ref.strip() or any(c.isspace() for c in ref):
        raise ImageRefError(f"not an image reference: {ref!r}")
    name, digest = ref, None
    if "@" in ref:
        name, digest = ref.split("@", 1)
        if not _DIGEST.match(digest):
            raise ImageRefError(f"digest {digest!r} is not sha256: followed by 64 lowercase hex digits")
    tag = None
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.match(tag):
            raise ImageRefError(f"tag {tag!r} is not a valid tag")
    parts = name.split("/")
    if len(parts) > 1 and _looks_like_registry(parts[0]):
        registry, path_parts = parts[0].lower(), parts[1:]
        if not _REGISTRY.match(registry):
            raise ImageRefError(f"registry {parts[0]!r} is not a valid host[:port]")
    else:
        registry, path_parts = DEFAULT_REGISTRY, parts
    if registry in DOCKER_HUB_ALIASES:
        registry = DEFAULT_REGISTRY
        if len(path_parts) == 1:
            path_parts = ["library", *path_parts]
    for part in path_parts:
        if not _COMPONENT.match(part):
            raise ImageRefError(f"path component {part!r} is not lowercase [a-z0-9._-]")
    return ImageRef(registry=registry, path="/".join(path_parts), tag=tag, digest=digest)


def normalize_repository(repo: str) -> str:
    """The canonical form of a repository named in a spec (no tag, no digest)."""
    parsed = parse_image(repo)
    if parsed.tag is not None or parsed.digest is not None:
        raise ImageRefError("a repository carries neither tag nor digest")
    return parsed.repository
