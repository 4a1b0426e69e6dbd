# METADATA
# title: Unapproved sidecar
# description: No container but an approved sidecar runs a sidecar image, no unapproved native sidecar or injected container appears, and approved sidecars stay in their placements.
# custom:
#   rule_id: SC003
#   severity: high
package policygen.sc003

import data.lib.policygen.review
import data.lib.policygen.rules.sc003 as rule

# The spec's values for this rule, as a JSON literal: data, never logic.
params := {
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
	"sidecarRepositories": [
		"docker.io/istio/proxyv2",
		"registry.corp.example:5000/mesh/proxyv2",
	],
	"sidecars": [
		{
			"name": "istio-init",
			"placement": [
				"initContainers",
			],
		},
		{
			"name": "istio-proxy",
			"placement": [
				"containers",
				"initContainers",
			],
		},
		{
			"name": "istio-validation",
			"placement": [
				"initContainers",
			],
		},
	],
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every SC003 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
