package lib.policygen.rules.sc004

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A sidecar's securityContext differs from the approved one, capabilities included.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	some entry in pods.containers(pod.spec)
	some approved in params.sidecars
	approved.name == entry.name
	some msg in problems(entry, approved)
}

# Every check's set written here, not in a function of its own: a call costs each sidecar about 30
# allocations a decision (OPA stores every call's value). The capability checks run only when
# the spec asks for them (checkCapabilities).
problems(entry, approved) := set() if {
	# The usual sidecar, cleared in one body without the calls below (about 130 allocations a decision
	# each): the approved values all held, only canonical approved names added (each its own
	# capability(); is_string first, as a hand-written Constraint could list anything, and a type
	# error would end the decision), and ALL dropped. Whatever this body does not clear, the checks
	# below judge.
	sc := entry.container.securityContext
	is_object(sc)
	object.subset(sc, approved.expectedValues)
	caps := object.get(sc, "capabilities", {})
	is_object(caps)
	add := object.get(caps, "add", [])
	is_array(add)
	count({cap | some cap in add} - {cap | some cap in approved.mayAdd; is_string(cap); regex.match(`^[A-Z_]+$`, cap); not startswith(cap, "CAP_")}) == 0
	drop := object.get(caps, "drop", [])
	is_array(drop)
	"ALL" in drop
} else := (({msg |
	sc := pods.security_context(entry.container)
	not all_approved(sc, approved)
	some want in approved.expected
	not matches(sc, want)
	msg := {"check": "field-mismatch", "detail": sprintf("%s: securityContext.%s is %s, approved %s", [
		pods.where(entry), want.key, found(sc, want.key), json.marshal(want.value),
	])}
} | {msg |
	approved.checkCapabilities
	some cap in cap_list(entry.container, "add")
	not "ALL" in approved.mayAdd
	not pods.capability(cap) in approved.mayAdd
	msg := {"check": "capability-added", "detail": sprintf("%s: securityContext.capabilities.add has %s, approved to add: [%s]", [
		pods.where(entry), review.quote(cap), review.listed(approved.mayAdd),
	])}
}) | ({msg |
	approved.checkCapabilities
	not cap_list(entry.container, "add")
	msg := {"check": "capabilities-malformed", "detail": sprintf("%s: securityContext.capabilities.add is not a list", [pods.where(entry)])}
} | {msg |
	approved.checkCapabilities
	dropped := {pods.dropped_capability(cap) | some cap in cap_list(entry.container, "drop")}
	not "ALL" in dropped
	some cap in approved.mustDrop
	not cap in dropped
	msg := {"check": "capability-not-dropped", "detail": sprintf("%s: securityContext.capabilities.drop lacks %s", [pods.where(entry), cap])}
})) | {msg |
	approved.checkCapabilities
	count(approved.mustDrop) > 0
	not cap_list(entry.container, "drop")
	msg := {"check": "capabilities-malformed", "detail": sprintf("%s: securityContext.capabilities.drop is not a list", [pods.where(entry)])}
}

# Inside a function, so that parameters without expectedValues (a Constraint older than its template)
# make the `not` above true and every key is compared, rather than make the whole check undefined.
all_approved(sc, approved) if object.subset(sc, approved.expectedValues)

matches(sc, want) if sc[want.key] == want.value

# Kubernetes' default stands in for a missing key only where it equals the approved value.
matches(sc, want) if {
	object.get(sc, want.key, null) == null
	want.defaultsTo
}

found(sc, key) := review.quote(sc[key]) if sc[key] != null

else := "missing"

cap_list(container, key) := pods.array_at(pods.security_context(container), ["capabilities", key])
