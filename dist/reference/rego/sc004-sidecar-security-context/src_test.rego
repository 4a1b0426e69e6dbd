package policygen.sc004_test

import data.policygen.sc004

# policygen/checks.py: the check codes SC004 may report.
catalogued_checks := {"capabilities-malformed", "capability-added", "capability-not-dropped", "field-mismatch"}

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
	msgs := sc004.violations with input as approved_pod_input
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
	msgs := sc004.violations with input as approved_deployment_input
	count(msgs) == 0
}

privileged_changed_input := {
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
		"name": "privileged-changed",
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
					"privileged": true,
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

test_denies_privileged_changed if {
	msgs := sc004.violations with input as privileged_changed_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

no_security_context_input := {
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
		"name": "no-security-context",
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

test_denies_no_security_context if {
	msgs := sc004.violations with input as no_security_context_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

adds_sys_admin_input := {
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
		"name": "adds-sys-admin",
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
							"SYS_ADMIN",
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

test_denies_adds_sys_admin if {
	msgs := sc004.violations with input as adds_sys_admin_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

drop_spelled_lowercase_input := {
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
		"name": "drop-spelled-lowercase",
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
							"all",
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

test_allows_drop_spelled_lowercase if {
	msgs := sc004.violations with input as drop_spelled_lowercase_input
	count(msgs) == 0
}

drop_spelled_with_cap_prefix_input := {
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
		"name": "drop-spelled-with-cap-prefix",
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
							"cap_all",
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

test_denies_drop_spelled_with_cap_prefix if {
	msgs := sc004.violations with input as drop_spelled_with_cap_prefix_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC004"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

privileged_left_to_default_input := {
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
		"name": "privileged-left-to-default",
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

test_allows_privileged_left_to_default if {
	msgs := sc004.violations with input as privileged_left_to_default_input
	count(msgs) == 0
}

no_security_context_outside_mesh_input := {
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
		"name": "no-security-context-outside-mesh",
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

no_security_context_outside_mesh_namespaces := {
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

test_allows_no_security_context_outside_mesh if {
	msgs := sc004.violations with input as no_security_context_outside_mesh_input with data.inventory.cluster.v1.Namespace as no_security_context_outside_mesh_namespaces
	count(msgs) == 0
}
