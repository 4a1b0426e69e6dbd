# METADATA
# title: istio-sidecar-guard
# description: >-
#   conftest's entry point: every rule's violations as deny or warn results
#   (enforce mode), one deny_<rule> or warn_<rule> per rule ID: objects whose msg
#   starts with RULE/check, and whose rule and check fields conftest reports
#   as metadata.
package main

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

every_violation contains found if some found in policygen.sc002.violations

every_violation contains found if some found in policygen.sc003.violations

every_violation contains found if some found in policygen.sc004.violations

every_violation contains found if some found in policygen.sc005.violations

every_violation contains found if some found in policygen.sc006.violations

every_violation contains found if some found in policygen.sc007.violations

every_violation contains found if some found in policygen.sc008.violations

every_violation contains found if some found in policygen.sc009.violations

every_violation contains found if some found in policygen.sc010.violations

every_violation contains found if some found in policygen.sc011.violations

every_violation contains found if some found in policygen.cp001.violations

every_violation contains found if some found in policygen.cp002.violations

every_violation contains found if some found in policygen.cp003.violations

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
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc001 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc001.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC002
# entrypoint: true
deny_sc002 contains found if {
	some found in policygen.sc002.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc002 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc002.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC003
# entrypoint: true
deny_sc003 contains found if {
	some found in policygen.sc003.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc003 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc003.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC004
# entrypoint: true
deny_sc004 contains found if {
	some found in policygen.sc004.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc004 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc004.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC005
# entrypoint: true
deny_sc005 contains found if {
	some found in policygen.sc005.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc005 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc005.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC006
# entrypoint: true
deny_sc006 contains found if {
	some found in policygen.sc006.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc006 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc006.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC007
# entrypoint: true
deny_sc007 contains found if {
	some found in policygen.sc007.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc007 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc007.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC008
# entrypoint: true
deny_sc008 contains found if {
	some found in policygen.sc008.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc008 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc008.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC009
# entrypoint: true
deny_sc009 contains found if {
	some found in policygen.sc009.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc009 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc009.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC010
# entrypoint: true
deny_sc010 contains found if {
	some found in policygen.sc010.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc010 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc010.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: SC011
# entrypoint: true
deny_sc011 contains found if {
	some found in policygen.sc011.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_sc011 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.sc011.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: CP001
# entrypoint: true
deny_cp001 contains found if {
	some found in policygen.cp001.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_cp001 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.cp001.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: CP002
# entrypoint: true
deny_cp002 contains found if {
	some found in policygen.cp002.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_cp002 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.cp002.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: CP003
# entrypoint: true
deny_cp003 contains found if {
	some found in policygen.cp003.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_cp003 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.cp003.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: CP004
# entrypoint: true
deny_cp004 contains found if {
	some found in policygen.cp004.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_cp004 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.cp004.violations with input as item with policygen.namespaces as known
}

# METADATA
# title: CP005
# entrypoint: true
deny_cp005 contains found if {
	some found in policygen.cp005.violations
}

# Each object of a List (or of conftest --combine), judged as if given alone, with the Namespaces beside
# it; the message says where it sits.
deny_cp005 contains object.union(found, {"msg": sprintf("%s (%s)", [found.msg, where])}) if {
	some [where, item] in lists.objects
	known := lists.namespaces

	# regal ignore:with-outside-test-context
	some found in policygen.cp005.violations with input as item with policygen.namespaces as known
}
