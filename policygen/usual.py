"""Whether the whole Rego set may clear a usual pod in one body, and what that body reads (issue 11).

The rules' packages each read the pod again: its review, its scope, its container lists, each
sidecar's image. For `data.main.violations` on a pod of the shape an injector writes, that is
most of a decision's cost, and the answer is nothing. So the Rego backend writes one more body,
`data.policygen.usual.pod` (templates/rego/usual.rego.jinja), from a fragment in each pod rule's
folder (`usual.rego.jinja`): each fragment asks less than its rule's own usual-case body, never
more, so that where the whole body holds, every rule would have found nothing. Where it does not
hold, main.violations asks every rule as before, so a fragment can be stricter than its rule at no
cost but time.

Gatekeeper asks each ConstraintTemplate alone, so each pod rule's template gets a body of its own
(templates/gatekeeper/usual.rego.jinja): the Pod of a CREATE in a namespace the scope lists, that
rule's fragment alone, and the values of its Constraint, held only where input.parameters are
exactly those (tests/test_gatekeeper_usual.py holds each fragment to its rule alone).

This module decides, from the plan alone, whether such a body can be written: every rule that
reads a Pod has a fragment that covers its parameters, and the rules agree on the scope and on
which containers are sidecars. Otherwise main.violations asks every rule, as it always did.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .images import ImageRefError, parse_image
from .kinds import rule_kinds
from .plan import Plan, RulePlan, per_plan
from .render import templates_root
from .rules import REGISTRY

# The tag and digest an approved repository is written with in the usual image: a reference matching
# this after an approved repository parses to that repository (checked below with policygen/images.py,
# whose grammar the Rego parser shares), with the tag in group 1 and the digest in group 2.
TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
TAG_DIGEST = rf"(?::({TAG}))?(?:@(sha256:[a-f0-9]{{64}}))?$"
_PROBE_DIGEST = "sha256:" + "0" * 64


def _escape(text: str) -> str:
    # RE2 reads a backslash before any ASCII punctuation as that character.
    return "".join(c if c.isascii() and c.isalnum() else "\\" + c for c in text)


def _written_as_itself(repository: str) -> bool:
    """The repository, with any tag and digest, parses to itself (Docker Hub's short forms do not)."""
    if not repository.isascii() or not all(c.isalnum() or c in "./:-_[]" for c in repository):
        return False
    for ref in (repository, f"{repository}:t", f"{repository}@{_PROBE_DIGEST}", f"{repository}:t@{_PROBE_DIGEST}"):
        try:
            parsed = parse_image(ref)
        except ImageRefError:
            return False
        if parsed.repository != repository:
            return False
    return True


def image_pattern(repositories: list[str]) -> str | None:
    """One regular expression for the approved images written the usual way, or None if none can be."""
    plain = sorted(r for r in repositories if _written_as_itself(r))
    if not plain:
        return None
    return "^(?:" + "|".join(_escape(r) for r in plain) + ")" + TAG_DIGEST


# The rules whose verdict on a container turns on whether its name is in their sidecarNames, as the
# usual body's sidecar and app lines do. SC009 reads its sidecarNames only for captureContainers, and
# SC011 only for ephemeral containers' targets; their lines ask neither by name.
CLASSIFIED_BY_NAME = ("SC001", "SC002", "SC010")


def context(plan: Plan, rules: list[RulePlan]) -> dict[str, Any] | None:
    """What templates/rego/usual.rego.jinja reads, or None when no usual body can be written."""
    pod_rules = [r for r in rules if "Pod" in rule_kinds(r.rule_id)]
    if not pod_rules or any(r.rule_id not in REGISTRY for r in pod_rules):
        return None
    for rule in pod_rules:
        usual = REGISTRY[rule.rule_id].usual
        if usual is None or not usual(rule.params):
            return None
    scopes = {repr(r.params.get("scope")) for r in pod_rules}
    sc001, sc003 = plan.rule("SC001"), plan.rule("SC003")
    if len(scopes) != 1 or sc001 is None or sc003 is None or sc001 not in rules or sc003 not in rules:
        return None
    names = sorted(s["name"] for s in sc003.params["sidecars"])
    # Every rule that tells sidecars from app containers by name tells them alike.
    if any(set(r.params["sidecarNames"]) != set(names) for r in pod_rules if r.rule_id in CLASSIFIED_BY_NAME):
        return None
    pattern = image_pattern(sc001.params["repositories"])
    if pattern is None:
        return None
    return {
        "scope": pod_rules[0].params["scope"],
        "sidecar_names": names,
        "placements": {s["name"]: list(s["placement"]) for s in sc003.params["sidecars"]},
        "image_pattern": pattern,
        "rules": pod_rules,
    }


def cel_context(plan: Plan) -> dict[str, Any]:
    """What the rules' usual.cel.jinja read besides their params (once per plan): SC001's approved
    repositories written as themselves (none where the plan has no SC001), and what may follow one
    (TAG_DIGEST, anchored: CEL pays a match by the pattern's length)."""
    return per_plan(plan, "usual:cel", lambda: _cel_context(plan))


def _cel_context(plan: Plan) -> dict[str, Any]:
    sc001 = plan.rule("SC001")
    repositories = sorted(r for r in sc001.params["repositories"] if _written_as_itself(r)) if sc001 else []
    return {"image_repositories": repositories, "tag_digest": "^" + TAG_DIGEST,
            "tag_pattern": tag_pattern, "canonical_caps": canonical_caps, "plain_pattern": plain_pattern()}


@lru_cache(maxsize=1)
def plain_pattern() -> str:
    """The Rego library's images.plain_pattern (templates/rego/lib/images.rego), which SC003's usual case asks
    of an app container's image in the Rego and in the CEL alike: one pattern, read from its one source."""
    text = (templates_root() / "rego" / "lib" / "images.rego").read_text(encoding="utf-8")
    match = re.search(r"^plain_pattern := `([^`]+)`$", text, re.M)
    if match is None:  # pragma: no cover - the library and this reader change together
        raise ValueError("templates/rego/lib/images.rego has no plain_pattern")
    return match.group(1)


def tag_pattern(tags: list[str]) -> str | None:
    """A regular expression for an image of the usual pattern whose tag is one of these (a tag follows the
    repository's last ":" and ends the name), or None where none is a tag an image of it can have."""
    valid = sorted(t for t in tags if isinstance(t, str) and re.fullmatch(TAG, t))
    return ":(?:" + "|".join(_escape(t) for t in valid) + ")(?:@|$)" if valid else None


def canonical_caps(names: list[str]) -> list[str]:
    """The approved capabilities SC004's usual case counts as added without its capability() call."""
    return [n for n in names if isinstance(n, str) and re.fullmatch(r"[A-Z_]+", n) and not n.startswith("CAP_")]
