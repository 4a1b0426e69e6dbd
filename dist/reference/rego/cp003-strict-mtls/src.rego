# METADATA
# title: Strict mTLS
# description: No PeerAuthentication weakens mutual TLS, and the mesh-wide one is STRICT.
# custom:
#   rule_id: CP003
#   severity: high
package policygen.cp003

import data.lib.policygen.review
import data.lib.policygen.rules.cp003 as rule

# The spec's values for this rule, as a JSON literal: data, never logic.
params := {
	"namespace": "istio-system",
}

# Gatekeeper's inventory shape; policygen eval fills it from the Namespace objects among its inputs.
namespaces := data.inventory.cluster.v1.Namespace if {
	is_object(data.inventory.cluster.v1.Namespace)
} else := {}

# METADATA
# description: Every CP003 violation of the input, one message each.
# entrypoint: true
violation contains msg if {
	some msg in rule.violations(review.from_input(input), params, namespaces)
}
