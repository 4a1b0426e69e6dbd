# METADATA
# title: Sidecar securityContext
# description: A sidecar's securityContext is exactly the approved one, capabilities included.
# custom:
#   rule_id: SC004
#   severity: high
package policygen.sc004

import data.lib.policygen.review
import data.lib.policygen.rules.sc004 as rule

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
			"checkCapabilities": true,
			"expected": [
				{
					"defaultsTo": true,
					"key": "privileged",
					"value": false,
				},
				{
					"defaultsTo": false,
					"key": "allowPrivilegeEscalation",
					"value": false,
				},
				{
					"defaultsTo": false,
					"key": "runAsUser",
					"value": 0,
				},
			],
			"mayAdd": [
				"NET_ADMIN",
				"NET_RAW",
			],
			"mustDrop": [
				"ALL",
			],
			"name": "istio-init",
		},
		{
			"checkCapabilities": true,
			"expected": [
				{
					"defaultsTo": true,
					"key": "privileged",
					"value": false,
				},
				{
					"defaultsTo": false,
					"key": "allowPrivilegeEscalation",
					"value": false,
				},
				{
					"defaultsTo": false,
					"key": "runAsNonRoot",
					"value": true,
				},
				{
					"defaultsTo": false,
					"key": "runAsUser",
					"value": 1337,
				},
				{
					"defaultsTo": false,
					"key": "runAsGroup",
					"value": 1337,
				},
				{
					"defaultsTo": false,
					"key": "readOnlyRootFilesystem",
					"value": true,
				},
			],
			"mayAdd": [],
			"mustDrop": [
				"ALL",
			],
			"name": "istio-proxy",
		},
		{
			"checkCapabilities": true,
			"expected": [
				{
					"defaultsTo": true,
					"key": "privileged",
					"value": false,
				},
				{
					"defaultsTo": false,
					"key": "allowPrivilegeEscalation",
					"value": false,
				},
				{
					"defaultsTo": false,
					"key": "runAsNonRoot",
					"value": true,
				},
				{
					"defaultsTo": false,
					"key": "readOnlyRootFilesystem",
					"value": true,
				},
			],
			"mayAdd": [],
			"mustDrop": [
				"ALL",
			],
			"name": "istio-validation",
		},
	],
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every SC004 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
