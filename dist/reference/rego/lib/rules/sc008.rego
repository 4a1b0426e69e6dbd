package lib.policygen.rules.sc008

import data.lib.policygen.pods

# METADATA
# description: A mesh pod carries a forbidden injector annotation or one with an unapproved value.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod(rev, params.scope, namespaces)
	some msg in problems(pod.metadata.annotations, params)
}

problems(annotations, params) := {msg |
	some key in params.forbidden
	value := annotations[key]
	msg := sprintf("SC008 annotation %s: is set (to %s) and is forbidden", [key, json.marshal(value)])
} | {msg |
	some allowed in params.allowedValues
	value := annotations[allowed.key]
	not value in allowed.values
	msg := sprintf("SC008 annotation %s: is %s, approved values: %s", [allowed.key, json.marshal(value), json.marshal(allowed.values)])
}
