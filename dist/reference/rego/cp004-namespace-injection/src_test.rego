package policygen.cp004_test

import data.policygen.cp004

# policygen/checks.py: the check codes CP004 may report.
catalogued_checks := {"excluded-injection-on", "mesh-injection-off", "namespace-malformed"}

mesh_enabled_input := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {
		"labels": {
			"istio-injection": "enabled",
		},
		"name": "checkout",
	},
}

test_allows_mesh_enabled if {
	msgs := cp004.violations with input as mesh_enabled_input
	count(msgs) == 0
}

mesh_unlabelled_input := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {
		"labels": {},
		"name": "checkout",
	},
}

test_denies_mesh_unlabelled if {
	msgs := cp004.violations with input as mesh_unlabelled_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

mesh_disabled_with_revision_input := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {
		"labels": {
			"istio-injection": "disabled",
			"istio.io/rev": "default",
		},
		"name": "checkout",
	},
}

test_denies_mesh_disabled_with_revision if {
	msgs := cp004.violations with input as mesh_disabled_with_revision_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

excluded_plain_input := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {
		"labels": {},
		"name": "istio-system",
	},
}

test_allows_excluded_plain if {
	msgs := cp004.violations with input as excluded_plain_input
	count(msgs) == 0
}

excluded_with_revision_input := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {
		"labels": {
			"istio.io/rev": "default",
		},
		"name": "istio-system",
	},
}

test_denies_excluded_with_revision if {
	msgs := cp004.violations with input as excluded_with_revision_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

excluded_injection_enabled_input := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {
		"labels": {
			"istio-injection": "enabled",
		},
		"name": "istio-system",
	},
}

test_denies_excluded_injection_enabled if {
	msgs := cp004.violations with input as excluded_injection_enabled_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

unlisted_plain_input := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {
		"labels": {},
		"name": "policygen-unlisted",
	},
}

test_allows_unlisted_plain if {
	msgs := cp004.violations with input as unlisted_plain_input
	count(msgs) == 0
}
