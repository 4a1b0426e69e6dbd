package policygen.cp003_test

import data.policygen.cp003

# policygen/checks.py: the check codes CP003 may report.
catalogued_checks := {"mesh-wide-not-strict", "mesh-wide-removed", "mtls-weakened", "peer-authentication-malformed"}

mesh_wide_strict_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "istio-system",
	},
	"spec": {
		"mtls": {
			"mode": "STRICT",
		},
	},
}

test_allows_mesh_wide_strict if {
	msgs := cp003.violations with input as mesh_wide_strict_input
	count(msgs) == 0
}

mesh_wide_unset_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "istio-system",
	},
	"spec": {
		"mtls": {
			"mode": "UNSET",
		},
	},
}

test_denies_mesh_wide_unset if {
	msgs := cp003.violations with input as mesh_wide_unset_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

workload_unset_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "shop",
	},
	"spec": {
		"mtls": {
			"mode": "UNSET",
		},
		"selector": {
			"matchLabels": {
				"app": "shop",
			},
		},
	},
}

test_allows_workload_unset if {
	msgs := cp003.violations with input as workload_unset_input
	count(msgs) == 0
}

permissive_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "shop",
	},
	"spec": {
		"mtls": {
			"mode": "PERMISSIVE",
		},
	},
}

test_denies_permissive if {
	msgs := cp003.violations with input as permissive_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

permissive_lowercase_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "shop",
	},
	"spec": {
		"mtls": {
			"mode": "permissive",
		},
		"selector": {
			"matchLabels": {
				"app": "shop",
			},
		},
	},
}

test_denies_permissive_lowercase if {
	msgs := cp003.violations with input as permissive_lowercase_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

workload_without_mtls_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "shop",
	},
	"spec": {
		"selector": {
			"matchLabels": {
				"app": "shop",
			},
		},
	},
}

test_allows_workload_without_mtls if {
	msgs := cp003.violations with input as workload_without_mtls_input
	count(msgs) == 0
}

port_disable_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "shop",
	},
	"spec": {
		"mtls": {
			"mode": "STRICT",
		},
		"portLevelMtls": {
			"8080": {
				"mode": "DISABLE",
			},
		},
		"selector": {
			"matchLabels": {
				"app": "shop",
			},
		},
	},
}

test_denies_port_disable if {
	msgs := cp003.violations with input as port_disable_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

port_null_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "shop",
	},
	"spec": {
		"mtls": {
			"mode": "STRICT",
		},
		"portLevelMtls": {
			"8080": null,
		},
		"selector": {
			"matchLabels": {
				"app": "shop",
			},
		},
	},
}

test_allows_port_null if {
	msgs := cp003.violations with input as port_null_input
	count(msgs) == 0
}

mesh_wide_delete_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "security.istio.io",
			"kind": "PeerAuthentication",
			"version": "v1",
		},
		"namespace": "istio-system",
		"oldObject": {
			"apiVersion": "security.istio.io/v1",
			"kind": "PeerAuthentication",
			"metadata": {
				"name": "default",
				"namespace": "istio-system",
			},
			"spec": {
				"mtls": {
					"mode": "STRICT",
				},
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

test_denies_mesh_wide_delete if {
	msgs := cp003.violations with input as mesh_wide_delete_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

mesh_wide_narrowed_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "security.istio.io",
			"kind": "PeerAuthentication",
			"version": "v1",
		},
		"namespace": "istio-system",
		"object": {
			"apiVersion": "security.istio.io/v1",
			"kind": "PeerAuthentication",
			"metadata": {
				"name": "default",
				"namespace": "istio-system",
			},
			"spec": {
				"mtls": {
					"mode": "STRICT",
				},
				"selector": {
					"matchLabels": {
						"app": "gateway",
					},
				},
			},
		},
		"oldObject": {
			"apiVersion": "security.istio.io/v1",
			"kind": "PeerAuthentication",
			"metadata": {
				"name": "default",
				"namespace": "istio-system",
			},
			"spec": {
				"mtls": {
					"mode": "STRICT",
				},
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

test_denies_mesh_wide_narrowed if {
	msgs := cp003.violations with input as mesh_wide_narrowed_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

mesh_wide_kept_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "security.istio.io",
			"kind": "PeerAuthentication",
			"version": "v1",
		},
		"namespace": "istio-system",
		"object": {
			"apiVersion": "security.istio.io/v1",
			"kind": "PeerAuthentication",
			"metadata": {
				"name": "default",
				"namespace": "istio-system",
			},
			"spec": {
				"mtls": {
					"mode": "STRICT",
				},
			},
		},
		"oldObject": {
			"apiVersion": "security.istio.io/v1",
			"kind": "PeerAuthentication",
			"metadata": {
				"name": "default",
				"namespace": "istio-system",
			},
			"spec": {
				"mtls": {
					"mode": "STRICT",
				},
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

test_allows_mesh_wide_kept if {
	msgs := cp003.violations with input as mesh_wide_kept_input
	count(msgs) == 0
}

workload_delete_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "security.istio.io",
			"kind": "PeerAuthentication",
			"version": "v1",
		},
		"namespace": "shop",
		"oldObject": {
			"apiVersion": "security.istio.io/v1",
			"kind": "PeerAuthentication",
			"metadata": {
				"name": "default",
				"namespace": "shop",
			},
			"spec": {
				"mtls": {
					"mode": "STRICT",
				},
				"selector": {
					"matchLabels": {
						"app": "shop",
					},
				},
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

test_allows_workload_delete if {
	msgs := cp003.violations with input as workload_delete_input
	count(msgs) == 0
}

mesh_wide_delete_trusted_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "security.istio.io",
			"kind": "PeerAuthentication",
			"version": "v1",
		},
		"namespace": "istio-system",
		"oldObject": {
			"apiVersion": "security.istio.io/v1",
			"kind": "PeerAuthentication",
			"metadata": {
				"name": "default",
				"namespace": "istio-system",
			},
			"spec": {
				"mtls": {
					"mode": "STRICT",
				},
			},
		},
		"operation": "DELETE",
		"uid": "00000000-0000-0000-0000-000000000000",
		"userInfo": {
			"groups": [
				"system:authenticated",
			],
			"username": "system:serviceaccount:istio-system:istio-installer",
		},
	},
}

test_allows_mesh_wide_delete_trusted if {
	msgs := cp003.violations with input as mesh_wide_delete_trusted_input
	count(msgs) == 0
}

mesh_wide_selector_list_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "istio-system",
	},
	"spec": {
		"mtls": {
			"mode": "UNSET",
		},
		"selector": [],
	},
}

test_denies_mesh_wide_selector_list if {
	msgs := cp003.violations with input as mesh_wide_selector_list_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

mesh_wide_match_labels_list_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "istio-system",
	},
	"spec": {
		"mtls": {
			"mode": "UNSET",
		},
		"selector": {
			"matchLabels": [],
		},
	},
}

test_denies_mesh_wide_match_labels_list if {
	msgs := cp003.violations with input as mesh_wide_match_labels_list_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

mesh_wide_match_labels_string_input := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {
		"name": "default",
		"namespace": "istio-system",
	},
	"spec": {
		"mtls": {
			"mode": "UNSET",
		},
		"selector": {
			"matchLabels": "",
		},
	},
}

test_denies_mesh_wide_match_labels_string if {
	msgs := cp003.violations with input as mesh_wide_match_labels_string_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}
