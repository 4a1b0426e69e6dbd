"""Image references read as the OCI distribution reference grammar reads them.

The grammar is that of github.com/distribution/reference (ParseNormalizedNamed,
which container runtimes use), with the digest grammar of the OCI image spec:

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [ host [ ":" port ] "/" ] component ( "/" component )*
    host       := DNS-like labels of [a-zA-Z0-9-] joined by "." | "[" [a-fA-F0-9:]+ "]"
    component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
    tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" encoded
    algorithm  := [a-z0-9]+ ( [+._-] [a-z0-9]+ )*
    encoded    := [a-zA-Z0-9=_-]+

The first component is a host when it holds "." or ":", is "localhost", or has
an upper-case letter (path components never do); otherwise the image is on
Docker Hub. A path is at most 255 characters. An image ID is not a reference:
a bare 64-hex string (which the kubelet refuses), or a digest of an algorithm a
runtime knows standing alone, ``sha256:<hex>`` (which the grammar would read as
the repository ``sha256`` with a tag, while containerd resolves it as the ID of
an image already on the node: the sidecar's own, under any container name).

Two decisions of ours, the same in Python, Rego and CEL:

- Hostnames are case-insensitive, so the host is folded to lower case, ASCII
  only and only after it matched the ASCII grammar (a Unicode case mapping
  would turn the Kelvin sign into "k"). ``index.docker.io`` and
  ``registry-1.docker.io`` are Docker Hub, which is ``docker.io`` with its
  ``library/`` namespace for one-component paths.
- A digest that follows the grammar parses, whatever its algorithm. Only
  ``sha256`` (64 lowercase hex) and ``sha512`` (128) are digests a runtime can
  verify (``verified_digest``); any other can never equal an approved digest,
  so it is SC002's violation, while the repository stays SC001's to judge.

The Rego library (templates/rego/lib/images.rego) and the Kyverno CEL
(templates/kyverno/lib/pod.jinja) implement the same steps; the property tests
(tests/test_parsers_property.py) feed all three the same generated strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ImageRefError  # noqa: F401  (raised here; defined with every other error)

DEFAULT_REGISTRY = "docker.io"
# Docker Hub answers under several names; the runtime treats them as one.
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
PATH_MAX = 255

# Written without nested ambiguous repeats so that matching stays linear on
# hostile input of any length.
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_LABEL = r"[a-zA-Z0-9]+(?:-+[a-zA-Z0-9]+)*"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_VERIFIED_DIGEST = re.compile(r"sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}")
# Written the same in images.rego (image_id_pattern) and the CEL's imgOk.
_IMAGE_ID = re.compile(r"[a-f0-9]{64}|(?:sha256|sha384|sha512|blake3):[a-f0-9]+")
_UPPER = re.compile(r"[A-Z]")




@dataclass(frozen=True)
class ImageRef:
    registry: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        return f"{self.registry}/{self.path}"

    @property
    def verified_digest(self) -> bool:
        """The digest is one a runtime can verify: sha256 or sha512, lowercase hex of their length."""
        return self.digest is not None and _VERIFIED_DIGEST.fullmatch(self.digest) is not None


def _is_host(first: str) -> bool:
    return "." in first or ":" in first or first == "localhost" or _UPPER.search(first) is not None


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def parse_image(ref: object) -> ImageRef:
    if not isinstance(ref, str) or ref == "":
        raise ImageRefError(f"not an image reference: {ref!r}")
    if _IMAGE_ID.fullmatch(ref):
        raise ImageRefError("an image ID (a bare 64-hex string, or sha256:<hex> alone) is not a reference")
    name, at, digest = ref.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise ImageRefError(f"digest {digest!r} is not algorithm:encoded")
    host, slash, rest = name.partition("/")
    if slash and _is_host(host):
        if not _HOST.fullmatch(host):
            raise ImageRefError(f"registry {host!r} is not a valid host[:port]")
        registry = _ascii_lower(host)
    else:
        registry, rest = DEFAULT_REGISTRY, name
    path, colon, tag = rest.partition(":")
    if colon and not _TAG.fullmatch(tag):
        raise ImageRefError(f"tag {tag!r} is not a valid tag")
    parts = path.split("/")
    if registry in DOCKER_HUB_ALIASES:
        registry = DEFAULT_REGISTRY
        if len(parts) == 1:
            parts = ["library", *parts]
    for part in parts:
        if not _COMPONENT.fullmatch(part):
            raise ImageRefError(f"path component {part!r} is not lowercase [a-z0-9] joined by . _ __ or -")
    joined = "/".join(parts)
    if len(joined) > PATH_MAX:
        raise ImageRefError(f"the repository path is longer than {PATH_MAX} characters")
    return ImageRef(registry=registry, path=joined, tag=tag if colon else None, digest=digest if at else None)


_PORT = re.compile(r":[0-9]+$")


def any_port(ref: ImageRef) -> str:
    """The repository on its host whatever the port: what SC003 compares to find a sidecar image under another name.

    A port can name the approved registry another way (``:443`` is HTTPS's own, ``:05000`` is port 5000,
    ``index.docker.io:443`` is Docker Hub), so for a sidecar image in disguise the port is dropped and
    Docker Hub's hosts folded, with or without one. SC001 still compares the whole repository: there a
    port the spec does not name is another registry, which denies. images.rego (any_port) and SC003's
    CEL (imgAnyPort) read it the same way.
    """
    host = _PORT.sub("", ref.registry)
    if host in DOCKER_HUB_ALIASES:
        return f"{DEFAULT_REGISTRY}/{ref.path if '/' in ref.path else 'library/' + ref.path}"
    return f"{host}/{ref.path}"


def normalize_repository(repo: str) -> str:
    """The canonical form of a repository named in a spec (no tag, no digest)."""
    parsed = parse_image(repo)
    if parsed.tag is not None or parsed.digest is not None:
        raise ImageRefError("a repository carries neither tag nor digest")
    return parsed.repository
