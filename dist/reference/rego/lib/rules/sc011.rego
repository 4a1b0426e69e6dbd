package lib.policygen.rules.sc011

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A mesh pod shares a host namespace or its process namespace, or lets an ephemeral container into a sidecar's.
violations(rev, params, namespaces) := ({msg |
	some field in params.forbiddenFields
	not object.get(pod.spec, field, null) in {false, null}
	msg := {"check": "host-namespace", "detail": sprintf("pod spec: %s is %s, forbidden in a mesh namespace", [field, review.quote(pod.spec[field])])}
} | process_targets(pod.spec, params)) | {msg |
	params.forbidCustomNameResolution == true
	some problem in name_resolution(pod.spec)
	msg := review.finding("custom-name-resolution", sprintf("pod spec: %s, forbidden in a mesh namespace", [problem]))
} if {
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
} else := set()

# METADATA
# description: >-
#   kubectl debug --target puts an ephemeral container in the target's process namespace: aimed at a
#   sidecar, it reads the proxy's memory and keys through /proc, as shareProcessNamespace would let it.
#   Only ephemeral containers have a target, and Kubernetes matches its name exactly. The plan gives
#   sidecarNames only while shareProcessNamespace is forbidden; without them nothing is compared.
process_targets(spec, params) := set() if {
	# Most pods have no ephemeral containers: this costs them a lookup rather than a walk.
	not spec.ephemeralContainers
} else := {msg |
	some i, container in pods.array_at(spec, "ephemeralContainers")
	is_object(container)
	target := object.get(container, "targetContainerName", null)
	msg := process_target({"field": "ephemeralContainers", "index": i, "name": object.get(container, "name", "")}, target, params.sidecarNames)
}

process_target(entry, target, sidecars) := review.finding("sidecar-process-target", sprintf(
	"%s: targetContainerName is %s, an approved sidecar: its process namespace is shared, forbidden in a mesh namespace",
	[pods.where(entry), review.quote(target)],
)) if {
	target in sidecars
} else := review.finding("sidecar-process-target", sprintf("%s: targetContainerName is %s, not a string", [pods.where(entry), type_name(target)])) if {
	# A target the API server would reject may still be read as a sidecar's name elsewhere: fail closed.
	target != null
	not is_string(target)
}

# The resolvers a pod's author cannot choose: the cluster's (ClusterFirst, the default, which the API
# server also gives "", and ClusterFirstWithHostNet) and the node's (Default). Any other value it refuses.
cluster_dns_policies := {null, "", "ClusterFirst", "ClusterFirstWithHostNet", "Default"}

# METADATA
# description: >-
#   Where the pod resolves names its own way: hostAliases (written into every container's /etc/hosts),
#   dnsPolicy None, or dnsConfig nameservers, which follow the cluster's and get queries under
#   `options: rotate`. Each can point istiod's name, which the proxy asks for its certificate and
#   configuration, at an address of the author's choosing.
name_resolution(spec) := ({sprintf("hostAliases is %s, which points names the proxy resolves elsewhere", [review.quote(spec.hostAliases)]) |
	not object.get(spec, "hostAliases", null) in {null, []}
} | {sprintf("dnsPolicy is %s, which is neither the cluster's resolver nor the node's", [review.quote(spec.dnsPolicy)]) |
	not object.get(spec, "dnsPolicy", null) in cluster_dns_policies
}) | {sprintf("dnsConfig is %s, which sets nameservers the pod would ask", [review.quote(spec.dnsConfig)]) |
	config := object.get(spec, "dnsConfig", null)
	config != null
	not own_nameservers_unset(config)
}

own_nameservers_unset(config) if {
	is_object(config)
	object.get(config, "nameservers", null) in {null, []}
}
