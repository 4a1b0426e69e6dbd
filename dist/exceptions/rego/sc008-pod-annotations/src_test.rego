package policygen.sc008_test

import data.policygen.sc008

# policygen/checks.py: the check codes SC008 may report.
catalogued_checks := {"annotation-forbidden", "annotation-value"}

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
	msgs := sc008.violations with input as approved_pod_input
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
	msgs := sc008.violations with input as approved_deployment_input
	count(msgs) == 0
}

forbidden_annotation_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"sidecar.istio.io/bootstrapOverride": "evil",
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "forbidden-annotation",
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

test_denies_forbidden_annotation if {
	msgs := sc008.violations with input as forbidden_annotation_input
	count(msgs) > 0
	every msg in msgs {
		msg.rule == "SC008"
		msg.check in catalogued_checks
		startswith(msg.msg, concat("", [msg.rule, "/", msg.check, " "]))
	}
}

forbidden_annotation_outside_mesh_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"sidecar.istio.io/bootstrapOverride": "evil",
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "forbidden-annotation-outside-mesh",
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

forbidden_annotation_outside_mesh_namespaces := {
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

test_allows_forbidden_annotation_outside_mesh if {
	msgs := sc008.violations with input as forbidden_annotation_outside_mesh_input with data.inventory.cluster.v1.Namespace as forbidden_annotation_outside_mesh_namespaces
	count(msgs) == 0
}

unrelated_annotation_input := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {
		"annotations": {
			"example.com/owner": "shop",
			"sidecar.istio.io/status": "{\"initContainers\":[],\"containers\":[\"istio-proxy\"]}",
		},
		"labels": {
			"app": "shop",
		},
		"name": "unrelated-annotation",
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

test_allows_unrelated_annotation if {
	msgs := sc008.violations with input as unrelated_annotation_input
	count(msgs) == 0
}
