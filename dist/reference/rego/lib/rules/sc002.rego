package lib.policygen.rules.sc002

import data.lib.policygen.images
import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A sidecar image lacks a required digest, has an unapproved digest, or a forbidden tag.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	some entry in pods.containers(pod.spec)
	entry.name in params.sidecarNames
	ref := images.parse(entry.container.image)
	some msg in problems(entry, ref, params)
}

problems(entry, ref, params) := (({msg |
	params.requireDigest
	ref.digest == ""
	msg := {"check": "digest-missing", "detail": sprintf("%s: image %s has no digest; approved images are pinned by digest", [pods.where(entry), review.quote(entry.container.image)])}
} | {msg |
	ref.digest != ""
	count(params.digests) > 0
	not ref.digest in params.digests
	msg := {"check": "digest-not-approved", "detail": sprintf("%s: digest %s is not an approved digest", [pods.where(entry), review.quote(ref.digest)])}
}) | {msg |
	ref.digest != ""
	count(params.digests) == 0
	not ref.verified_digest
	msg := {"check": "digest-unverifiable", "detail": sprintf("%s: digest %s is not a sha256 or sha512 digest a runtime can verify", [pods.where(entry), review.quote(ref.digest)])}
}) | {msg |
	tag := effective_tag(ref)
	tag in params.forbiddenTags
	msg := {"check": "tag-forbidden", "detail": sprintf("%s: tag %s is forbidden", [pods.where(entry), review.quote(tag)])}
}

# A reference with neither tag nor digest is pulled as tag latest.
effective_tag(ref) := ref.tag if {
	ref.tag != ""
} else := "latest" if {
	ref.digest == ""
} else := ""
