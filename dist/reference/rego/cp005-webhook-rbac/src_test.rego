package policygen.cp005_test

import data.policygen.cp005

# policygen/checks.py: the check codes CP005 may report.
catalogued_checks := {"rules-malformed", "webhook-write-granted"}

untrusted_writer_input := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {
		"name": "webhook-editor",
	},
	"rules": [
		{
			"apiGroups": [
				"admissionregistration.k8s.io",
			],
			"resources": [
				"mutatingwebhookconfigurations",
			],
			"verbs": [
				"get",
				"patch",
			],
		},
	],
}

test_denies_untrusted_writer if {
	msgs := cp005.violations with input as untrusted_writer_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

untrusted_reader_input := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {
		"name": "webhook-viewer",
	},
	"rules": [
		{
			"apiGroups": [
				"admissionregistration.k8s.io",
			],
			"resources": [
				"mutatingwebhookconfigurations",
			],
			"verbs": [
				"get",
				"list",
				"watch",
			],
		},
	],
}

test_allows_untrusted_reader if {
	msgs := cp005.violations with input as untrusted_reader_input
	count(msgs) == 0
}

untrusted_wildcards_input := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {
		"name": "everything-editor",
	},
	"rules": [
		{
			"apiGroups": [
				"*",
			],
			"resources": [
				"*",
			],
			"verbs": [
				"*",
			],
		},
	],
}

test_denies_untrusted_wildcards if {
	msgs := cp005.violations with input as untrusted_wildcards_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

untrusted_deletecollection_input := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {
		"name": "webhook-sweeper",
	},
	"rules": [
		{
			"apiGroups": [
				"admissionregistration.k8s.io",
			],
			"resources": [
				"validatingwebhookconfigurations",
			],
			"verbs": [
				"deletecollection",
			],
		},
	],
}

test_denies_untrusted_deletecollection if {
	msgs := cp005.violations with input as untrusted_deletecollection_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

untrusted_namespaced_role_input := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "Role",
	"metadata": {
		"name": "webhook-editor",
		"namespace": "default",
	},
	"rules": [
		{
			"apiGroups": [
				"admissionregistration.k8s.io",
			],
			"resources": [
				"mutatingwebhookconfigurations",
			],
			"verbs": [
				"update",
			],
		},
	],
}

test_denies_untrusted_namespaced_role if {
	msgs := cp005.violations with input as untrusted_namespaced_role_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

trusted_writer_input := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {
		"name": "istiod-clusterrole-istio-system",
	},
	"rules": [
		{
			"apiGroups": [
				"admissionregistration.k8s.io",
			],
			"resources": [
				"mutatingwebhookconfigurations",
			],
			"verbs": [
				"*",
			],
		},
	],
}

test_allows_trusted_writer if {
	msgs := cp005.violations with input as trusted_writer_input
	count(msgs) == 0
}
