# METADATA
# title: Mesh scope
# description: Which namespaces are mesh namespaces, by name or by label selector.
package lib.policygen.scope

# METADATA
# description: >-
#   ns is a mesh namespace: not excluded, and listed or selected by the labels of
#   its Namespace object in namespaces (name -> Namespace, Gatekeeper's inventory shape).
in_mesh(ns, scope, namespaces) if {
	not ns in scope.excludedNamespaces
	listed_or_selected(ns, scope, namespaces)
}

listed_or_selected(ns, scope, _) if ns in scope.meshNamespaces

listed_or_selected(ns, scope, namespaces) if {
	is_object(scope.meshNamespaceSelector)
	labels := object.get(namespaces, [ns, "metadata", "labels"], {})
	is_object(labels)
	selects(scope.meshNamespaceSelector, labels)
}

selects(selector, labels) if {
	every key, value in selector.matchLabels {
		labels[key] == value
	}
	every requirement in selector.matchExpressions {
		holds(requirement, labels)
	}
}

holds(requirement, labels) if {
	requirement.operator == "In"
	labels[requirement.key] in requirement.values
}

# Kubernetes' NotIn also matches when the key is absent.
holds(requirement, labels) if {
	requirement.operator == "NotIn"

	# A missing key reads as null here: a bare labels[key] under `not` would be
	# undefined, and the whole requirement with it.
	value := object.get(labels, requirement.key, null)
	not value in requirement.values
}

holds(requirement, labels) if {
	requirement.operator == "Exists"
	_ = labels[requirement.key]
}

holds(requirement, labels) if {
	requirement.operator == "DoesNotExist"
	not requirement.key in object.keys(labels)
}
