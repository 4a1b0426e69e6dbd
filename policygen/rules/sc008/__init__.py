"""SC008: a mesh pod carries no annotation that reconfigures the injector beyond the approved values."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    ann = given.spec.annotations
    if not (ann and (ann.forbidden or ann.allowed_values)):
        return None
    return {
        "scope": given.scope,
        "forbidden": sorted(ann.forbidden),
        "allowedValues": [{"key": k, "values": list(v)} for k, v in sorted(ann.allowed_values.items())],
    }


def cases(p, kit):
    for key in p["forbidden"][:1]:
        kit.pod("forbidden_annotation", "annotation-forbidden", lambda pod: pod["metadata"]["annotations"].update({key: "evil"}))
        kit.pod("forbidden_annotation_outside_mesh", False, lambda pod: pod["metadata"]["annotations"].update({key: "evil"}), outside=True)
    for allowed in p["allowedValues"][:1]:
        kit.pod("unapproved_value", "annotation-value", lambda pod: pod["metadata"]["annotations"].update({allowed["key"]: "evil"}))
        kit.pod("approved_value_suffixed", "annotation-value",
                lambda pod: pod["metadata"]["annotations"].update({allowed["key"]: allowed["values"][0] + "-evil"}))
    kit.pod("unrelated_annotation", False, lambda pod: pod["metadata"]["annotations"].update({"example.com/owner": "shop"}))


RULE = Rule(
    info=RuleInfo("SC008", "pod-annotations", "Injector annotations",
                  "A mesh pod carries no annotation that reconfigures the injector beyond the approved values.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "annotation-forbidden": "a forbidden annotation is set",
        "annotation-value": "an allowedValues annotation has another value",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=lambda params: True,
)
