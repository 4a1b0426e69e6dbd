package policygen.cp001_test

import data.policygen.cp001

# policygen/checks.py: the check codes CP001 may report.
catalogued_checks := {"injector-failure-policy", "injector-target", "object-malformed", "untrusted-guarded-mutator", "untrusted-pod-mutator", "webhooks-malformed"}

approved_injector_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "istio-revision-tag",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject",
				},
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_allows_approved_injector if {
	msgs := cp001.violations with input as approved_injector_input
	count(msgs) == 0
}

injector_to_url_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "istio-revision-tag",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"url": "https://evil.example/inject",
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_injector_to_url if {
	msgs := cp001.violations with input as injector_to_url_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

injector_other_path_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "istio-revision-tag",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject/evil",
				},
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_injector_other_path if {
	msgs := cp001.violations with input as injector_other_path_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

injector_other_failure_policy_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "istio-revision-tag",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject",
				},
			},
			"failurePolicy": "Ignore",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_injector_other_failure_policy if {
	msgs := cp001.violations with input as injector_other_failure_policy_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

configmap_mutator_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "configmap-mutator",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"url": "https://example.com/mutate",
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"configmaps",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_allows_configmap_mutator if {
	msgs := cp001.violations with input as configmap_mutator_input
	count(msgs) == 0
}

untrusted_pod_mutator_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "shadow-injector",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject",
				},
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_untrusted_pod_mutator if {
	msgs := cp001.violations with input as untrusted_pod_mutator_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

cluster_scoped_mutator_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "cluster-scoped-mutator",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"url": "https://example.com/mutate",
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"*",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"*",
					],
					"scope": "Cluster",
				},
			],
			"sideEffects": "None",
		},
	],
}

test_allows_cluster_scoped_mutator if {
	msgs := cp001.violations with input as cluster_scoped_mutator_input
	count(msgs) == 0
}

namespaced_mutator_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "namespaced-mutator",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"url": "https://example.com/mutate",
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"*",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"*",
					],
					"scope": "Namespaced",
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_namespaced_mutator if {
	msgs := cp001.violations with input as namespaced_mutator_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

pod_mutator_spelled_0_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "shadow-injector-0",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject",
				},
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods/*",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_pod_mutator_spelled_0 if {
	msgs := cp001.violations with input as pod_mutator_spelled_0_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

pod_mutator_spelled_1_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "shadow-injector-1",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject",
				},
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods/",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_pod_mutator_spelled_1 if {
	msgs := cp001.violations with input as pod_mutator_spelled_1_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

pod_mutator_spelled_2_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "shadow-injector-2",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject",
				},
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"*/",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_denies_pod_mutator_spelled_2 if {
	msgs := cp001.violations with input as pod_mutator_spelled_2_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "CP001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

pod_subresource_mutator_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "pod-status-mutator",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"url": "https://example.com/mutate",
			},
			"failurePolicy": "Fail",
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods/status",
						"pods/ephemeralcontainers",
						"pods/*/x",
						"pod",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_allows_pod_subresource_mutator if {
	msgs := cp001.violations with input as pod_subresource_mutator_input
	count(msgs) == 0
}

injector_null_failure_policy_input := {
	"apiVersion": "admissionregistration.k8s.io/v1",
	"kind": "MutatingWebhookConfiguration",
	"metadata": {
		"name": "istio-revision-tag",
	},
	"webhooks": [
		{
			"admissionReviewVersions": [
				"v1",
			],
			"clientConfig": {
				"service": {
					"name": "istiod",
					"namespace": "istio-system",
					"path": "/inject",
				},
			},
			"failurePolicy": null,
			"name": "sidecar-injector.istio.io",
			"rules": [
				{
					"apiGroups": [
						"",
					],
					"apiVersions": [
						"v1",
					],
					"operations": [
						"CREATE",
					],
					"resources": [
						"pods",
					],
				},
			],
			"sideEffects": "None",
		},
	],
}

test_allows_injector_null_failure_policy if {
	msgs := cp001.violations with input as injector_null_failure_policy_input
	count(msgs) == 0
}

trusted_pod_mutator_input := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"request": {
		"kind": {
			"group": "admissionregistration.k8s.io",
			"kind": "MutatingWebhookConfiguration",
			"version": "v1",
		},
		"namespace": "",
		"object": {
			"apiVersion": "admissionregistration.k8s.io/v1",
			"kind": "MutatingWebhookConfiguration",
			"metadata": {
				"name": "shadow-injector",
			},
			"webhooks": [
				{
					"admissionReviewVersions": [
						"v1",
					],
					"clientConfig": {
						"service": {
							"name": "istiod",
							"namespace": "istio-system",
							"path": "/inject",
						},
					},
					"failurePolicy": "Fail",
					"name": "sidecar-injector.istio.io",
					"rules": [
						{
							"apiGroups": [
								"",
							],
							"apiVersions": [
								"v1",
							],
							"operations": [
								"CREATE",
							],
							"resources": [
								"pods",
							],
						},
					],
					"sideEffects": "None",
				},
			],
		},
		"operation": "CREATE",
		"uid": "00000000-0000-0000-0000-000000000000",
		"userInfo": {
			"groups": [
				"system:authenticated",
			],
			"username": "system:serviceaccount:istio-system:istio-installer",
		},
	},
}

test_allows_trusted_pod_mutator if {
	msgs := cp001.violations with input as trusted_pod_mutator_input
	count(msgs) == 0
}
