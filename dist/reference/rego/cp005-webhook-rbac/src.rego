# METADATA
# title: Webhook RBAC
# description: Only trusted roles may write admission webhook configurations.
# custom:
#   rule_id: CP005
#   severity: critical
package policygen.cp005

import data.lib.policygen.review
import data.lib.policygen.rules.cp005 as rule

# The spec's values for this rule, as a JSON literal: data, never logic.
params := {
	"resources": [
		"mutatingwebhookconfigurations",
		"validatingwebhookconfigurations",
	],
	"trustedRoles": [
		"istiod-clusterrole-istio-system",
		"istiod-gateway-controller-istio-system",
	],
	"verbs": [
		"*",
		"create",
		"delete",
		"deletecollection",
		"patch",
		"update",
	],
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every CP005 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
