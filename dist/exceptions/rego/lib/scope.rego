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

# Whatever the spec's selector says, a namespace Istio's injector injects is in the
# mesh: istio-injection: enabled, or no istio-injection and any istio.io/rev
# (policygen cannot know which revisions are installed).
listed_or_selected(ns, _, namespaces) if {
	labels := object.get(namespaces, [ns, "metadata", "labels"], {})
	is_object(labels)
	injected_namespace(labels)
}

listed_or_selected(ns, scope, namespaces) if {
	is_object(scope.meshNamespaceSelector)
	labels := object.get(namespaces, [ns, "metadata", "labels"], {})
	is_object(labels)

	# The API server gives every Namespace this label, its own name, whatever its object says.
	selects(scope.meshNamespaceSelector, object.union(labels, {"kubernetes.io/metadata.name": ns}))
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

injected_namespace(labels) if labels["istio-injection"] == "enabled"

injected_namespace(labels) if {
	not "istio-injection" in object.keys(labels)
	"istio.io/rev" in object.keys(labels)
}

# false rather than undefined, so that OPA caches it for the next pod rule.
default pod_in_mesh(_, _, _, _) := false

# METADATA
# scope: document
# description: >-
#   A pod is in the mesh when its namespace is, or when Istio's object-selector
#   webhooks inject it: its namespace carries neither istio-injection nor
#   istio.io/rev (a Namespace not among the inputs counts as unlabelled), and the
#   pod's own labels ask for injection. Excluded namespaces always win.
pod_in_mesh(ns, _, scope, _) if {
	# A listed namespace, the commonest case, without the calls in_mesh makes.
	ns in scope.meshNamespaces
	not ns in scope.excludedNamespaces
}

pod_in_mesh(ns, _, scope, namespaces) if in_mesh(ns, scope, namespaces)

pod_in_mesh(ns, pod_metadata, scope, namespaces) if {
	not ns in scope.excludedNamespaces
	not injection_labelled(object.get(namespaces, [ns, "metadata", "labels"], {}))
	object_selected(pod_metadata.labels, pod_metadata.annotations)
}

injection_labelled(labels) if {
	is_object(labels)
	some key in ["istio-injection", "istio.io/rev"]
	key in object.keys(labels)
}

# The "object" webhook: sidecar.istio.io/inject: "true".
object_selected(labels, _) if labels["sidecar.istio.io/inject"] == "true"

# The "rev.object" webhooks: a revision label (any: policygen cannot know which
# revisions are installed), unless the pod opts out with exactly "false": by the
# label, which keeps the webhook away, or, without that label, by the annotation,
# which the injector then reads (injectRequired), and every Istio release reads
# "false" as no injection. Any other annotation value some release injects under.
object_selected(labels, annotations) if {
	"istio.io/rev" in object.keys(labels)
	object.get(labels, "sidecar.istio.io/inject", null) != "false"
	not annotation_opts_out(labels, annotations)
}

annotation_opts_out(labels, annotations) if {
	not "sidecar.istio.io/inject" in object.keys(labels)
	annotations["sidecar.istio.io/inject"] == "false"
}
