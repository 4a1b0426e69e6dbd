package policygen.sc001_test

import data.policygen.sc001

# policygen/checks.py: the check codes SC001 may report.
catalogued_checks := {"image-unparseable", "repository-not-approved"}

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
	msgs := sc001.violations with input as approved_pod_input
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
	msgs := sc001.violations with input as approved_deployment_input
	count(msgs) == 0
}

lookalike_registry_input := {
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
		"name": "lookalike-registry",
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
				"image": "docker.io.evil.example/istio/proxyv2@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
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

test_denies_lookalike_registry if {
	msgs := sc001.violations with input as lookalike_registry_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

registry_as_path_input := {
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
		"name": "registry-as-path",
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
				"image": "evil.example/docker.io/istio/proxyv2@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
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

test_denies_registry_as_path if {
	msgs := sc001.violations with input as registry_as_path_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

unparseable_image_input := {
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
		"name": "unparseable-image",
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
				"image": "Not An Image",
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

test_denies_unparseable_image if {
	msgs := sc001.violations with input as unparseable_image_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

longer_repository_input := {
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
		"name": "longer-repository",
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
				"image": "docker.io/istio/proxyv2-debug@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
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

test_denies_longer_repository if {
	msgs := sc001.violations with input as longer_repository_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

digest_cut_short_input := {
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
		"name": "digest-cut-short",
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
				"image": "docker.io/istio/proxyv2@sha256",
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

test_denies_digest_cut_short if {
	msgs := sc001.violations with input as digest_cut_short_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC001"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

alias_registry_input := {
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
		"name": "alias-registry",
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
				"image": "index.docker.io/istio/proxyv2:1.0@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
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

test_allows_alias_registry if {
	msgs := sc001.violations with input as alias_registry_input
	count(msgs) == 0
}

lookalike_outside_mesh_input := {
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
		"name": "lookalike-outside-mesh",
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
				"image": "docker.io.evil.example/istio/proxyv2@sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b",
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

lookalike_outside_mesh_namespaces := {
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

test_allows_lookalike_outside_mesh if {
	msgs := sc001.violations with input as lookalike_outside_mesh_input with data.inventory.cluster.v1.Namespace as lookalike_outside_mesh_namespaces
	count(msgs) == 0
}
