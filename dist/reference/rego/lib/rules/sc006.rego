package lib.policygen.rules.sc006

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A sidecar mounts an unapproved volume or a hostPath volume.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	some entry in pods.containers(pod.spec)
	some approved in params.sidecars
	approved.name == entry.name
	some msg in problems(pod.spec, entry, approved)
}

problems(spec, entry, approved) := set() if {
	# The usual sidecar, cleared in one pass over its mounts (about 80 allocations a decision less):
	# each mount a volume of an approved name, no devices, no hostPath volume in the pod, and the
	# pod's volumes readable. Whatever this body does not clear, the checks below judge, as they
	# judge every sidecar for which the spec names volume sources.
	approved.sources == []
	approved.paths == []
	c := entry.container
	mounts := object.get(c, "volumeMounts", [])
	is_array(mounts)
	count([1 | some mount in mounts; mount.name in approved.allowed]) == count(mounts)
	object.get(c, "volumeDevices", null) == null
	count(host_path_volumes(spec)) == 0
	volumes_readable(spec)
} else := (((({msg |
	list := mounts(entry.container)
	some i in unapproved(list, approved.allowed)
	mount := list[i]
	not token_mount(mount, spec)
	msg := {"check": "mount-not-approved", "detail": sprintf("%s: volumeMounts[%d] mounts %s, approved: [%s]", [
		pods.where(entry), i, review.quote(pods.name_of(mount)), review.listed(approved.allowed),
	])}
} | {msg |
	host_paths := host_path_volumes(spec)
	count(host_paths) > 0
	some i, mount in mounts(entry.container)
	mount.name in host_paths
	msg := {"check": "mount-hostpath", "detail": sprintf("%s: volumeMounts[%d] mounts hostPath volume %s", [pods.where(entry), i, review.quote(mount.name)])}
}) | {msg |
	not mounts(entry.container)
	msg := {"check": "mounts-malformed", "detail": sprintf("%s: volumeMounts is not a list", [pods.where(entry)])}
}) | ({msg |
	# A raw block device is a volume too, given without a mount.
	list := devices(entry.container)
	some i in unapproved(list, approved.allowed)
	device := list[i]
	msg := {"check": "mount-not-approved", "detail": sprintf("%s: volumeDevices[%d] gives it volume %s, approved: [%s]", [
		pods.where(entry), i, review.quote(pods.name_of(device)), review.listed(approved.allowed),
	])}
} | {msg |
	not devices(entry.container)
	msg := {"check": "mounts-malformed", "detail": sprintf("%s: volumeDevices is not a list", [pods.where(entry)])}
})) | ({msg |
	# Each volume of a name the spec gives sources for, that the sidecar mounts or takes as a raw block
	# device: one source, an approved one.
	some want in approved.sources
	want.name in ({name | some mount in mounts(entry.container); name := object.get(mount, "name", null)} | {name |
		some device in devices(entry.container)
		name := object.get(device, "name", null)
	})
	some volume in pods.array_at(spec, "volumes")
	object.get(volume, "name", null) == want.name
	kinds := volume_kinds(volume)
	not one_of(kinds, want.sources)
	msg := {"check": "volume-source-not-approved", "detail": sprintf("%s: uses volume %s of source %s, approved: [%s]", [
		pods.where(entry), review.quote(want.name), review.listed(sort(kinds)), review.listed(want.sources),
	])}
} | {msg |
	# A volume list the API server would reject could hide a hostPath volume.
	not volumes_readable(spec)
	msg := review.finding("mounts-malformed", sprintf("%s: the pod's volumes are not a list of named volumes", [pods.where(entry)]))
})) | {msg |
	# Each mount, and each raw block device, of a volume the spec gives paths for: at one of them.
	some want in approved.paths
	some field, key in {"volumeMounts": "mountPath", "volumeDevices": "devicePath"}
	some i, mount in pods.array_at(entry.container, field)
	is_object(mount)
	object.get(mount, "name", null) == want.name
	path := object.get(mount, key, null)
	not path in want.paths
	msg := {"check": "mount-path-not-approved", "detail": sprintf("%s: %s[%d] puts volume %s at %s, approved: [%s]", [
		pods.where(entry), field, i, review.quote(want.name), review.quote(path), review.listed(want.paths),
	])}
}

# A volume's source fields; none is emptyDir, as the API server defaults it. A null field is none (JSON decoding drops it).
volume_kinds(volume) := kinds if {
	kinds := {key | some key, value in volume; key != "name"; value != null}
	count(kinds) > 0
} else := {"emptyDir"}

one_of(kinds, allowed) if {
	count(kinds) == 1
	some kind in kinds
	kind in allowed
}

# Volumes that are no list are not readable either: array_at is undefined for them.
volumes_readable(spec) if pods.all_named(pods.array_at(spec, "volumes"))

# The indexes of a mount or device list whose member's name is not approved. The approved ones are
# gathered first: a bare mount.name is undefined for a member that is no object or has no name, and
# OPA binds it outside a `not`, so `not mount.name in allowed` would pass it unseen; a call per
# member that reads it as null costs about twice as much.
unapproved(list, allowed) := {i |
	approved := {j | some j, item in list; item.name in allowed}
	some i, _ in list
	not i in approved
}

# Named once per pod, not once per mount.
host_path_volumes(spec) := {volume.name |
	some volume in pods.array_at(spec, "volumes")
	is_object(volume)
	object.get(volume, "hostPath", null) != null
}

mounts(container) := pods.array_at(container, "volumeMounts")

devices(container) := pods.array_at(container, "volumeDevices")

# METADATA
# description: >-
#   The mount of the pod's API token that the ServiceAccount admission plugin gives every container,
#   exactly as it writes it. The API server runs that plugin again after the injector's webhook has
#   changed the pod (admission reinvocation), so in a cluster every injected sidecar carries it, under
#   a volume name with a random suffix that volumeMounts.allowed cannot list. Approved only field for
#   field as the plugin writes it (OpenShift's adds its service CA): a volume whose projection puts
#   other content under those file names, or under that name twice, is judged as any other.
token_mount(mount, spec) if {
	object.keys(mount) == {"name", "mountPath", "readOnly"}
	mount.mountPath == token_mount_path
	mount.readOnly == true
	mount.name in token_volumes(spec)
}

token_mount_path := "/var/run/secrets/kubernetes.io/serviceaccount"

# Named once per pod, not once per mount.
token_volumes(spec) := {volume.name |
	volumes := pods.array_at(spec, "volumes")
	some volume in volumes
	is_object(volume)
	is_string(volume.name)
	startswith(volume.name, "kube-api-access-")
	object.keys(volume) == {"name", "projected"}
	count([1 | some other in volumes; pods.name_of(other) == volume.name]) == 1
	token_projection(volume.projected)
}

token_projection(projected) if {
	is_object(projected)
	object.get(projected, "defaultMode", null) in {null, 420}
	object.keys(object.remove(projected, ["defaultMode"])) == {"sources"}
	token_sources(projected.sources)
}

# The plugin's three sources, in its order; OpenShift's adds a fourth, its service CA.
token_sources(sources) if sources == [
	{"serviceAccountToken": {"expirationSeconds": sources[0].serviceAccountToken.expirationSeconds, "path": "token"}},
	token_ca_source,
	token_namespace_source,
]

token_sources(sources) if sources == [
	{"serviceAccountToken": {"expirationSeconds": sources[0].serviceAccountToken.expirationSeconds, "path": "token"}},
	token_ca_source,
	token_namespace_source,
	{"configMap": {"name": "openshift-service-ca.crt", "items": [{"key": "service-ca.crt", "path": "service-ca.crt"}]}},
]

token_ca_source := {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}

token_namespace_source := {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
