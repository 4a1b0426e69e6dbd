package lib.policygen.rules.sc007

import data.lib.policygen.pods
import data.lib.policygen.quantity
import data.lib.policygen.review

# METADATA
# description: A sidecar lacks cpu or memory limits, or a limit or request exceeds its maximum.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	some entry in pods.containers(pod.spec)
	some approved in params.sidecars
	approved.name == entry.name
	some msg in problems(entry, approved)
}

# Every check's set written here, not in a function of its own: a call costs each sidecar about 30
# allocations a decision (OPA stores every call's value).
problems(entry, approved) := set() if {
	# The usual sidecar, cleared in one body without the calls below (about 45 allocations a
	# decision less): both limits positive, and each bounded limit and effective request (the
	# request, else the limit) of a usual shape within its maximum; a missing one reads as "0",
	# as the checks below leave it alone. Whatever this body does not clear, they judge.
	res := entry.container.resources
	limits := res.limits
	is_object(limits)
	requests := object.get(res, "requests", {})
	is_object(requests)
	quantity.nano(limits.cpu) > 0
	quantity.nano(limits.memory) > 0

	# Each bound counted where it holds, by index (so that no bound is counted twice), rather than
	# `every`, which costs each sidecar about 40 allocations a decision more.
	count({i |
		some i, bound in approved.maxLimits
		quantity.nano(object.get(limits, bound.resource, "0")) <= to_number(bound.maxNano)
	}) == count(approved.maxLimits)
	count({i |
		some i, bound in approved.maxRequests
		quantity.nano(object.get(requests, bound.resource, object.get(limits, bound.resource, "0"))) <= to_number(bound.maxNano)
	}) == count(approved.maxRequests)
} else := ({msg |
	# A zero limit is no limit: Kubernetes reads it as unlimited.
	approved.requireLimits
	some resource in ["cpu", "memory"]
	value := object.get(resources(entry.container, "limits"), resource, null)
	not positive(value)
	msg := {"check": unless_malformed(value, "limit-missing"), "detail": sprintf("%s: limits.%s is %s; a non-zero limit is required", [pods.where(entry), resource, shown(value)])}
} | {msg |
	some bound in approved.maxLimits
	value := object.get(resources(entry.container, "limits"), bound.resource, null)
	value != null
	not within(value, bound)
	msg := {"check": unless_malformed(value, "limit-exceeded"), "detail": sprintf("%s: limits.%s is %s, approved at most %s", [pods.where(entry), bound.resource, shown(value), bound.max])}
}) | {msg |
	# Kubernetes defaults a missing request to the limit, so that is what runs.
	some bound in approved.maxRequests
	value := effective_request(entry.container, bound.resource)
	not within(value, bound)
	msg := {"check": unless_malformed(value, "request-exceeded"), "detail": sprintf("%s: requests.%s is %s, approved at most %s", [pods.where(entry), bound.resource, shown(value), bound.max])}
}

resources(container, kind) := value if {
	value := object.get(container, ["resources", kind], {})
	is_object(value)
} else := {}

# The usual shapes as integers first; parse() reads the rest (and gives the same answer for these).
positive(value) if quantity.nano(value) > 0

else if quantity.positive(value)

effective_request(container, resource) := value if {
	value := object.get(resources(container, "requests"), resource, null)
	value != null
} else := value if {
	value := object.get(resources(container, "limits"), resource, null)
	value != null
}

# bound.maxNano is the plan's reading of bound.max (policygen/rules/sc007), so that no maximum is parsed per decision.
within(value, bound) if quantity.nano(value) <= to_number(bound.maxNano)

else if quantity.at_most(value, bound.max)

shown(null) := "missing"

shown(value) := review.quote(value) if value != null

# A value that is present but no Kubernetes quantity is its own check, whatever bound it was held to.
unless_malformed(value, check) := "quantity-malformed" if {
	value != null
	not quantity.parse(value)
} else := check
