package policygen.cp002_test

import data.policygen.cp002

# policygen/checks.py: the check codes CP002 may report.
catalogued_checks := {"untrusted-write"}

untrusted_create_input := {
	"apiVersion": "v1",
	"data": {
		"config": "policy: enabled",
	},
	"kind": "ConfigMap",
	"metadata": {
		"name": "istio-sidecar-injector",
		"namespace": "istio-system",
	},
}

test_denies_untrusted_create if {
	msgs := cp002.violations with input as untrusted_create_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP002"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

untrusted_update_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "",
			"kind": "ConfigMap",
			"version": "v1",
		},
		"namespace": "istio-system",
		"object": {
			"apiVersion": "v1",
			"data": {
				"config": "policy: enabled",
			},
			"kind": "ConfigMap",
			"metadata": {
				"name": "istio-sidecar-injector",
				"namespace": "istio-system",
			},
		},
		"operation": "UPDATE",
		"uid": "00000000-0000-0000-0000-000000000000",
		"userInfo": {
			"groups": [
				"system:authenticated",
			],
			"username": "policygen:untrusted-user",
		},
	},
}

test_denies_untrusted_update if {
	msgs := cp002.violations with input as untrusted_update_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP002"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

untrusted_delete_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "",
			"kind": "ConfigMap",
			"version": "v1",
		},
		"namespace": "istio-system",
		"oldObject": {
			"apiVersion": "v1",
			"data": {
				"config": "policy: enabled",
			},
			"kind": "ConfigMap",
			"metadata": {
				"name": "istio-sidecar-injector",
				"namespace": "istio-system",
			},
		},
		"operation": "DELETE",
		"uid": "00000000-0000-0000-0000-000000000000",
		"userInfo": {
			"groups": [
				"system:authenticated",
			],
			"username": "policygen:untrusted-user",
		},
	},
}

test_denies_untrusted_delete if {
	msgs := cp002.violations with input as untrusted_delete_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP002"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

trusted_update_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "",
			"kind": "ConfigMap",
			"version": "v1",
		},
		"namespace": "istio-system",
		"object": {
			"apiVersion": "v1",
			"data": {
				"config": "policy: enabled",
			},
			"kind": "ConfigMap",
			"metadata": {
				"name": "istio-sidecar-injector",
				"namespace": "istio-system",
			},
		},
		"operation": "UPDATE",
		"uid": "00000000-0000-0000-0000-000000000000",
		"userInfo": {
			"groups": [
				"system:authenticated",
			],
			"username": "system:serviceaccount:istio-system:istio-installer",
		},
	},
}

test_allows_trusted_update if {
	msgs := cp002.violations with input as trusted_update_input
	count(msgs) == 0
}

untrusted_revision_create_input := {
	"apiVersion": "v1",
	"data": {
		"config": "policy: enabled",
	},
	"kind": "ConfigMap",
	"metadata": {
		"name": "istio-sidecar-injector-stable",
		"namespace": "istio-system",
	},
}

test_denies_untrusted_revision_create if {
	msgs := cp002.violations with input as untrusted_revision_create_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP002"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

near_name_configmap_input := {
	"apiVersion": "v1",
	"data": {
		"config": "policy: enabled",
	},
	"kind": "ConfigMap",
	"metadata": {
		"name": "istio-sidecar-injectors",
		"namespace": "istio-system",
	},
}

test_allows_near_name_configmap if {
	msgs := cp002.violations with input as near_name_configmap_input
	count(msgs) == 0
}

other_configmap_input := {
	"apiVersion": "v1",
	"data": {
		"config": "policy: enabled",
	},
	"kind": "ConfigMap",
	"metadata": {
		"name": "app-settings",
		"namespace": "istio-system",
	},
}

test_allows_other_configmap if {
	msgs := cp002.violations with input as other_configmap_input
	count(msgs) == 0
}

same_name_other_namespace_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "",
			"kind": "ConfigMap",
			"version": "v1",
		},
		"namespace": "default",
		"oldObject": {
			"apiVersion": "v1",
			"data": {
				"config": "policy: enabled",
			},
			"kind": "ConfigMap",
			"metadata": {
				"name": "istio-sidecar-injector",
				"namespace": "default",
			},
		},
		"operation": "DELETE",
		"uid": "00000000-0000-0000-0000-000000000000",
		"userInfo": {
			"groups": [
				"system:authenticated",
			],
			"username": "policygen:untrusted-user",
		},
	},
}

test_allows_same_name_other_namespace if {
	msgs := cp002.violations with input as same_name_other_namespace_input
	count(msgs) == 0
}
