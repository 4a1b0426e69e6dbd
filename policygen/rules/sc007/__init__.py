"""SC007: a sidecar has cpu and memory limits within the approved maxima, requests too."""

from __future__ import annotations

from pathlib import Path

from ...quantity import at_most_pattern, parse, parse_quantity
from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo, per_sidecar


def _bounds(b):
    if b is None:
        return []
    # maxNano lets the Rego compare the usual shapes ("2", "500m", "1Gi") as integers rather than parse the
    # maximum at every decision; a string, since an API server reads JSON integers beyond int64 as floats.
    return [{"resource": k, "max": str(v), "maxNano": str(parse(str(v)).nano())}
            for k, v in (("cpu", b.cpu), ("memory", b.memory)) if v is not None]


def _sidecar(sidecar):
    res = sidecar.resources
    if res is None:
        return None
    return {
        "name": sidecar.name,
        "requireLimits": res.require_limits,
        "maxLimits": _bounds(res.max_limits),
        "maxRequests": _bounds(res.max_requests),
    }


def plan(given):
    return per_sidecar(given, _sidecar)


def cases(p, kit):
    side = p["sidecars"][0]
    name = side["name"]
    if side["requireLimits"]:
        kit.pod("no_limits", "limit-missing", lambda pod: kit.sidecar(pod, name)["resources"].pop("limits"))
        kit.pod("zero_cpu_limit", "limit-missing", lambda pod: kit.sidecar(pod, name)["resources"]["limits"].update(cpu="0"))
        kit.pod("no_memory_limit", "limit-missing", lambda pod: kit.sidecar(pod, name)["resources"]["limits"].pop("memory"))
        kit.pod("no_limits_outside_mesh", False, lambda pod: kit.sidecar(pod, name)["resources"].pop("limits"), outside=True)
    for bound in side["maxLimits"][:2]:
        # Far above a usual maximum, and above any: whole cores, or tebibytes, past the maximum's.
        units = 10**9 if bound["resource"] == "cpu" else 10**9 * 2**40
        over = f"{max(100 if bound['resource'] == 'cpu' else 1, int(bound['maxNano']) // units + 1)}{'' if bound['resource'] == 'cpu' else 'Ti'}"
        kit.pod(f"{bound['resource']}_limit_too_high", "limit-exceeded",
                lambda pod, r=bound["resource"], o=over: kit.sidecar(pod, name)["resources"]["limits"].update({r: o}))
        # One milli-unit above and below the maximum, in another unit than the spec's.
        max_milli = int(parse_quantity(bound["max"]) * 1000)
        kit.pod(f"{bound['resource']}_limit_just_above", "limit-exceeded",
                lambda pod, r=bound["resource"], q=f"{max_milli + 1}m": kit.sidecar(pod, name)["resources"]["limits"].update({r: q}))
        if max_milli > 1:
            kit.pod(f"{bound['resource']}_limit_just_below", False,
                    lambda pod, r=bound["resource"], q=f"{max_milli - 1}m": kit.sidecar(pod, name)["resources"]["limits"].update({r: q}))
        # The maximum in Ki with twenty decimals, and the same plus 1e-20 Ki (a nano-unit above, as the API
        # server rounds): a product beyond int64, which OPA before 1.2x (inside gator) kept 17 digits of.
        if int(bound["maxNano"]) % (1024 * 10**9) == 0:
            ki = int(bound["maxNano"]) // (1024 * 10**9)
            kit.pod(f"{bound['resource']}_limit_a_nano_above", "limit-exceeded",
                    lambda pod, r=bound["resource"], q=f"{ki}.{'0' * 19}1Ki": kit.sidecar(pod, name)["resources"]["limits"].update({r: q}))
            kit.pod(f"{bound['resource']}_limit_at_maximum_in_decimals", False,
                    lambda pod, r=bound["resource"], q=f"{ki}.{'0' * 20}Ki": kit.sidecar(pod, name)["resources"]["limits"].update({r: q}))


def template_context(params):
    """For usual.rego.jinja: per sidecar, the quantities its usual case clears by one regular expression each
    (policygen/quantity.py at_most_pattern): each limit above zero and within its maximum, each request
    within its maximum."""
    def patterns(side):
        bounds = {b["resource"]: int(b["maxNano"]) for b in side["maxLimits"]}
        requests = {b["resource"]: int(b["maxNano"]) for b in side["maxRequests"]}
        return {
            "limits": {r: at_most_pattern(bounds.get(r), True) for r in sorted({"cpu", "memory", *bounds})},
            "requests": {r: at_most_pattern(m, False) for r, m in sorted(requests.items())},
        }
    return {"usual_quantities": {side["name"]: patterns(side) for side in params["sidecars"]}}


RULE = Rule(
    info=RuleInfo("SC007", "sidecar-resources", "Sidecar resources",
                  "A sidecar has cpu and memory limits within the approved maxima, requests too.",
                  SIDECAR_CATEGORY, "medium", POD),
    checks={
        "limit-missing": "a cpu or memory limit is missing or zero while requireLimits",
        "limit-exceeded": "a limit exceeds its approved maximum",
        "request-exceeded": "a request exceeds its approved maximum",
        "quantity-malformed": "a limit or request is not a Kubernetes quantity",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    # A limit whose maximum is below one nano-unit has no usual value: such a spec leaves every rule asked.
    usual=lambda params: all(p is not None for q in template_context(params)["usual_quantities"].values()
                             for p in q["limits"].values()),
    template_context=template_context,
)
