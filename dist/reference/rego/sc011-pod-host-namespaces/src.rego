# METADATA
# title: Pod host namespaces
# description: A mesh pod shares no host namespace and no process namespace, through which the proxy could be bypassed.
# custom:
#   rule_id: SC011
#   severity: high
package policygen.sc011

import data.lib.policygen.review
import data.lib.policygen.rules.sc011 as rule

# The spec's values for this rule, as a JSON literal: data, never logic.
params := {
	"forbiddenFields": [
		"hostNetwork",
		"hostPID",
		"hostIPC",
		"shareProcessNamespace",
	],
	"scope": {
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
	},
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every SC011 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
