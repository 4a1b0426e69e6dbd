package lib.policygen.rules.cp003

import data.lib.policygen.review

weak_modes := {"PERMISSIVE", "DISABLE"}

# METADATA
# description: A PeerAuthentication weakens mTLS, or the mesh-wide one is not STRICT.
violations(rev, params, _) := {msg |
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind == "PeerAuthentication"
	some problem in problems(obj, review.namespace(rev), params)
	msg := {"check": problem.check, "detail": sprintf("PeerAuthentication %s/%s: %s", [
		review.quote(review.namespace(rev)), review.quote(object.get(obj.metadata, "name", "")), problem.detail,
	])}
}

problems(obj, ns, params) := ({review.violation("mtls-weakened", sprintf("mtls.mode is %s", [review.quote(mode)])) |
	mode := object.get(obj, ["spec", "mtls", "mode"], "")
	upper(mode) in weak_modes
} | {review.violation("mtls-weakened", sprintf("portLevelMtls[%s].mode is %s", [review.quote(port), review.quote(setting.mode)])) |
	some port, setting in object.get(obj, ["spec", "portLevelMtls"], {})
	upper(setting.mode) in weak_modes
}) | {review.violation("mesh-wide-not-strict", sprintf("the mesh-wide policy has mtls.mode %s, approved STRICT", [review.quote(mode)])) |
	ns == params.namespace
	not has_selector(obj)
	mode := object.get(obj, ["spec", "mtls", "mode"], null)
	not strict(mode)
}

strict(mode) if upper(mode) == "STRICT"

has_selector(obj) if {
	labels := obj.spec.selector.matchLabels
	count(labels) > 0
}
