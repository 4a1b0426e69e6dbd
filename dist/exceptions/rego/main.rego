# METADATA
# title: exceptions-demo
# description: >-
#   conftest's entry point: every rule's violations as deny or warn results
#   (enforce mode), one deny_<rule> or warn_<rule> per rule ID: objects whose msg
#   starts with RULE/check, and whose rule and check fields conftest reports
#   as metadata.
package main

import data.lib.policygen.exceptions
import data.lib.policygen.review
import data.policygen
import data.policygen.lists

# METADATA
# description: >-
#   Every violation of every rule, for policygen eval and for tests: none for a Pod of the usual
#   shape (usual.rego, which asks no less than each rule's usual case), else every rule's.
violations := set() if {
	# The only kind usual.rego clears, read here so that any other object pays no rule lookup.
	input.kind == "Pod"
	policygen.usual.pod
} else := every_violation

# METADATA
# scope: document
# description: Every violation of every rule, each rule asked.
every_violation contains found if some found in policygen.sc001.violations

every_violation contains found if some found in policygen.sc003.violations

every_violation contains found if some found in policygen.sc004.violations

every_violation contains found if some found in policygen.sc007.violations

every_violation contains found if some found in policygen.sc008.violations

every_violation contains found if some found in policygen.sc010.violations

every_violation contains found if some found in policygen.cp004.violations

every_violation contains found if some found in policygen.cp005.violations

# One deny or warn rule per rule ID (warn for the rules the spec audits or
# warns on), so that conftest's exceptions can name one of them:
# `exception contains ["sc004"]` skips that rule only. There is no bare deny:
# conftest would report each violation twice.

# METADATA
# title: SC001
# entrypoint: true
deny_sc001 contains found if {
	some found in policygen.sc001.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc001 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc001.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
}

# METADATA
# title: SC003
# entrypoint: true
deny_sc003 contains found if {
	some found in policygen.sc003.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc003 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc003.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
}

# METADATA
# title: SC004
# entrypoint: true
deny_sc004 contains found if {
	some found in policygen.sc004.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc004 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc004.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
}

# METADATA
# title: SC007
# entrypoint: true
warn_sc007 contains found if {
	some found in policygen.sc007.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
warn_sc007 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc007.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
}

# METADATA
# title: SC008
# entrypoint: true
warn_sc008 contains found if {
	some found in policygen.sc008.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
warn_sc008 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc008.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
}

# METADATA
# title: SC010
# entrypoint: true
deny_sc010 contains found if {
	some found in policygen.sc010.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc010 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc010.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
}

# METADATA
# title: CP004
# entrypoint: true
deny_cp004 contains found if {
	some found in policygen.cp004.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_cp004 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.cp004.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
}

# METADATA
# title: CP005
# entrypoint: true
deny_cp005 contains found if {
	some found in policygen.cp005.violations
	not found.rule in exempted_rules
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_cp005 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.cp005.violations with input as item with policygen.namespaces as known

	# regal ignore:with-outside-test-context
	not found.rule in exempted_rules with input as item
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
	# A List is no object: its own metadata exempts nothing, and each item is exempted on its own above.
	not lists.is_list(input)
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
