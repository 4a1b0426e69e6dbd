package policygen.sc003_test

import data.policygen.sc003

# policygen/checks.py: the check codes SC003 may report.
catalogued_checks := {"digest-under-other-name", "image-under-other-name", "image-unparseable", "init-order-not-approved", "native-sidecar-unapproved", "placement-not-approved", "pod-metadata-malformed", "pod-spec-malformed", "restart-policy-malformed", "status-malformed", "status-unapproved-container"}

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
	msgs := sc003.violations with input as approved_pod_input
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
	msgs := sc003.violations with input as approved_deployment_input
	count(msgs) == 0
}

sidecar_image_renamed_input := {
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
		"name": "sidecar-image-renamed",
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
			{
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "debug",
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

test_denies_sidecar_image_renamed if {
	msgs := sc003.violations with input as sidecar_image_renamed_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

unapproved_native_sidecar_input := {
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
		"name": "unapproved-native-sidecar",
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
			{
				"image": "registry.example.com/tools/shadow:1",
				"name": "shadow",
				"restartPolicy": "Always",
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

test_denies_unapproved_native_sidecar if {
	msgs := sc003.violations with input as unapproved_native_sidecar_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_lists_unapproved_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":null,\"containers\":[\"evil-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-lists-unapproved",
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

test_denies_status_lists_unapproved if {
	msgs := sc003.violations with input as status_lists_unapproved_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

containers_null_input := {
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
		"name": "containers-null",
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
		"initContainers": null,
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_containers_null if {
	msgs := sc003.violations with input as containers_null_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

containers_missing_input := {
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
		"name": "containers-missing",
		"namespace": "checkout",
	},
	"spec": {
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

test_denies_containers_missing if {
	msgs := sc003.violations with input as containers_missing_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

sidecar_as_ephemeral_input := {
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
		"name": "sidecar-as-ephemeral",
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
		"ephemeralContainers": [
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

test_denies_sidecar_as_ephemeral if {
	msgs := sc003.violations with input as sidecar_as_ephemeral_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_escaped_key_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":null,\"contain\\u0065rs\":[\"evil-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-escaped-key",
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

test_denies_status_escaped_key if {
	msgs := sc003.violations with input as status_escaped_key_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_repeated_key_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"containers\": [\"istio-init\"],\"containers\":[\"evil-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-repeated-key",
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

test_denies_status_repeated_key if {
	msgs := sc003.violations with input as status_repeated_key_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_repeated_key_first_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"containers\":[\"evil-proxy\"],\"containers\": [\"istio-init\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-repeated-key-first",
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

test_denies_status_repeated_key_first if {
	msgs := sc003.violations with input as status_repeated_key_first_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_repeated_key_null_last_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"containers\":[\"evil-proxy\"],\"containers\":null}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-repeated-key-null-last",
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

test_denies_status_repeated_key_null_last if {
	msgs := sc003.violations with input as status_repeated_key_null_last_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_key_case_folded_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"containers\": [\"istio-init\"],\"Containers\":[\"evil-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-key-case-folded",
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

test_denies_status_key_case_folded if {
	msgs := sc003.violations with input as status_key_case_folded_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_key_long_s_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"containerſ\":[\"evil-proxy\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-key-long-s",
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

test_denies_status_key_long_s if {
	msgs := sc003.violations with input as status_key_long_s_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_repeated_key_malformed_first_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\":[1],\"initContainers\": [\"istio-init\"]}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-repeated-key-malformed-first",
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

test_denies_status_repeated_key_malformed_first if {
	msgs := sc003.violations with input as status_repeated_key_malformed_first_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_not_json_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"containers\":[\"istio-init\"]",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-not-json",
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

test_denies_status_not_json if {
	msgs := sc003.violations with input as status_not_json_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_null_lists_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"initContainers\": null, \"containers\": null}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-null-lists",
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

test_allows_status_null_lists if {
	msgs := sc003.violations with input as status_null_lists_input
	count(msgs) == 0
}

status_too_long_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\"containers\": [\"istio-init\", \"istio-proxy\", \"istio-validation\"], \"revision\": \"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\"}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-too-long",
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

test_denies_status_too_long if {
	msgs := sc003.violations with input as status_too_long_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

status_spaced_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"inject.istio.io/templates": "sidecar",
			"sidecar.istio.io/interceptionMode": "REDIRECT",
			"sidecar.istio.io/status": "{\n \"containers\": [\n  \"istio-init\",\n  \"istio-proxy\",\n  \"istio-validation\"\n ],\n \"revision\": \"default\",\n \"n\": [\n  1,\n  true,\n  null\n ]\n}",
			"traffic.sidecar.istio.io/excludeInboundPorts": "15020",
		},
		"labels": {
			"app": "shop",
			"istio.io/rev": "default",
		},
		"name": "status-spaced",
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

test_allows_status_spaced if {
	msgs := sc003.violations with input as status_spaced_input
	count(msgs) == 0
}

sidecar_out_of_placement_input := {
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
		"name": "sidecar-out-of-placement",
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
		],
		"initContainers": [
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

test_denies_sidecar_out_of_placement if {
	msgs := sc003.violations with input as sidecar_out_of_placement_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

sidecar_image_renamed_other_port_input := {
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
		"name": "sidecar-image-renamed-other-port",
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
			{
				"image": "registry-1.docker.io:443/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "debug",
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

test_denies_sidecar_image_renamed_other_port if {
	msgs := sc003.violations with input as sidecar_image_renamed_other_port_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

other_host_same_path_ok_input := {
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
		"name": "other-host-same-path-ok",
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
			{
				"image": "elsewhere.example:443/istio/proxyv2",
				"name": "debug",
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

test_allows_other_host_same_path_ok if {
	msgs := sc003.violations with input as other_host_same_path_ok_input
	count(msgs) == 0
}

sidecar_image_renamed_outside_mesh_input := {
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
		"name": "sidecar-image-renamed-outside-mesh",
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
			{
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "debug",
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

sidecar_image_renamed_outside_mesh_namespaces := {
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

test_denies_sidecar_image_renamed_outside_mesh if {
	msgs := sc003.violations with input as sidecar_image_renamed_outside_mesh_input with data.inventory.cluster.v1.Namespace as sidecar_image_renamed_outside_mesh_namespaces
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

sidecar_digest_other_repository_input := {
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
		"name": "sidecar-digest-other-repository",
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
			{
				"image": "mirror.example/copies/p@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "helper",
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

test_denies_sidecar_digest_other_repository if {
	msgs := sc003.violations with input as sidecar_digest_other_repository_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

sidecar_digest_other_repository_outside_mesh_input := {
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
		"name": "sidecar-digest-other-repository-outside-mesh",
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
			{
				"image": "mirror.example/copies/p:1.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "helper",
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

sidecar_digest_other_repository_outside_mesh_namespaces := {
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

test_denies_sidecar_digest_other_repository_outside_mesh if {
	msgs := sc003.violations with input as sidecar_digest_other_repository_outside_mesh_input with data.inventory.cluster.v1.Namespace as sidecar_digest_other_repository_outside_mesh_namespaces
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

other_digest_other_repository_ok_input := {
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
		"name": "other-digest-other-repository-ok",
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
			{
				"image": "mirror.example/copies/p@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
				"name": "helper",
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

test_allows_other_digest_other_repository_ok if {
	msgs := sc003.violations with input as other_digest_other_repository_ok_input
	count(msgs) == 0
}

sidecar_digest_hex_as_tag_ok_input := {
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
		"name": "sidecar-digest-hex-as-tag-ok",
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
			{
				"image": "mirror.example/copies/p:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
				"name": "helper",
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

test_allows_sidecar_digest_hex_as_tag_ok if {
	msgs := sc003.violations with input as sidecar_digest_hex_as_tag_ok_input
	count(msgs) == 0
}

restart_policy_never_input := {
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
		"name": "restart-policy-never",
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
			{
				"image": "registry.example.com/tools/setup:1",
				"name": "setup",
				"restartPolicy": "Never",
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

test_denies_restart_policy_never if {
	msgs := sc003.violations with input as restart_policy_never_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

restart_policy_never_outside_mesh_input := {
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
		"name": "restart-policy-never-outside-mesh",
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
			{
				"image": "registry.example.com/tools/setup:1",
				"name": "setup",
				"restartPolicy": "Never",
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

restart_policy_never_outside_mesh_namespaces := {
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

test_denies_restart_policy_never_outside_mesh if {
	msgs := sc003.violations with input as restart_policy_never_outside_mesh_input with data.inventory.cluster.v1.Namespace as restart_policy_never_outside_mesh_namespaces
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

sidecar_as_plain_init_container_input := {
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
		"name": "sidecar-as-plain-init-container",
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
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_denies_sidecar_as_plain_init_container if {
	msgs := sc003.violations with input as sidecar_as_plain_init_container_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC003"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

sidecar_as_native_init_container_input := {
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
		"name": "sidecar-as-native-init-container",
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
				"restartPolicy": "Always",
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
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

test_allows_sidecar_as_native_init_container if {
	msgs := sc003.violations with input as sidecar_as_native_init_container_input
	count(msgs) == 0
}

sidecar_as_plain_init_container_outside_mesh_input := {
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
		"name": "sidecar-as-plain-init-container-outside-mesh",
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
		"volumes": [
			{
				"emptyDir": {},
				"name": "credential-socket",
			},
		],
	},
}

sidecar_as_plain_init_container_outside_mesh_namespaces := {
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

test_allows_sidecar_as_plain_init_container_outside_mesh if {
	msgs := sc003.violations with input as sidecar_as_plain_init_container_outside_mesh_input with data.inventory.cluster.v1.Namespace as sidecar_as_plain_init_container_outside_mesh_namespaces
	count(msgs) == 0
}

native_sidecar_outside_mesh_input := {
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
		"name": "native-sidecar-outside-mesh",
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
			{
				"image": "registry.example.com/tools/shadow:1",
				"name": "shadow",
				"restartPolicy": "Always",
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

native_sidecar_outside_mesh_namespaces := {
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

test_allows_native_sidecar_outside_mesh if {
	msgs := sc003.violations with input as native_sidecar_outside_mesh_input with data.inventory.cluster.v1.Namespace as native_sidecar_outside_mesh_namespaces
	count(msgs) == 0
}
