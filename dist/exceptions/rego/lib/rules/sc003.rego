package lib.policygen.rules.sc003

import data.lib.policygen.images
import data.lib.policygen.pods
import data.lib.policygen.review

status_annotation := "sidecar.istio.io/status"

# Every check's set written here, not in a function of its own: a call costs each decision about 30
# allocations (OPA stores every call's value). The mesh's checks read in_mesh, false outside it.

# METADATA
# description: >-
#   A sidecar image under another name (any namespace), a malformed container
#   list (any namespace), and in mesh namespaces an unapproved native sidecar,
#   an unapproved name in the injector's status, or a sidecar out of its placement.
violations(rev, params, namespaces) := ((({review.finding("pod-spec-malformed", sprintf("pod spec: %s", [problem])) | some problem in pods.malformed(pod.spec)} | {
review.finding("pod-metadata-malformed", sprintf("pod: %s", [problem])) | some problem in pods.structure(review.target(rev), pod.metadata_path)}) | {msg |
	some entry in pods.containers(pod.spec)
	not entry.name in sidecar_names(params)

	# Read with a default: OPA binds a reference outside the `not`, so a container without an image would
	# leave the comprehension here, unjudged, where disguised() finds it unparseable.
	not images.plainly_other(object.get(entry.container, "image", null), sidecar_markers(params))
	msg := disguised(entry, params)
}) | {review.finding("restart-policy-malformed", sprintf("%s: restartPolicy is not \"Always\", the only value an init container takes", [pods.where(entry)])) |
	# Always is the only value the API server accepts; anything else is unparseable, so denied in every namespace.
	some entry in pods.containers(pod.spec)
	entry.field == "initContainers"
	not object.get(entry.container, "restartPolicy", null) in {null, "Always"}
}) | (({msg |
	in_mesh
	some entry in pods.containers(pod.spec)
	entry.field == "initContainers"
	entry.container.restartPolicy == "Always"
	not allowed_in(entry.name, "initContainers", params)
	msg := {"check": "native-sidecar-unapproved", "detail": sprintf("%s: restartPolicy Always makes it a native sidecar, and it is not an approved one", [pods.where(entry)])}
} | {msg |
	in_mesh
	value := pod.metadata.annotations[status_annotation]

	# A null value is no status, as the CEL reads it (the loader hands every engine "" for it, as the API server does).
	value != null
	not status_clean(value, params)
	not status_readable(value)
	msg := {"check": "status-malformed", "detail": sprintf("annotation %s: %s is not the injector's status JSON", [status_annotation, review.quote(value)])}
}) | ((({msg |
	in_mesh
	value := pod.metadata.annotations[status_annotation]
	not status_clean(value, params)
	status_readable(value)
	some member in status_members(value)
	some found in regex.find_all_string_submatch_n(status_name, member, -1)
	not found[1] in sidecar_names(params)
	field := regex.find_n(`[A-Za-z]+`, member, 1)[0]
	msg := {"check": "status-unapproved-container", "detail": sprintf("annotation %s: lists %s in %s, which is not an approved sidecar", [status_annotation, review.quote(found[1]), field])}
} | {msg |
	in_mesh
	some entry in pods.containers(pod.spec)
	entry.name in sidecar_names(params)
	not allowed_in(entry.name, entry.field, params)
	msg := {"check": "placement-not-approved", "detail": sprintf("%s: sidecar %s is not approved in %s", [pods.where(entry), review.quote(entry.name), entry.field])}
}) | ({msg |
	# A sidecar approved beside the app as well is approved in initContainers as a native one only: as an
	# ordinary init container it runs to completion, and the app then starts without it.
	in_mesh
	some entry in pods.containers(pod.spec)
	entry.field == "initContainers"
	entry.name in params.nativeInits
	object.get(entry.container, "restartPolicy", null) == null
	msg := {"check": "placement-not-approved", "detail": sprintf(
		"%s: sidecar %s runs to completion in initContainers without restartPolicy Always, before the app starts, where it is approved as a native sidecar only",
		[pods.where(entry), review.quote(entry.name)],
	)}
} | {msg |
	# One that must finish first (runsToCompletion: istio-init's capture rules) is no native sidecar: the kubelet
	# starts the next containers, the app's among them, as soon as a native one has started.
	in_mesh
	count(params.plainInits) > 0
	some entry in pods.containers(pod.spec)
	entry.field == "initContainers"
	entry.name in params.plainInits
	object.get(entry.container, "restartPolicy", null) != null
	msg := {"check": "placement-not-approved", "detail": sprintf(
		"%s: sidecar %s has restartPolicy %s, which makes it a native sidecar the app starts beside, where it is approved to run to completion first",
		[pods.where(entry), review.quote(entry.name), review.quote(entry.container.restartPolicy)],
	)}
})) | {msg |
	# An app init container before such a sidecar runs before traffic is captured.
	in_mesh
	some first in params.firstInits
	some entry in pods.containers(pod.spec)
	entry.field == "initContainers"
	entry.name == first
	some other in pods.containers(pod.spec)
	other.field == "initContainers"
	other.index < entry.index
	not other.name in sidecar_names(params)
	msg := {"check": "init-order-not-approved", "detail": sprintf("%s: comes before sidecar %s, which must precede every app init container", [pods.where(other), review.quote(first)])}
})) if {
	# Decided as every pod rule decides it, and found in OPA's cache where another rule has asked.
	mesh_pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	in_mesh := mesh_pod != null
	pod := pods.pod_unless_null(mesh_pod, rev)
	pod.spec
} else := set()

sidecar_names(params) := {s.name | some s in params.sidecars}

# What a reference to a sidecar image holds as written whatever its host and port: the last component of
# each repository's path, and each digest (images.plainly_other).
sidecar_markers(params) := {parts[count(parts) - 1] |
	some repository in params.sidecarRepositoriesAnyPort
	parts := split(repository, "/")
} | {digest | some digest in params.sidecarDigests; is_string(digest)}

disguised(entry, params) := {"check": "image-unparseable", "detail": sprintf("%s: image %s does not parse, so it may be a sidecar image", [
	pods.where(entry), review.quote(image),
])} if {
	image := object.get(entry.container, "image", null)
	not images.parse(image)
} else := {"check": "image-under-other-name", "detail": sprintf("%s: runs sidecar image %s under a name that is not an approved sidecar", [
	pods.where(entry), review.quote(entry.container.image),
])} if {
	images.any_port(entry.container.image) in params.sidecarRepositoriesAnyPort
} else := {"check": "digest-under-other-name", "detail": sprintf("%s: runs approved sidecar digest %s as image %s under a name that is not an approved sidecar", [
	pods.where(entry), review.quote(digest), review.quote(entry.container.image),
])} if {
	# A digest names content: under any repository or tag it is the sidecar image (compared as SC002 compares it).
	digest := images.parse(entry.container.image).digest
	digest in params.sidecarDigests
}

# The grammar the CEL backends read the annotation by (policygen/rules/sc003/status.py): a flat JSON
# object without escapes, as the injector writes it, of at most status_max_length characters; an
# escaped, nested or longer one is malformed in every engine.
# regal ignore:line-length
status_document := "^[ \\t\\n\\r]*\\{[ \\t\\n\\r]*(?:\"[^\"\\\\\\x00-\\x1f]*\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|\\[[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))*)?[ \\t\\n\\r]*\\])(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*\"[^\"\\\\\\x00-\\x1f]*\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|\\[[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))*)?[ \\t\\n\\r]*\\]))*)?[ \\t\\n\\r]*\\}[ \\t\\n\\r]*$"

# Each initContainers or containers member of such a document (a string followed by ":" can only be a key there).
# regal ignore:line-length
status_member := "\"(?:initContainers|containers)\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:\\[[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))*)?[ \\t\\n\\r]*\\]|(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))"

status_max_length := 4096

# METADATA
# description: >-
#   Each initContainers or containers member of a status annotation of the grammar, as its text:
#   a key repeated is read each time, as the CEL reads it, where parsing the whole annotation
#   would keep only its last value. Undefined off the grammar.
status_members(value) := regex.find_n(status_member, value, -1) if {
	is_string(value)
	count(value) <= status_max_length
	regex.match(status_document, value)
}

# Of the grammar, each member null or a list of strings, and no key Istio's reader folds to a field
# (Go's encoding/json takes "Containers" for containers) spelled otherwise than the field. Read by
# regular expressions, not json.unmarshal: a parse of each member costs a decision about as much.
status_readable(value) if {
	members := status_members(value)
	every member in members {
		regex.match(status_any_names, member)
	}
	every key in regex.find_n(status_folded_key, value, -1) {
		regex.match(status_exact_key, key)
	}
}

# regal ignore:line-length
status_any_names := "^\"(?:initContainers|containers)\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:null|\\[[ \\t\\n\\r]*(?:\"[^\"\\\\\\x00-\\x1f]*\"(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*\"[^\"\\\\\\x00-\\x1f]*\")*)?[ \\t\\n\\r]*\\])$"

status_name := "\"([^\"\\\\\\x00-\\x1f]*)\"[ \\t\\n\\r]*[,\\]]"

# METADATA
# description: >-
#   The injector's usual status, cleared by one regular expression (status_usual_document: the
#   injector's own keys only, its name lists naming approved sidecars only), else by three: of
#   the grammar, and every key that folds to a field an exact one naming approved sidecars only
#   (as many status_approved_member as status_folded_key finds). Both were built from the spec's
#   sidecar names, so the shortcut holds only where the parameters name the same ones (a
#   Constraint edited by hand may not): else, and for anything it does not clear, the checks
#   read each member. tests/test_parsers_property.py holds the one match to the three.
status_clean(value, params) if {
	sort(sidecar_names(params)) == status_approved_names
	is_string(value)
	count(value) <= status_max_length
	usual_or_counted(value)
}

# The injector's own document by one match (status_usual_document), else the grammar and the counts.
usual_or_counted(value) if regex.match(status_usual_document, value)

else if {
	regex.match(status_document, value)
	count(regex.find_n(status_folded_key, value, -1)) == count(regex.find_n(status_approved_member, value, -1))
}

# Sorted, as sort() gives the parameters' names.
status_approved_names := ["istio-proxy"]

# regal ignore:line-length
status_approved_member := "\"(?:initContainers|containers)\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:null|\\[[ \\t\\n\\r]*(?:\"(?:istio\\x{2d}proxy)\"(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*\"(?:istio\\x{2d}proxy)\")*)?[ \\t\\n\\r]*\\])"

# regal ignore:line-length
status_usual_document := "^[ \\t\\n\\r]*\\{[ \\t\\n\\r]*(?:(?:\"(?:initContainers|containers)\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:null|\\[[ \\t\\n\\r]*(?:\"(?:istio\\x{2d}proxy)\"(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*\"(?:istio\\x{2d}proxy)\")*)?[ \\t\\n\\r]*\\])|\"(?:imagePullSecrets|revision|volumes)\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|\\[[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))*)?[ \\t\\n\\r]*\\]))(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*(?:\"(?:initContainers|containers)\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:null|\\[[ \\t\\n\\r]*(?:\"(?:istio\\x{2d}proxy)\"(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*\"(?:istio\\x{2d}proxy)\")*)?[ \\t\\n\\r]*\\])|\"(?:imagePullSecrets|revision|volumes)\"[ \\t\\n\\r]*:[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|\\[[ \\t\\n\\r]*(?:(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?:[ \\t\\n\\r]*,[ \\t\\n\\r]*(?:\"[^\"\\\\\\x00-\\x1f]*\"|null|true|false|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))*)?[ \\t\\n\\r]*\\])))*)?[ \\t\\n\\r]*\\}[ \\t\\n\\r]*$"

status_folded_key := "(?i:\"(?:initContainers|containers)\")[ \\t\\n\\r]*:"

status_exact_key := "^\"(?:initContainers|containers)\"[ \\t\\n\\r]*:$"

allowed_in(name, field, params) if {
	some sidecar in params.sidecars
	sidecar.name == name
	field in sidecar.placement
}
