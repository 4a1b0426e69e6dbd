# METADATA
# title: exceptions-demo
# description: >-
#   conftest's entry point: every rule's violations as deny results
#   (enforce mode): objects whose msg starts with RULE/check, and whose rule
#   and check fields conftest reports as metadata.
package main

import data.lib.policygen.exceptions
import data.lib.policygen.review
import data.policygen

# METADATA
# scope: document
# description: Every violation of every rule, for policygen eval and for tests.
violations contains found if some found in policygen.sc001.violation

violations contains found if some found in policygen.sc003.violation

violations contains found if some found in policygen.sc004.violation

violations contains found if some found in policygen.sc007.violation

violations contains found if some found in policygen.sc008.violation

violations contains found if some found in policygen.sc010.violation

violations contains found if some found in policygen.cp004.violation

violations contains found if some found in policygen.cp005.violation

# METADATA
# description: conftest's deny rule, for the rules whose enforcement is deny.
# entrypoint: true
deny contains found if {
	some found in violations
	found.rule in {"CP004", "CP005", "SC001", "SC003", "SC004", "SC010"}
	not found.rule in exempted_rules
}

# METADATA
# description: conftest's warn rule, for the rules whose enforcement is warn or audit.
# entrypoint: true
warn contains found if {
	some found in violations
	found.rule in {"SC007", "SC008"}
	not found.rule in exempted_rules
}

# The spec's exceptions in force when generated (expired ones are left out): data, never logic.
exception_list := [
	{
		"expires": "2099-12-31",
		"name": "legacy-proxy-root",
		"objects": {
			"kinds": [],
			"labels": {},
			"names": [],
			"namespaces": [
				"legacy",
			],
		},
		"reason": "The legacy namespace runs a proxy build that needs a writable root; tracked in MESH-1234.",
		"rules": [
			"SC004",
		],
	},
	{
		"expires": "2099-12-31",
		"name": "legacy-webhook-admin",
		"objects": {
			"kinds": [
				"ClusterRole",
			],
			"labels": {},
			"names": [
				"legacy:webhook-admin",
			],
			"namespaces": [],
		},
		"reason": "The legacy operator still writes its own webhook configuration (MESH-1502).",
		"rules": [
			"CP005",
		],
	},
	{
		"expires": "2099-06-30",
		"name": "payments-batch-runner",
		"objects": {
			"kinds": [
				"Deployment",
			],
			"labels": {},
			"names": [
				"batch-runner",
			],
			"namespaces": [
				"payments",
			],
		},
		"reason": "The batch runner shares the proxy UID until its image is rebuilt (MESH-1301).",
		"rules": [
			"SC004",
			"SC010",
		],
	},
	{
		"expires": "2099-03-31",
		"name": "storefront-canary",
		"objects": {
			"kinds": [],
			"labels": {
				"app": "canary",
				"track": "canary",
			},
			"names": [],
			"namespaces": [
				"storefront",
			],
		},
		"reason": "Canary pods run the app as UID 1337 while the proxy UID moves (MESH-1420).",
		"rules": [
			"SC010",
		],
	},
]

# METADATA
# description: The rule IDs an exception in force exempts this input from.
exempted_rules contains rule_id if {
	some exc in exception_list
	exceptions.covers(review.from_input(input), exc.objects)
	some rule_id in exc.rules
}

# METADATA
# description: >-
#   conftest's own exception form: a per-rule deny_<rule> or warn_<rule> rule
#   (rule ID in either case) reports this input under exceptions.
exception contains [rule_id, lower(rule_id)] if some rule_id in exempted_rules

# METADATA
# description: >-
#   Every violation an exception in force covers, with the exception's name;
#   recorded, not denied.
exempted contains object.union(found, {"exception": exc.name}) if {
	some found in violations
	some exc in exception_list
	found.rule in exc.rules
	exceptions.covers(review.from_input(input), exc.objects)
}
