package lib.policygen.rules.sc010

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: An app container runs as the proxy's identity, adds a forbidden capability, or is privileged.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	some entry in pods.containers(pod.spec)
	not entry.name in params.sidecarNames
	some msg in problems(pod.spec, entry, params)
}

# Every check's set written here, not in a function of its own: a call costs each container about 30
# allocations a decision (OPA stores every call's value).
problems(spec, entry, params) := set() if {
	# The usual app container, cleared in one body without the calls below (about 50 allocations a
	# decision each): securityContexts that are objects or absent, setting no capabilities, no
	# privilege and no user or group. Whatever this body does not clear, the checks below judge.
	sc := object.get(entry.container, "securityContext", {})
	is_object(sc)
	pod_sc := object.get(spec, "securityContext", {})
	is_object(pod_sc)
	object.get(sc, "capabilities", null) == null
	object.get(sc, "privileged", null) in {false, null}
	object.get(sc, "runAsUser", null) == null
	object.get(sc, "runAsGroup", null) == null
	object.get(pod_sc, "runAsUser", null) == null
	object.get(pod_sc, "runAsGroup", null) == null

	# Without an identity of its own it runs as its image's user, which requireDeclaredIdentity refuses.
	params.requireDeclaredIdentity == false

	# The pod's groups and the container's mounts are read by the checks below only when the options ask.
	params.forbidSupplementalGroups == false
	count(params.forbiddenVolumes) == 0
} else := ((((({msg |
	some key, forbidden in {"runAsUser": params.forbiddenRunAsUsers, "runAsGroup": params.forbiddenRunAsGroups}
	count(forbidden) > 0
	value := effective(spec, entry.container, key)
	not allowed_id(value, forbidden)
	msg := {"check": "run-as-forbidden", "detail": sprintf("%s: effective %s is %s, which is forbidden for app containers (%s)", [
		pods.where(entry), key, review.quote(value), review.listed(forbidden),
	])}
} | {msg |
	some cap in pods.array_at(pods.security_context(entry.container), ["capabilities", "add"])
	forbidden_capability(pods.capability(cap), params.forbiddenCapabilities)
	msg := {"check": "capability-forbidden", "detail": sprintf("%s: securityContext.capabilities.add has %s, forbidden for app containers", [pods.where(entry), review.quote(cap)])}
}) | {msg |
	params.forbidPrivileged
	not object.get(pods.security_context(entry.container), "privileged", null) in {false, null}
	msg := {"check": "privileged", "detail": sprintf("%s: securityContext.privileged is %s", [
		pods.where(entry), review.quote(pods.security_context(entry.container).privileged),
	])}
}) | {msg |
	params.requireDeclaredIdentity
	some key in ["runAsUser", "runAsGroup"]
	not declared(spec, entry.container, key)
	msg := {"check": "identity-undeclared", "detail": sprintf("%s: no %s is declared on the container or the pod, so it runs as its image's, which may be the proxy's", [pods.where(entry), key])}
}) | {msg |
	params.forbidSupplementalGroups
	some found in forbidden_memberships(pods.security_context(spec), params.forbiddenRunAsGroups)
	msg := {"check": "supplemental-group-forbidden", "detail": sprintf("%s: pod securityContext.%s gives it group %s, forbidden for app containers (%s)", [
		pods.where(entry), found[0], review.quote(found[1]), review.listed(params.forbiddenRunAsGroups),
	])}
}) | {msg |
	count(params.forbiddenVolumes) > 0
	not mounts_allowed(entry.container, params.forbiddenVolumes)
	msg := {"check": "volume-forbidden", "detail": sprintf("%s: volumeMounts %s mount a volume reserved for the sidecars (%s), or are not a list of named mounts", [
		pods.where(entry), review.quote(object.get(entry.container, "volumeMounts", null)), review.listed(params.forbiddenVolumes),
	])}
}) | (({msg |
	# A securityContext or capabilities.add the API server would reject hides what the rules read.
	some owner in [{"what": "securityContext", "obj": entry.container}, {"what": "pod securityContext", "obj": spec}]
	sc := object.get(owner.obj, "securityContext", null)
	sc != null
	not is_object(sc)
	msg := review.finding("security-context-malformed", sprintf("%s: %s is %s, not an object", [pods.where(entry), owner.what, type_name(sc)]))
} | {msg |
	caps := object.get(pods.security_context(entry.container), "capabilities", null)
	caps != null
	not is_object(caps)
	msg := review.finding("security-context-malformed", sprintf("%s: securityContext.capabilities is %s, not an object", [pods.where(entry), type_name(caps)]))
}) | {msg |
	add := object.get(pods.security_context(entry.container), ["capabilities", "add"], null)
	not strings_or_null(add)
	msg := review.finding("security-context-malformed", sprintf("%s: securityContext.capabilities.add is not a list of strings", [pods.where(entry)]))
})

# The container's value wins; the pod's applies when the container sets none.
effective(spec, container, key) := value if {
	value := pods.security_context(container)[key]
	value != null
} else := value if {
	value := pods.security_context(spec)[key]
	value != null
}

# A UID or GID the API server accepts, declared by the container or its pod.
declared(spec, container, key) if allowed_id(effective(spec, container, key), [])

# A UID or GID the API server accepts: a whole number from 0 to 2^31-1.
allowed_id(value, forbidden) if {
	is_number(value)
	floor(value) == value
	value >= 0
	value <= 2147483647
	not value in forbidden
}

strings_or_null(null)

strings_or_null(value) if {
	is_array(value)
	not pods.some_not_string(value)
}

forbidden_capability(cap, forbidden) if cap in forbidden

# ALL adds every capability, so every forbidden one too.
forbidden_capability("ALL", forbidden) if count(forbidden) > 0

# A name no runtime reads (null) may be any capability: forbidden whenever some are.
forbidden_capability(null, forbidden) if count(forbidden) > 0

# Each group the pod's securityContext adds to every container that is forbidden or no GID the API
# server accepts, with the field that adds it; a supplementalGroups that is no list stands for itself.
forbidden_memberships(pod_sc, forbidden) := ({["fsGroup", value] |
	value := object.get(pod_sc, "fsGroup", null)
	value != null
	not allowed_id(value, forbidden)
} | {["supplementalGroups", groups] |
	groups := object.get(pod_sc, "supplementalGroups", null)
	groups != null
	not is_array(groups)
}) | {["supplementalGroups", value] |
	some value in pods.array_at(pod_sc, "supplementalGroups")
	not allowed_id(value, forbidden)
}

# Every mount a mapping named by a string, and none of the forbidden volumes; absent or null is none.
mounts_allowed(container, forbidden) if {
	mounts := pods.array_at(container, "volumeMounts")
	count([1 | some mount in mounts; is_string(mount.name); not mount.name in forbidden]) == count(mounts)
}
