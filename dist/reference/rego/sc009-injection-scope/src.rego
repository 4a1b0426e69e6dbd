# METADATA
# title: Injection scope
# description: A mesh pod does not opt out of injection, uses an approved revision, and carries the sidecar.
# custom:
#   rule_id: SC009
#   severity: high
package policygen.sc009

import data.lib.policygen.review
import data.lib.policygen.rules.sc009 as rule

# The spec's values for this rule, as a JSON literal: data, never logic.
params := {
	"approvedRevisions": [
		"default",
		"stable",
	],
	"forbidOptOut": true,
	"requireSidecar": true,
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
	"sidecarName": "istio-proxy",
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every SC009 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
