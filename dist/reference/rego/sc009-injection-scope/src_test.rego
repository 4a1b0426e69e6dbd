package policygen.sc009_test

import data.policygen.sc009

# policygen/checks.py: the check codes SC009 may report.
catalogued_checks := {"capture-missing", "inject-opt-out", "revision-not-approved", "sidecar-missing"}

approved_pod_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "approved-pod",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
			{
				"args": [
					"proxy",
					"sidecar",
					"--log_output_level=default:info",
				],
				"env": [
					{
						"name": "CA_ADDR",
						"value": "istiod.istio-system.svc:15012",
					},
					{
						"name": "PILOT_CERT_PROVIDER",
						"value": "istiod",
					},
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-proxy",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "1",
						"memory": "512Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsGroup": 1337,
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
				"volumeMounts": [
					{
						"mountPath": "/etc/istio/proxy",
						"name": "credential-socket",
					},
				],
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_allows_approved_pod if {
	msgs := sc009.violations with input as approved_pod_input
	count(msgs) == 0
}

approved_deployment_input := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {
		"name": "approved-deployment",
		"namespace": "checkout",
	},
	"spec": {
		"selector": {
			"matchLabels": {
				"app": "shop",
			},
		},
		"template": {
			"metadata": {
				"annotations": {
					"inject.istio.io/templates": "sidecar",
					"sidecar.istio.io/interceptionMode": "REDIRECT",
					"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
					"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
				},
				"labels": {
					"app": "shop",
					"istio.io/rev": "default",
				},
			},
			"spec": {
				"containers": [
					{
						"image": "registry.example.com/shop/app:2.1.0",
						"name": "app",
						"securityContext": {
							"runAsGroup": 1000,
							"runAsNonRoot": true,
							"runAsUser": 1000,
						},
					},
					{
						"args": [
							"proxy",
							"sidecar",
							"--log_output_level=default:info",
						],
						"env": [
							{
								"name": "CA_ADDR",
								"value": "istiod.istio-system.svc:15012",
							},
							{
								"name": "PILOT_CERT_PROVIDER",
								"value": "istiod",
							},
						],
						"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
						"name": "istio-proxy",
						"resources": {
							"limits": {
								"cpu": "2",
								"memory": "1Gi",
							},
							"requests": {
								"cpu": "1",
								"memory": "512Mi",
							},
						},
						"securityContext": {
							"allowPrivilegeEscalation": false,
							"capabilities": {
								"add": [],
								"drop": [
									"ALL",
								],
							},
							"privileged": false,
							"readOnlyRootFilesystem": true,
							"runAsGroup": 1337,
							"runAsNonRoot": true,
							"runAsUser": 1337,
						},
						"volumeMounts": [
							{
								"mountPath": "/etc/istio/proxy",
								"name": "credential-socket",
							},
						],
					},
				],
				"initContainers": [
					{
						"args": [
							"istio-iptables",
							"--log_output_level=default:info",
						],
						"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
						"name": "istio-init",
						"resources": {
							"limits": {
								"cpu": "2",
								"memory": "1Gi",
							},
							"requests": {
								"cpu": "100m",
								"memory": "128Mi",
							},
						},
						"securityContext": {
							"allowPrivilegeEscalation": false,
							"capabilities": {
								"add": [
									"NET_ADMIN",
									"NET_RAW",
								],
								"drop": [
									"ALL",
								],
							},
							"privileged": false,
							"runAsUser": 0,
						},
					},
					{
						"args": [
							"istio-iptables",
							"--log_output_level=default:info",
						],
						"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
						"name": "istio-validation",
						"resources": {
							"limits": {
								"cpu": "2",
								"memory": "1Gi",
							},
							"requests": {
								"cpu": "100m",
								"memory": "128Mi",
							},
						},
						"securityContext": {
							"allowPrivilegeEscalation": false,
							"capabilities": {
								"add": [],
								"drop": [
									"ALL",
								],
							},
							"privileged": false,
							"readOnlyRootFilesystem": true,
							"runAsNonRoot": true,
						},
					},
				],
				"volumes": [
					{
						"emptyDir": {},
						"name": "credential-socket",
					},
				],
			},
		},
	},
}

test_allows_approved_deployment if {
	msgs := sc009.violations with input as approved_deployment_input
	count(msgs) == 0
}

inject_true_label_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
			"sidecar.istio.io/inject": "true",
		},
		"name": "inject-true-label",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
			{
				"args": [
					"proxy",
					"sidecar",
					"--log_output_level=default:info",
				],
				"env": [
					{
						"name": "CA_ADDR",
						"value": "istiod.istio-system.svc:15012",
					},
					{
						"name": "PILOT_CERT_PROVIDER",
						"value": "istiod",
					},
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-proxy",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "1",
						"memory": "512Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsGroup": 1337,
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
				"volumeMounts": [
					{
						"mountPath": "/etc/istio/proxy",
						"name": "credential-socket",
					},
				],
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_allows_inject_true_label if {
	msgs := sc009.violations with input as inject_true_label_input
	count(msgs) == 0
}

inject_capital_true_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
			"sidecar.istio.io/inject": "True",
		},
		"name": "inject-capital-true",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
			{
				"args": [
					"proxy",
					"sidecar",
					"--log_output_level=default:info",
				],
				"env": [
					{
						"name": "CA_ADDR",
						"value": "istiod.istio-system.svc:15012",
					},
					{
						"name": "PILOT_CERT_PROVIDER",
						"value": "istiod",
					},
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-proxy",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "1",
						"memory": "512Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsGroup": 1337,
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
				"volumeMounts": [
					{
						"mountPath": "/etc/istio/proxy",
						"name": "credential-socket",
					},
				],
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_inject_capital_true if {
	msgs := sc009.violations with input as inject_capital_true_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC009"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

inject_false_label_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
			"sidecar.istio.io/inject": "false",
		},
		"name": "inject-false-label",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
			{
				"args": [
					"proxy",
					"sidecar",
					"--log_output_level=default:info",
				],
				"env": [
					{
						"name": "CA_ADDR",
						"value": "istiod.istio-system.svc:15012",
					},
					{
						"name": "PILOT_CERT_PROVIDER",
						"value": "istiod",
					},
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-proxy",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "1",
						"memory": "512Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsGroup": 1337,
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
				"volumeMounts": [
					{
						"mountPath": "/etc/istio/proxy",
						"name": "credential-socket",
					},
				],
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_inject_false_label if {
	msgs := sc009.violations with input as inject_false_label_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC009"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

inject_false_annotation_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/inject": "false",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "inject-false-annotation",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
			{
				"args": [
					"proxy",
					"sidecar",
					"--log_output_level=default:info",
				],
				"env": [
					{
						"name": "CA_ADDR",
						"value": "istiod.istio-system.svc:15012",
					},
					{
						"name": "PILOT_CERT_PROVIDER",
						"value": "istiod",
					},
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-proxy",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "1",
						"memory": "512Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsGroup": 1337,
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
				"volumeMounts": [
					{
						"mountPath": "/etc/istio/proxy",
						"name": "credential-socket",
					},
				],
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_inject_false_annotation if {
	msgs := sc009.violations with input as inject_false_annotation_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC009"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

inject_yes_annotation_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/inject": "yes",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "inject-yes-annotation",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
			{
				"args": [
					"proxy",
					"sidecar",
					"--log_output_level=default:info",
				],
				"env": [
					{
						"name": "CA_ADDR",
						"value": "istiod.istio-system.svc:15012",
					},
					{
						"name": "PILOT_CERT_PROVIDER",
						"value": "istiod",
					},
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-proxy",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "1",
						"memory": "512Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsGroup": 1337,
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
				"volumeMounts": [
					{
						"mountPath": "/etc/istio/proxy",
						"name": "credential-socket",
					},
				],
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_inject_yes_annotation if {
	msgs := sc009.violations with input as inject_yes_annotation_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC009"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

unapproved_revision_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "canary-evil",
		},
		"name": "unapproved-revision",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
			{
				"args": [
					"proxy",
					"sidecar",
					"--log_output_level=default:info",
				],
				"env": [
					{
						"name": "CA_ADDR",
						"value": "istiod.istio-system.svc:15012",
					},
					{
						"name": "PILOT_CERT_PROVIDER",
						"value": "istiod",
					},
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-proxy",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "1",
						"memory": "512Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsGroup": 1337,
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
				"volumeMounts": [
					{
						"mountPath": "/etc/istio/proxy",
						"name": "credential-socket",
					},
				],
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_unapproved_revision if {
	msgs := sc009.violations with input as unapproved_revision_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC009"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

no_sidecar_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "no-sidecar",
		"namespace": "checkout",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_no_sidecar if {
	msgs := sc009.violations with input as no_sidecar_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC009"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

no_sidecar_outside_mesh_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
		},
		"name": "no-sidecar-outside-mesh",
		"namespace": "policygen-outside",
	},
	"spec": {
		"containers": [
			{
				"image": "registry.example.com/shop/app:2.1.0",
				"name": "app",
				"securityContext": {
					"runAsGroup": 1000,
					"runAsNonRoot": true,
					"runAsUser": 1000,
				},
			},
		],
		"initContainers": [
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-init",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [
							"NET_ADMIN",
							"NET_RAW",
						],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"runAsUser": 0,
				},
			},
			{
				"args": [
					"istio-iptables",
					"--log_output_level=default:info",
				],
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "istio-validation",
				"resources": {
					"limits": {
						"cpu": "2",
						"memory": "1Gi",
					},
					"requests": {
						"cpu": "100m",
						"memory": "128Mi",
					},
				},
				"securityContext": {
					"allowPrivilegeEscalation": false,
					"capabilities": {
						"add": [],
						"drop": [
							"ALL",
						],
					},
					"privileged": false,
					"readOnlyRootFilesystem": true,
					"runAsNonRoot": true,
				},
			},
		],
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

no_sidecar_outside_mesh_namespaces := {
	"policygen-outside": {
		"apiVersion": "v1",
		"kind": "Namespace",
		"metadata": {
			"labels": {
				"policygen.dev/fixture": "outside",
			},
			"name": "policygen-outside",
		},
	},
}

test_allows_no_sidecar_outside_mesh if {
	msgs := sc009.violations with input as no_sidecar_outside_mesh_input with data.inventory.cluster.v1.Namespace as no_sidecar_outside_mesh_namespaces
	count(msgs) == 0
}

deployment_without_sidecar_input := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {
		"name": "deployment-without-sidecar",
		"namespace": "checkout",
	},
	"spec": {
		"selector": {
			"matchLabels": {
				"app": "shop",
			},
		},
		"template": {
			"metadata": {
				"annotations": {
					"inject.istio.io/templates": "sidecar",
					"sidecar.istio.io/interceptionMode": "REDIRECT",
					"sidecar.istio.io/status": "{\"initContainers\":[\"istio-init\",\"istio-validation\"],\"containers\":[\"istio-proxy\"]}",
					"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
				},
				"labels": {
					"app": "shop",
					"istio.io/rev": "default",
				},
			},
			"spec": {
				"containers": [
					{
						"image": "registry.example.com/shop/app:2.1.0",
						"name": "app",
						"securityContext": {
							"runAsGroup": 1000,
							"runAsNonRoot": true,
							"runAsUser": 1000,
						},
					},
				],
				"initContainers": [
					{
						"args": [
							"istio-iptables",
							"--log_output_level=default:info",
						],
						"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
						"name": "istio-init",
						"resources": {
							"limits": {
								"cpu": "2",
								"memory": "1Gi",
							},
							"requests": {
								"cpu": "100m",
								"memory": "128Mi",
							},
						},
						"securityContext": {
							"allowPrivilegeEscalation": false,
							"capabilities": {
								"add": [
									"NET_ADMIN",
									"NET_RAW",
								],
								"drop": [
									"ALL",
								],
							},
							"privileged": false,
							"runAsUser": 0,
						},
					},
					{
						"args": [
							"istio-iptables",
							"--log_output_level=default:info",
						],
						"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
						"name": "istio-validation",
						"resources": {
							"limits": {
								"cpu": "2",
								"memory": "1Gi",
							},
							"requests": {
								"cpu": "100m",
								"memory": "128Mi",
							},
						},
						"securityContext": {
							"allowPrivilegeEscalation": false,
							"capabilities": {
								"add": [],
								"drop": [
									"ALL",
								],
							},
							"privileged": false,
							"readOnlyRootFilesystem": true,
							"runAsNonRoot": true,
						},
					},
				],
				"volumes": [
					{
						"emptyDir": {},
						"name": "credential-socket",
					},
				],
			},
		},
	},
}

test_allows_deployment_without_sidecar if {
	msgs := sc009.violations with input as deployment_without_sidecar_input
	count(msgs) == 0
}
