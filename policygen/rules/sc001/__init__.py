"""SC001: a sidecar runs only an image from an approved repository."""

from __future__ import annotations

import re
from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    spec = given.spec
    if not (spec.images and spec.sidecars):
        return None
    return {"scope": given.scope, "sidecarNames": given.sidecar_names, "repositories": given.repositories}


def cases(p, kit):
    name = p["sidecarNames"][0]
    repo = p["repositories"][0]
    digest = kit.sidecar_image().split("@")[1]
    registry, _, path = repo.partition("/")
    # The approved host with a domain of the attacker's after it (before any port), and as a path component
    # under the attacker's host: each must still parse, or it would test image-unparseable instead.
    host, port = re.fullmatch(r"(.*?)(:[0-9]+)?", registry).groups()
    if not re.fullmatch(r"[a-z0-9]+(?:[.-][a-z0-9]+)*", host):
        host = "registry"  # an IPv6 host is no domain to extend, nor a path component
    lookalike = f"{host}.evil.example{port or ''}"
    kit.pod("lookalike_registry", "repository-not-approved", lambda pod: kit.sidecar(pod, name).update(image=f"{lookalike}/{path}@{digest}"))
    kit.pod("registry_as_path", "repository-not-approved",
            lambda pod: kit.sidecar(pod, name).update(image=f"evil.example/{host}/{path}@{digest}"))
    kit.pod("unparseable_image", "image-unparseable", lambda pod: kit.sidecar(pod, name).update(image="Not An Image"))
    kit.pod("longer_repository", "repository-not-approved", lambda pod: kit.sidecar(pod, name).update(image=f"{repo}-debug@{digest}"))
    kit.pod("digest_cut_short", "image-unparseable", lambda pod: kit.sidecar(pod, name).update(image=f"{repo}@sha256"))
    # The same repository spelled another way normalises to it (SPEC.md: docker.io forms; hostnames ignore case).
    alias = f"index.docker.io/{path}" if registry == "docker.io" else f"{registry.upper()}/{path}"
    kit.pod("alias_registry", False, lambda pod: kit.sidecar(pod, name).update(image=f"{alias}:1.0@{digest}"))
    kit.pod("lookalike_outside_mesh", False,
            lambda pod: kit.sidecar(pod, name).update(image=f"{lookalike}/{path}@{digest}"), outside=True)


RULE = Rule(
    info=RuleInfo("SC001", "sidecar-image-repository", "Sidecar image repository",
                  "A sidecar runs only an image from an approved repository, compared after normalisation, never by prefix.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "repository-not-approved": "the image's normalised repository is not approved",
        "image-unparseable": "a sidecar's image does not parse as an image reference",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=lambda params: True,
)
