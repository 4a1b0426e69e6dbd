package lib.policygen.rules.sc011

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A mesh pod shares a host namespace or its process namespace.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod(rev, params.scope, namespaces)
	some field in params.forbiddenFields
	not object.get(pod.spec, field, null) in {false, null}
	msg := {"check": "host-namespace", "detail": sprintf("pod spec: %s is %s, forbidden in a mesh namespace", [field, review.quote(pod.spec[field])])}
}
