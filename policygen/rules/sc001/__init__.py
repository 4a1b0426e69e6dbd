"""SC001: a sidecar runs only an image from an approved repository."""

from __future__ import annotations

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
    kit.pod("lookalike_registry", "repository-not-approved", lambda pod: kit.sidecar(pod, name).update(image=f"{registry}.evil.example/{path}@{digest}"))
    kit.pod("registry_as_path", "repository-not-approved", lambda pod: kit.sidecar(pod, name).update(image=f"evil.example/{repo}@{digest}"))
    kit.pod("unparseable_image", "image-unparseable", lambda pod: kit.sidecar(pod, name).update(image="Not An Image"))
    kit.pod("longer_repository", "repository-not-approved", lambda pod: kit.sidecar(pod, name).update(image=f"{repo}-debug@{digest}"))
    kit.pod("digest_cut_short", "image-unparseable", lambda pod: kit.sidecar(pod, name).update(image=f"{repo}@sha256"))
    # The same repository spelled another way normalises to it (SPEC.md: docker.io forms; hostnames ignore case).
    alias = f"index.docker.io/{path}" if registry == "docker.io" else f"{registry.upper()}/{path}"
    kit.pod("alias_registry", False, lambda pod: kit.sidecar(pod, name).update(image=f"{alias}:1.0@{digest}"))
    kit.pod("lookalike_outside_mesh", False,
            lambda pod: kit.sidecar(pod, name).update(image=f"{registry}.evil.example/{path}@{digest}"), outside=True)


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
)
