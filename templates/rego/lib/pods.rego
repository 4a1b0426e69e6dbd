# METADATA
# title: Pod specs
# description: >-
#   Finds the pod spec in a Pod or a pod controller, and the containers in it with
#   their placement, so that every pod rule reads the same containers.
package lib.policygen.pods

import data.lib.policygen.review
import data.lib.policygen.scope

template_kinds := {"DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"}

# METADATA
# scope: document
# description: >-
#   The pod of a resource: spec, metadata, whether it is a Pod, and the path to
#   its pod metadata (for structure(), which only SC003 reads). A malformed
#   spec reads as an empty one, which the rules then judge (fail closed). null
#   for an object that bears no pod: OPA caches a function's value, never its
#   being undefined, so every pod rule would search such an object again.
#   One else chain, not a definition per kind: OPA evaluates every definition of a
#   function whose value is not a constant, so a Pod would pay for the others too.
pod(obj) := {
	"spec": spec,
	"metadata": {"labels": labels, "annotations": annotations},
	"is_pod": true,
	"metadata_path": ["metadata"],
} if {
	# Every part an object, as the API server stores it: read here without a call per part. Written out
	# again in mesh_pod_or_null's first branch, kept equal by tests/test_rego_backend.py.
	obj.kind == "Pod"
	spec := object.get(obj, "spec", {})
	is_object(spec)
	labels := object.get(obj, ["metadata", "labels"], {})
	is_object(labels)
	annotations := object.get(obj, ["metadata", "annotations"], {})
	is_object(annotations)
} else := {
	"spec": as_object(object.get(obj, "spec", {})),
	"metadata": metadata(obj),
	"is_pod": true,
	"metadata_path": ["metadata"],
} if {
	obj.kind == "Pod"
} else := {
	"spec": spec,
	"metadata": {"labels": labels, "annotations": annotations},
	"is_pod": false,
	"metadata_path": ["spec", "template", "metadata"],
} if {
	obj.kind in template_kinds
	template := object.get(obj, ["spec", "template"], {})
	is_object(template)
	spec := object.get(template, "spec", {})
	is_object(spec)
	labels := object.get(template, ["metadata", "labels"], {})
	is_object(labels)
	annotations := object.get(template, ["metadata", "annotations"], {})
	is_object(annotations)
} else := {
	"spec": as_object(object.get(obj, ["spec", "template", "spec"], {})),
	"metadata": metadata(as_object(object.get(obj, ["spec", "template"], {}))),
	"is_pod": false,
	"metadata_path": ["spec", "template", "metadata"],
} if {
	obj.kind in template_kinds
} else := {
	"spec": as_object(object.get(obj, ["spec", "jobTemplate", "spec", "template", "spec"], {})),
	"metadata": metadata(as_object(object.get(obj, ["spec", "jobTemplate", "spec", "template"], {}))),
	"is_pod": false,
	"metadata_path": ["spec", "jobTemplate", "spec", "template", "metadata"],
} if {
	obj.kind == "CronJob"
} else := null

# METADATA
# description: >-
#   Where a pod-bearing object is not of the shape the API server accepts: a
#   metadata, spec or template that is not an object, labels or annotations that
#   are not maps of strings. The rules read such a part as empty, which could
#   hide what the API server would reject; SC003 denies it instead.
structure(obj, meta) := set() if {
	# A Pod as the API server stores it, the commonest case: told by these reads, without building
	# the paths below (about 100 allocations a decision). Anything else takes the general path.
	meta == ["metadata"]
	m := obj.metadata
	is_object(m)
	is_object(object.get(obj, "spec", {}))
	labels := object.get(m, "labels", {})
	is_object(labels)
	not some_not_string(labels)
	annotations := object.get(m, "annotations", {})
	is_object(annotations)
	not some_not_string(annotations)
	is_string(object.get(m, "name", ""))
	is_string(object.get(m, "namespace", ""))
} else := ({sprintf("%s is %s, not an object", [concat(".", path), type_name(value)]) |
	some path in object_paths(meta)
	value := object.get(obj, path, null)
	value != null
	not is_object(value)
} | {sprintf("%s.%s is not a map of strings", [concat(".", meta), key]) |
	some key in ["labels", "annotations"]
	value := object.get(obj, array.concat(meta, [key]), null)
	value != null
	not strings_map(value)
}) | {sprintf("metadata.%s is %s, not a string", [key, type_name(value)]) |
	# Where the object lives decides whether it is in the mesh; a namespace the API server cannot read could hide that.
	some key in ["name", "namespace"]
	value := object.get(obj, ["metadata", key], null)
	value != null
	not is_string(value)
}

# The object's own metadata, every step down to the pod template, and the pod spec.
object_paths(meta) := {path | some n in numbers.range(1, count(meta)); path := array.slice(meta, 0, n)} | {
	["metadata"],
	array.concat(array.slice(meta, 0, count(meta) - 1), ["spec"]),
}

strings_map(value) if {
	is_object(value)
	not some_not_string(value)
}

# METADATA
# description: >-
#   A member of a collection that is not a string. `not some_not_string(x)` says what
#   `every item in x { is_string(item) }` says, at about half OPA's cost per member.
some_not_string(collection) if {
	some item in collection
	not is_string(item)
}

# METADATA
# description: >-
#   The pod of a review whose request writes a pod-bearing object, else null (defined, so
#   that OPA caches it for the next pod rule, where an undefined value is searched again).
pod_or_null(rev) := pod(rev.object) if {
	# review.target of a CREATE, written out (a call costs more than the pod's other reads): an
	# object that is missing or no object has no pod (null), as {} has none. An UPDATE is judged
	# below, unless it keeps what the pod rules read.
	rev.operation == "CREATE"
	object.get(rev, "subResource", "") != "status"
} else := pod(review.target(rev)) if {
	review.writes_object(rev)
	not review.status_unjudged(rev)
	not review.update_keeps_pod(rev)
} else := null

as_object(value) := value if is_object(value)

else := {}

metadata(obj) := {
	"labels": string_map(object.get(obj, ["metadata", "labels"], {})),
	"annotations": string_map(object.get(obj, ["metadata", "annotations"], {})),
}

string_map(value) := value if is_object(value)

else := {}

# METADATA
# description: Every container of a pod spec, with where it sits.
containers(spec) := [entry |
	# The container lists written out here and below: a reference to a rule would cost each walk more.
	some field in ["initContainers", "containers", "ephemeralContainers"]
	list := object.get(spec, field, [])
	is_array(list)
	some i, container in list
	is_object(container)
	entry := {
		"field": field,
		"index": i,
		"container": container,
		"name": object.get(container, "name", ""),
	}
]

# METADATA
# description: >-
#   Where a container entry sits, for messages: built only for a message, not
#   for every container a rule walks past.
where(entry) := sprintf("container %s (%s[%d])", [review.quote(entry.name), entry.field, entry.index])

# METADATA
# description: >-
#   Container lists that are not lists of named containers, and a containers list that is missing:
#   Kubernetes reads a missing field as a null one, and refuses a pod without containers.
malformed(spec) := set() if {
	# Every list a list and every member an object named by a string, told by one count over the
	# entries containers() has built: about 50 allocations a decision less than the sets below.
	lists := [object.get(spec, "initContainers", []), object.get(spec, "containers", null), object.get(spec, "ephemeralContainers", [])]
	is_array(lists[0])
	is_array(lists[1])
	is_array(lists[2])
	count([1 | some entry in containers(spec); is_string(entry.container.name)]) == (count(lists[0]) + count(lists[1])) + count(lists[2])
} else := (not_lists(spec) | unnamed(spec)) | missing(spec)

not_lists(spec) := {sprintf("%s is %s, not a list of containers", [field, review.quote(list)]) |
	some field in ["initContainers", "containers", "ephemeralContainers"]
	list := object.get(spec, field, [])
	not is_array(list)
}

missing(spec) := {"containers is missing, which the API server refuses"} if not "containers" in object.keys(spec)

else := set()

unnamed(spec) := {sprintf("%s[%d] is not a container with a string name", [field, i]) |
	some field in ["initContainers", "containers", "ephemeralContainers"]
	list := object.get(spec, field, [])
	is_array(list)
	some i, container in list
	not named(container)
}

named(container) if {
	is_object(container)
	is_string(container.name)
}

# METADATA
# description: >-
#   The pod of a review when it sits in a mesh namespace, else null (defined, so that
#   OPA caches it for the next pod rule); a review that writes no pod gets pod_or_null's
#   null from either branch. Each caller reads pod.spec first, undefined on null, where
#   a test against null would cost each decision about 19 allocations against 7.
mesh_pod_or_null(rev, scope_params, namespaces) := {
	"spec": spec,
	"metadata": {"labels": labels, "annotations": annotations},
	"is_pod": true,
	"metadata_path": ["metadata"],
} if {
	# The commonest case, a well-formed Pod written in a listed namespace named on it: pod_or_null's and
	# pod()'s first branches written out, the same value without their two calls (about 60 allocations
	# a decision, which Gatekeeper pays once per template). Anything else takes the branches below; a
	# pod outside the mesh leaves at the namespace, read first.
	ns := object.get(rev, ["object", "metadata", "namespace"], "")
	ns in scope_params.meshNamespaces
	not ns in scope_params.excludedNamespaces
	rev.operation == "CREATE"
	object.get(rev, "subResource", "") != "status"
	obj := rev.object
	obj.kind == "Pod"
	spec := object.get(obj, "spec", {})
	is_object(spec)
	labels := object.get(obj, ["metadata", "labels"], {})
	is_object(labels)
	annotations := object.get(obj, ["metadata", "annotations"], {})
	is_object(annotations)
} else := p if {
	p := pod_or_null(rev)

	# A listed namespace written on the object, without the calls of the general path.
	ns := object.get(rev, ["object", "metadata", "namespace"], "")
	ns in scope_params.meshNamespaces
	not ns in scope_params.excludedNamespaces
} else := p if {
	p := pod_or_null(rev)
	scope.pod_in_mesh(review.namespace(rev), p.metadata, scope_params, namespaces)
} else := null

# METADATA
# description: >-
#   The pod mesh_pod_or_null found, else the review's own (pod_or_null): its value where it is not
#   null, so that a mesh pod is not built twice.
pod_unless_null(mesh_pod, rev) := mesh_pod if mesh_pod != null

else := pod_or_null(rev)

# METADATA
# description: >-
#   A dropped capability as every runtime reads it (see policygen/capabilities.py):
#   containerd prefixes CAP_ to each entry but ALL, so an entry already prefixed
#   drops nothing there, though CRI-O would read it.
dropped_capability(name) := null if {
	is_string(name)
	startswith(upper(name), "CAP_")
} else := capability(name)

# METADATA
# description: >-
#   A capability as the runtime compares it, upper case without CAP_ (see
#   policygen/capabilities.py). Only ASCII letters and _ are read, so upper()
#   folds ASCII only; anything else is null, which matches no approved name.
capability(name) := cap if {
	is_string(name)
	regex.match(`^[A-Za-z_]+$`, name)
	cap := trim_prefix(upper(name), "CAP_")
	cap != ""
} else := null

# METADATA
# description: >-
#   Every member of a list is an object named by a string. Counted, with no call or `not` per
#   member: a bare item.name is undefined for a member that is no object, so it is left out of
#   the count, where `not is_string(item.name)` would pass it unseen (OPA binds item.name outside
#   the `not`).
all_named(list) if count([1 | some item in list; is_string(item.name)]) == count(list)

# METADATA
# description: The name of a mapping, null for anything else (never undefined).
name_of(obj) := object.get(obj, "name", null) if is_object(obj)

else := null

# METADATA
# description: A list-valued field of a container, [] when absent or null.
array_at(container, path) := value if {
	value := object.get(container, path, [])
	is_array(value)
} else := [] if {
	object.get(container, path, null) == null
}

# METADATA
# description: The securityContext of a container or pod, {} when absent.
security_context(obj) := sc if {
	sc := object.get(obj, "securityContext", {})
	is_object(sc)
} else := {}
