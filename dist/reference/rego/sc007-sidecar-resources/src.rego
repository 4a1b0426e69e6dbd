# METADATA
# title: Sidecar resources
# description: A sidecar has cpu and memory limits within the approved maxima, requests too.
# custom:
#   rule_id: SC007
#   severity: medium
package policygen.sc007

import data.lib.policygen.review
import data.lib.policygen.rules.sc007 as rule

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
	"sidecars": [
		{
			"maxLimits": [
				{
					"max": "2",
					"resource": "cpu",
				},
				{
					"max": "1Gi",
					"resource": "memory",
				},
			],
			"maxRequests": [],
			"name": "istio-init",
			"requireLimits": true,
		},
		{
			"maxLimits": [
				{
					"max": "2",
					"resource": "cpu",
				},
				{
					"max": "1Gi",
					"resource": "memory",
				},
			],
			"maxRequests": [
				{
					"max": "1",
					"resource": "cpu",
				},
				{
					"max": "512Mi",
					"resource": "memory",
				},
			],
			"name": "istio-proxy",
			"requireLimits": true,
		},
		{
			"maxLimits": [
				{
					"max": "2",
					"resource": "cpu",
				},
				{
					"max": "1Gi",
					"resource": "memory",
				},
			],
			"maxRequests": [],
			"name": "istio-validation",
			"requireLimits": true,
		},
	],
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every SC007 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
