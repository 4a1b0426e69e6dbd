"""SC002: a sidecar image is pinned by an approved digest and never uses a forbidden tag."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    spec = given.spec
    img = spec.images
    if not (img and spec.sidecars and (img.require_digest or img.digests or img.forbidden_tags)):
        return None
    return {
        "scope": given.scope,
        "sidecarNames": given.sidecar_names,
        "requireDigest": img.require_digest,
        "digests": sorted(img.digests),
        "forbiddenTags": sorted(img.forbidden_tags),
    }


def cases(p, kit):
    name = p["sidecarNames"][0]
    repo = kit.plan.rule("SC001").params["repositories"][0]
    digest = kit.sidecar_image().split("@")[1]
    tag = next(t for t in ("1.0", "1.0-ok", "1.0-ok-ok") if t not in p["forbiddenTags"])
    kit.pod("tag_and_digest", False, lambda pod: kit.sidecar(pod, name).update(image=f"{repo}:{tag}@{digest}"))
    if p["requireDigest"]:
        kit.pod("no_digest", "digest-missing", lambda pod: kit.sidecar(pod, name).update(image=f"{repo}:1.0.0"))
    if p["digests"]:
        other = next(d for d in (f"sha256:{c * 64}" for c in "fedcba9876543210") if d not in p["digests"])
        kit.pod("unapproved_digest", "digest-not-approved", lambda pod: kit.sidecar(pod, name).update(image=f"{repo}@{other}"))
    for forbidden in p["forbiddenTags"][:1]:
        kit.pod("forbidden_tag", "tag-forbidden", lambda pod: kit.sidecar(pod, name).update(image=f"{repo}:{forbidden}@{digest}"))
    if p["requireDigest"]:
        kit.pod("no_digest_outside_mesh", False, lambda pod: kit.sidecar(pod, name).update(image=f"{repo}:1.0.0"), outside=True)


RULE = Rule(
    info=RuleInfo("SC002", "sidecar-image-digest", "Sidecar image digest",
                  "A sidecar image is pinned by an approved digest and never uses a forbidden tag.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "digest-missing": "the image has no digest while requireDigest",
        "digest-not-approved": "the image's digest is not an approved digest",
        "tag-forbidden": "the image's tag is a forbidden tag",
        "digest-unverifiable": "without a digest list, the image's digest is not a sha256 or sha512 digest a runtime can verify",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=lambda params: True,
)
