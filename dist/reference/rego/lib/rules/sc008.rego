package lib.policygen.rules.sc008

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A mesh pod carries a forbidden injector annotation or one with an unapproved value.
violations(rev, params, namespaces) := {msg |
	some key in params.forbidden
	value := annotations[key]
	msg := {"check": "annotation-forbidden", "detail": sprintf("annotation %s: is set (to %s) and is forbidden", [key, review.quote(value)])}
} | {msg |
	some allowed in params.allowedValues
	value := annotations[allowed.key]
	not value in allowed.values
	msg := {"check": "annotation-value", "detail": sprintf("annotation %s: is %s, approved values: %s", [allowed.key, review.quote(value), json.marshal(allowed.values)])}
} if {
	# Both checks' sets written here, not in a function of their own: a call costs each decision
	# about 30 allocations (OPA stores every call's value).
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	annotations := pod.metadata.annotations
} else := set()
