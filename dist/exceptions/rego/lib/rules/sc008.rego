package lib.policygen.rules.sc008

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A mesh pod carries a forbidden injector annotation or one with an unapproved value.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod != null
	some msg in problems(pod.metadata.annotations, params)
}

problems(annotations, params) := {msg |
	some key in params.forbidden
	value := annotations[key]
	msg := {"check": "annotation-forbidden", "detail": sprintf("annotation %s: is set (to %s) and is forbidden", [key, review.quote(value)])}
} | {msg |
	some allowed in params.allowedValues
	value := annotations[allowed.key]
	not value in allowed.values
	msg := {"check": "annotation-value", "detail": sprintf("annotation %s: is %s, approved values: %s", [allowed.key, review.quote(value), json.marshal(allowed.values)])}
}
