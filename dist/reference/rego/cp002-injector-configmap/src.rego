# METADATA
# title: Injector ConfigMap
# description: Only trusted subjects create, change or delete the injector's ConfigMaps.
# custom:
#   rule_id: CP002
#   severity: critical
package policygen.cp002

import data.lib.policygen.review
import data.lib.policygen.rules.cp002 as rule

# The spec's values for this rule, as a JSON literal: data, never logic.
params := {
	"configMaps": [
		"istio-sidecar-injector",
	],
	"namespace": "istio-system",
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
# description: Every CP002 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
