# METADATA
# title: Injection scope
# description: A mesh pod does not opt out of injection, uses an approved revision, and carries the sidecar.
# custom:
#   rule_id: SC009
#   severity: high
package policygen.sc009

import data.lib.policygen.review
import data.lib.policygen.rules.sc009 as rule
import data.policygen

# The rule ID every violation carries, from the plan: never read back from message text.
rule_id := "SC009"

# METADATA
# description: >-
#   Every SC009 violation of the input: its rule ID and check code as
#   fields, and a message that starts with them.
# entrypoint: true
violations contains finding(found) if {
	# The kinds the rule reads (policygen/kinds.py), and a review of any: every other object is left at the
	# first expression. The library would find nothing in it either, at about 70 allocations a decision,
	# which each of the rules pays on each object of a cluster dump that is not of its kinds.
	input.kind in {"AdmissionReview", "CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet", "ReplicationController", "StatefulSet"}

	# The spec's values for this rule, as a JSON literal: data, never logic. Bound here
	# rather than held by a rule of their own, whose lookup would cost each decision more.
	params := {
		"approvedRevisions": [
			"default",
			"stable",
		],
		"captureContainers": [],
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
		"sidecarNames": [],
	}
	some found in rule.violations(review.from_input(input), params, policygen.namespaces)
}

# A library finding that is a bare string still denies: under a check no catalogue
# lists, so that tests name it and policygen reports the resource as unjudged rather
# than dropping the finding. One rule body with a call per finding, not a body per
# kind of finding: each body would cost every decision the library's call again.
finding(found) := {"msg": sprintf("%s/uncoded %s", [rule_id, found]), "rule": rule_id, "check": "uncoded"} if {
	is_string(found)
} else := {"msg": sprintf("%s/%s %s", [rule_id, found.check, found.detail]), "rule": rule_id, "check": found.check}

# METADATA
# scope: document
# description: >-
#   This rule alone, for `conftest test --namespace policygen.sc009`; the
#   exceptions written for package main apply here too.
deny_sc009 contains found if some found in violations

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc009 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in policygen.lists.objects
	known := policygen.lists.namespaces

	# regal ignore:with-outside-test-context
	some found in violations with input as item with policygen.namespaces as known
}

exception contains rules if some rules in data.main.exception
