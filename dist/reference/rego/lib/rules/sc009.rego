package lib.policygen.rules.sc009

import data.lib.policygen.pods
import data.lib.policygen.review

inject_key := "sidecar.istio.io/inject"

revision_key := "istio.io/rev"

# METADATA
# description: >-
#   A mesh pod opts out of injection (anything but exactly "true"), names an
#   unapproved revision, or, as a Pod, carries no sidecar; with captureContainers,
#   runs the sidecar beside app containers without a container that captures traffic.
violations(rev, params, namespaces) := (({msg |
	# Istio releases parsed "True", "yes", " true" differently; only "true" is safe.
	params.forbidOptOut
	some source in ["labels", "annotations"]
	value := pod.metadata[source][inject_key]
	value != "true"
	msg := {"check": "inject-opt-out", "detail": sprintf("%s %s: is %s; only \"true\" (or leaving it out) is allowed in a mesh namespace", [
		trim_suffix(source, "s"), inject_key, review.quote(value),
	])}
} | {msg |
	count(params.approvedRevisions) > 0
	some source in ["labels", "annotations"]
	value := pod.metadata[source][revision_key]
	not value in params.approvedRevisions
	msg := {"check": "revision-not-approved", "detail": sprintf("%s %s: is %s, approved revisions: %s", [
		trim_suffix(source, "s"), revision_key, review.quote(value), json.marshal(params.approvedRevisions),
	])}
}) | {msg |
	# The injector adds the sidecar at Pod CREATE; templates are checked as pods after injection.
	params.requireSidecar
	pod.is_pod
	not has_sidecar(pod.spec, params.sidecarName)
	msg := {"check": "sidecar-missing", "detail": sprintf("pod: has no %q container in a mesh namespace", [params.sidecarName])}
}) | {msg |
	# Istio's gateway template injects the proxy alone: an app container beside it sends and takes traffic uncaptured.
	count(params.captureContainers) > 0
	has_sidecar(pod.spec, params.sidecarName)
	entries := pods.containers(pod.spec)
	count([1 | some entry in entries; not entry.name in params.sidecarNames]) > 0
	count([1 | some entry in entries; entry.field == "initContainers"; entry.name in params.captureContainers]) == 0
	msg := {"check": "capture-missing", "detail": sprintf("pod: runs %q beside app containers, with none of %s in initContainers: their traffic is not captured", [
		params.sidecarName, concat(", ", params.captureContainers),
	])}
} if {
	# Every check's set written here, not in a function of its own: a call costs each decision
	# about 30 allocations (OPA stores every call's value).
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
} else := set()

# The two lists read where they are, not through pods.containers(), whose entries Gatekeeper would
# build for this template alone (about 55 allocations a decision). A member with no name is no sidecar.
has_sidecar(spec, name) if {
	some field in ["containers", "initContainers"]
	list := object.get(spec, field, [])
	is_array(list)
	some container in list
	is_object(container)
	container.name == name
}
