# METADATA
# title: List inputs
# description: >-
#   The objects of a List given to conftest directly (`kubectl get -o yaml`
#   writes one), read as kubectl reads a list, and the documents of
#   `conftest test --combine`, so that conftest judges each of them, with the
#   Namespaces among them. policygen eval expands lists itself before any
#   engine sees them.
package policygen.lists

import data.lib.policygen.review
import data.lib.policygen.scope

# METADATA
# scope: document
# description: >-
#   [where, object] of each object of a List input, or of each document of `conftest test --combine`'s
#   input ("items[2]", "pod.yaml: Pod shop/web", "all.yaml: List l items[0]"): pairs, not a map, so that
#   two objects that happen to be named alike are both judged (red team 14c: a map's conflict stopped
#   conftest with no verdict).
objects contains [where, item] if {
	not combined
	some where, item in items_of_lists
}

objects contains [where, doc] if {
	some where, doc in documents
	not is_list(doc)
}

objects contains [where, item] if {
	some file_where, doc in documents
	is_list(doc)

	# regal ignore:with-outside-test-context
	some item_where, item in items_of_lists with input as doc
	where := concat(" ", [file_where, item_where])
}

# METADATA
# description: >-
#   conftest test --combine hands the policy one array of {path, contents}, contents a file's document,
#   or the list of them for a file of several (a red team, 14b: none was judged, and every input passed).
combined if {
	is_array(input)
	count(input) > 0
	every file in input {
		is_object(file)
		is_string(file.path)
		"contents" in object.keys(file)
	}
}

# A file of several documents is one entry per document, each with the file's path, in an order conftest
# does not keep: a document is named by its file, kind and name, and by its entry where that is not enough.
documents[where] := input[i].contents if {
	some i, name in names
	twins := [j | some j, other in names; other == name]
	where := unique_name(name, twins, i)
}

documents[where] := doc if {
	combined
	some file in input
	is_array(file.contents)
	some i, doc in file.contents
	is_object(doc)
	where := sprintf("%s[%d]", [file.path, i])
}

# Each entry's name, built once rather than once for every entry it is compared with.
names[i] := sprintf("%s: %s", [file.path, identity(file.contents)]) if {
	combined
	some i, file in input
	is_object(file.contents)
}

unique_name(named, twins, i) := named if count(twins) == 1

else := sprintf("%s, input[%d]", [named, i])

identity(doc) := concat(" ", [kind, name]) if {
	kind := object.get(doc, "kind", "")
	is_string(kind)
	name := concat("/", [part |
		some key in ["namespace", "name"]
		part := object.get(doc, ["metadata", key], "")
		is_string(part)
		part != ""
	])
} else := "document"

# METADATA
# description: >-
#   The namespaces the rules read for the objects above: the inventory's (conftest --data), and the
#   Namespace objects among them, as policygen eval reads a folder's (SPEC.md). A version the API server
#   might not store as written (one of another apiVersion, metadata, spec or status that does not decode,
#   labels, annotations or finalizers it would refuse, a Namespace inside an AdmissionReview) makes the
#   namespace a mesh namespace: fail closed. Of several versions it would store, the inventory's among
#   them, the one that reaches furthest into the mesh, as policygen/inventory.py chooses.
namespaces := object.union(data.policygen.namespaces, {name: {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": listed_labels(name)}} |
	some [name, _] in namespace_versions
})

# [name, labels] of each version of a namespace: those among the objects, and the inventory's of the
# same name (red team 14c: the objects' replaced it).
namespace_versions contains version if some version in object_namespace_versions

namespace_versions contains [name, inventory_labels(ns)] if {
	some [name, _] in object_namespace_versions
	ns := data.policygen.namespaces[name]
}

# [name, labels] of each Namespace among the objects, labels null where they may not be the namespace's.
object_namespace_versions contains [name, stored_labels(item)] if {
	some [_, item] in objects
	item.kind == "Namespace"
	name := item.metadata.name
	is_string(name)
}

object_namespace_versions contains [name, null] if {
	some [_, item] in objects
	item.kind == "AdmissionReview"
	some role in ["object", "oldObject"]
	item.request[role].kind == "Namespace"
	name := item.request[role].metadata.name
	is_string(name)
}

inventory_labels(ns) := labels if {
	labels := object.get(ns, ["metadata", "labels"], {})
	is_object(labels)
	every value in labels {
		is_string(value)
	}
} else := null

# Of a name's versions, the one that reaches furthest into the mesh (policygen/inventory.py), ties by
# their JSON text; a version that may not be the namespace's makes it a mesh namespace.
listed_labels(name) := json.unmarshal(chosen) if {
	found := {labels | some [n, labels] in namespace_versions; n == name}
	not null in found
	best := max({reach(name, labels) | some labels in found})
	chosen := min({json.marshal(labels) | some labels in found; reach(name, labels) == best})
} else := {"istio-injection": "enabled"}

# The plan's mesh scope (the one every rule's parameters hold), for choosing among versions only.
mesh_scope := {
	"excludedNamespaces": [
		"istio-system",
		"kube-node-lease",
		"kube-public",
		"kube-system",
	],
	"meshNamespaceSelector": {
		"matchExpressions": [],
		"matchLabels": {
			"istio-injection": "enabled",
		},
	},
	"meshNamespaces": [
		"checkout",
		"payments",
		"storefront",
	],
}

# 2: every pod of the namespace is in the mesh; 1: those that ask for injection (no injection label); 0: none.
reach(name, labels) := 2 if {
	mesh_scope != null
	scope.in_mesh(name, mesh_scope, {name: {"metadata": {"labels": labels}}})
} else := 0 if {
	some key in ["istio-injection", "istio.io/rev"]
	key in object.keys(labels)
} else := 1

# The labels of a Namespace the API server would store as written, else null (policygen/objectmeta.py's
# refused_namespace, and an apiVersion other than v1).
stored_labels(ns) := labels if {
	object.get(ns, "apiVersion", "v1") == "v1"
	meta := object.get(ns, "metadata", {})
	is_object(meta)
	mapping_or_null(object.get(ns, "spec", null))
	status := mapping_or_empty(object.get(ns, "status", null))
	string_or_null(object.get(status, "phase", null))
	is_array(object.get(status, "conditions", []))
	labels := labels_or_empty(ns)
	is_object(labels)
	annotations := mapping_or_empty(object.get(meta, "annotations", null))
	sum([n | some key, value in annotations; n := count(key) + count(value)]) <= 262144
	every key in ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion"] {
		string_or_null(object.get(meta, key, null))
	}
	every key in ["generation", "deletionGracePeriodSeconds"] {
		whole_or_null(object.get(meta, key, null))
	}
	every key, value in meta {
		time_field(key, value)
	}
	every key, value in labels {
		label_key(key)
		label_value(value)
	}
	every key, value in annotations {
		label_key(lower(key))
		is_string(value)
	}
	every finalizer in array.concat(array_or_empty(object.get(meta, "finalizers", null)), array_or_empty(object.get(ns, ["spec", "finalizers"], null))) {
		finalizer_name(finalizer)
	}
	every ref in array_or_empty(object.get(meta, "ownerReferences", null)) {
		every key in ["apiVersion", "kind", "name", "uid"] {
			review.non_empty_string(object.get(ref, key, null))
		}
	}
} else := null

whole_or_null(null)

whole_or_null(value) if {
	is_number(value)
	round(value) == value
}

# ObjectMeta's two times (created, deleted): a non-empty string, or null.
time_field(key, _) if not endswith(key, "Timestamp")

time_field(key, null) if endswith(key, "Timestamp")

time_field(key, value) if {
	endswith(key, "Timestamp")
	review.non_empty_string(value)
}

string_or_null(null)

string_or_null(value) if is_string(value)

array_or_empty(null) := []

array_or_empty(value) := value if is_array(value)

finalizer_name(value) if {
	label_key(value)
	contains(value, "/")
}

finalizer_name(value) if value in {"kubernetes", "orphan", "foregroundDeletion"}

labels_or_empty(ns) := {} if object.get(ns, ["metadata", "labels"], null) == null

else := ns.metadata.labels

mapping_or_empty(null) := {}

mapping_or_empty(value) := value if is_object(value)

mapping_or_null(null)

mapping_or_null(value) if is_object(value)

# Kubernetes' qualified name: an optional DNS subdomain prefix of at most 253 characters and "/", then at most 63.
label_key(key) if {
	is_string(key)
	regex.match(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`, key)
	parts := split(key, "/")
	count(parts[count(parts) - 1]) <= 63
	count(key) - count(parts[count(parts) - 1]) <= 254
}

label_value(value) if {
	is_string(value)
	count(value) <= 63
	regex.match(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`, value)
}

# METADATA
# description: >-
#   Each object of a List input, by where it sits ("items[2]",
#   "items[0].items[1]"): kubectl reads any object with items as a list (an
#   AdmissionReview aside), nested lists included; an item with neither kind
#   nor apiVersion takes the list's kind without "List" (PodList -> Pod).
items_of_lists[where] := with_kind(item, object.get(input, array.slice(path, 0, count(path) - 2), {})) if {
	is_list(input)
	walk(input, [path, item])
	count(path) >= 2
	items_path(path)
	not is_list(item)
	where := concat(".", [sprintf("items[%d]", [path[i + 1]]) | some i in numbers.range_step(0, count(path) - 2, 2)])
}

is_list(doc) if {
	is_object(doc)
	object.get(doc, "items", null) != null
	doc.kind != "AdmissionReview"
}

is_list(doc) if {
	is_object(doc)
	object.get(doc, "items", null) != null
	not "kind" in object.keys(doc)
}

# Every step of the path is items[i] of an object kubectl reads as a list.
items_path(path) if {
	count(path) % 2 == 0
	every i in numbers.range_step(0, count(path) - 2, 2) {
		path[i] == "items"
		is_number(path[i + 1])
		is_list(object.get(input, array.slice(path, 0, i), null))
	}
}

with_kind(item, list) := object.union(item, {"kind": trim_suffix(list.kind, "List"), "apiVersion": list.apiVersion}) if {
	is_object(item)
	not "kind" in object.keys(item)
	not "apiVersion" in object.keys(item)
	endswith(list.kind, "List")
	count(list.kind) > 4
	"apiVersion" in object.keys(list)
} else := object.union(item, {"kind": trim_suffix(list.kind, "List")}) if {
	is_object(item)
	not "kind" in object.keys(item)
	not "apiVersion" in object.keys(item)
	endswith(list.kind, "List")
	count(list.kind) > 4
} else := item
