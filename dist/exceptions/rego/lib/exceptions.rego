# METADATA
# title: Exceptions
# description: >-
#   Whether an object is one an exception covers, read as policygen eval reads
#   it (policygen/exceptions.py): every criterion the exception gives holds,
#   each compared exactly.
package lib.policygen.exceptions

import data.lib.policygen.review

# Kinds whose objects live in no namespace (policygen/kinds.py); a Namespace is matched by its own name.
cluster_scoped := {"ClusterRole", "MutatingWebhookConfiguration", "Namespace"}

# METADATA
# description: >-
#   The namespace an exception's namespaces are compared with: a Namespace's
#   own name, a namespaced object's namespace as the rules read it; undefined
#   for other cluster-scoped kinds, so that no namespace list covers them.
namespace_of(rev) := name if {
	obj := review.target(rev)
	obj.kind == "Namespace"
	name := obj.metadata.name
	is_string(name)
} else := review.namespace(rev) if {
	kind := review.target(rev).kind
	not kind in cluster_scoped
}

# METADATA
# description: The object under review is one that objects ({kinds, namespaces, names, labels}) covers.
covers(rev, objects) if {
	obj := review.target(rev)
	kind_covered(obj, objects.kinds)
	namespace_covered(rev, objects.namespaces)
	name_covered(obj, objects.names)
	labels_covered(obj, objects.labels)
}

kind_covered(_, kinds) if count(kinds) == 0

kind_covered(obj, kinds) if obj.kind in kinds

namespace_covered(_, namespaces) if count(namespaces) == 0

namespace_covered(rev, namespaces) if namespace_of(rev) in namespaces

name_covered(_, names) if count(names) == 0

name_covered(obj, names) if {
	is_string(obj.metadata.name)
	obj.metadata.name in names
}

labels_covered(_, labels) if count(labels) == 0

labels_covered(obj, labels) if {
	is_object(obj.metadata.labels)
	every key, value in labels {
		obj.metadata.labels[key] == value
	}
}
