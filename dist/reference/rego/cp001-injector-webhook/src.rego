# METADATA
# title: Injector webhook
# description: The sidecar injector's webhooks point only at the approved service, and no untrusted webhook mutates pods at creation.
# custom:
#   rule_id: CP001
#   severity: critical
package policygen.cp001

import data.lib.policygen.review
import data.lib.policygen.rules.cp001 as rule

# The spec's values for this rule, as a JSON literal: data, never logic.
params := {
	"failurePolicy": "Fail",
	"namePrefixes": [
		"istio-revision-tag",
		"istio-sidecar-injector",
	],
	"service": {
		"name": "istiod",
		"namespace": "istio-system",
		"path": "/inject",
	},
	"trustedGroups": [],
	"trustedSubjects": [
		"system:serviceaccount:istio-system:istio-installer",
		"system:serviceaccount:istio-system:istiod",
	],
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every CP001 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
