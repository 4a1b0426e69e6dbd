package policygen.sc001_test

import data.policygen.sc001

# policygen/checks.py: the check codes SC001 may report.
catalogued_checks := {"image-unparseable", "repository-not-approved"}

approved_pod_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "approved-pod",
		"namespace": "payments",
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
				"image": "docker.io/istio/proxyv2:1.0.0@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
		"namespace": "payments",
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
					"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
				},
				"labels": {
					"app": "shop",
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
						"image": "docker.io/istio/proxyv2:1.0.0@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
						"name": "istio-proxy",
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
							"runAsNonRoot": true,
							"runAsUser": 1337,
						},
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
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "lookalike-registry",
		"namespace": "payments",
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
				"image": "docker.io.evil.example/istio/proxyv2@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "registry-as-path",
		"namespace": "payments",
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
				"image": "evil.example/docker.io/istio/proxyv2@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "unparseable-image",
		"namespace": "payments",
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
				"image": "Not An Image",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "longer-repository",
		"namespace": "payments",
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
				"image": "docker.io/istio/proxyv2-debug@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "digest-cut-short",
		"namespace": "payments",
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
				"image": "docker.io/istio/proxyv2@sha256",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "alias-registry",
		"namespace": "payments",
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
				"image": "index.docker.io/istio/proxyv2:1.0@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
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
				"image": "docker.io.evil.example/istio/proxyv2@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
				"name": "istio-proxy",
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
					"runAsNonRoot": true,
					"runAsUser": 1337,
				},
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
