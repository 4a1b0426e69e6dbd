package lib.policygen.rules.sc006

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A sidecar mounts an unapproved volume or a hostPath volume.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod(rev, params.scope, namespaces)
	some entry in pods.containers(pod.spec)
	some approved in params.sidecars
	approved.name == entry.name
	some msg in problems(pod.spec, entry, approved)
}

problems(spec, entry, approved) := ((({msg |
	some i, mount in mounts(entry.container)

	# null for a mount that is no object or has no name: a bare mount.name would be undefined, and
	# OPA binds it outside the `not`, so the mount would pass unseen.
	not pods.name_of(mount) in approved.allowed
	msg := {"check": "mount-not-approved", "detail": sprintf("%s: volumeMounts[%d] mounts %s, approved: [%s]", [
		pods.where(entry), i, review.quote(pods.name_of(mount)), concat(", ", approved.allowed),
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
	some i, device in devices(entry.container)
	not pods.name_of(device) in approved.allowed
	msg := {"check": "mount-not-approved", "detail": sprintf("%s: volumeDevices[%d] gives it volume %s, approved: [%s]", [
		pods.where(entry), i, review.quote(pods.name_of(device)), concat(", ", approved.allowed),
	])}
} | {msg |
	not devices(entry.container)
	msg := {"check": "mounts-malformed", "detail": sprintf("%s: volumeDevices is not a list", [pods.where(entry)])}
})) | {msg |
	# A volume list the API server would reject could hide a hostPath volume.
	not volumes_readable(spec)
	msg := review.finding("mounts-malformed", sprintf("%s: the pod's volumes are not a list of named volumes", [pods.where(entry)]))
}

# Every volume named by a string: written as no counterexample, which OPA evaluates for about
# half the cost of `every` per volume. The list is bound first: volumes that are no list have none,
# and `not` of a call on an undefined argument would be true.
volumes_readable(spec) if {
	volumes := pods.array_at(spec, "volumes")
	not some_unnamed(volumes)
}

some_unnamed(volumes) if {
	some volume in volumes

	# null for a volume that is no object: a bare volume.name would be undefined, and OPA binds it
	# outside the `not`, so the volume would pass unseen.
	not is_string(pods.name_of(volume))
}

# Named once per pod, not once per mount.
host_path_volumes(spec) := {volume.name |
	some volume in pods.array_at(spec, "volumes")
	is_object(volume)
	object.get(volume, "hostPath", null) != null
}

mounts(container) := pods.array_at(container, "volumeMounts")

devices(container) := pods.array_at(container, "volumeDevices")
