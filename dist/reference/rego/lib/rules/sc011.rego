package lib.policygen.rules.sc011

import data.lib.policygen.pods

# METADATA
# description: A mesh pod shares a host namespace or its process namespace.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod(rev, params.scope, namespaces)
	some field in params.forbiddenFields
	not object.get(pod.spec, field, null) in {false, null}
	msg := sprintf("SC011 pod spec: %s is %s, forbidden in a mesh namespace", [field, json.marshal(pod.spec[field])])
}
