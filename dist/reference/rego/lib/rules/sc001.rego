package lib.policygen.rules.sc001

import data.lib.policygen.images
import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A sidecar runs an image that does not parse or is from an unapproved repository.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	some entry in pods.containers(pod.spec)
	entry.name in params.sidecarNames
	msg := problem(entry, params.repositories)
}

problem(entry, approved) := {"check": "image-unparseable", "detail": sprintf("%s: image %s does not parse as an image reference", [pods.where(entry), review.quote(image)])} if {
	image := object.get(entry.container, "image", null)
	not images.parse(image)
} else := {"check": "repository-not-approved", "detail": sprintf("%s: image %s is from repository %s, approved: %s", [
	pods.where(entry), review.quote(entry.container.image), review.quote(repository), review.listed(approved),
])} if {
	repository := images.repository(entry.container.image)
	not repository in approved
}
