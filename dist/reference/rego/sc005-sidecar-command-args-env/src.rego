# METADATA
# title: Sidecar command, args and env
# description: A sidecar keeps its entrypoint, starts with the approved args, carries the pinned env values and none of the forbidden variables.
# custom:
#   rule_id: SC005
#   severity: high
package policygen.sc005

import data.lib.policygen.review
import data.lib.policygen.rules.sc005 as rule

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
			"argsPrefix": [
				"istio-iptables",
			],
			"checkArgs": true,
			"forbidCommand": true,
			"forbiddenEnv": [],
			"name": "istio-init",
			"pinnedEnv": [],
		},
		{
			"argsPrefix": [
				"proxy",
				"sidecar",
			],
			"checkArgs": true,
			"forbidCommand": true,
			"forbiddenEnv": [
				"ISTIO_META_CERT_SIGNER",
				"LD_LIBRARY_PATH",
				"LD_PRELOAD",
			],
			"name": "istio-proxy",
			"pinnedEnv": [
				{
					"name": "CA_ADDR",
					"value": "istiod.istio-system.svc:15012",
				},
				{
					"name": "PILOT_CERT_PROVIDER",
					"value": "istiod",
				},
			],
		},
		{
			"argsPrefix": [
				"istio-iptables",
			],
			"checkArgs": true,
			"forbidCommand": true,
			"forbiddenEnv": [],
			"name": "istio-validation",
			"pinnedEnv": [],
		},
	],
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every SC005 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
