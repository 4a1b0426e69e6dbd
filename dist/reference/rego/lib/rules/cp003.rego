package lib.policygen.rules.cp003

import data.lib.policygen.review

# Istio's PeerAuthentication CRD accepts exactly these modes; any other value
# (another case, spaces, a typo) is one no mesh would apply, so it counts as weak.
safe_modes := {"UNSET", "STRICT"}

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

problems(obj, ns, params) := ({review.finding("mtls-weakened", sprintf("mtls.mode is %s", [review.quote(mode)])) |
	mode := object.get(obj, ["spec", "mtls", "mode"], null)
	weak(mode)
} | {review.finding("mtls-weakened", sprintf("portLevelMtls[%s].mode is %s", [review.quote(port), review.quote(mode)])) |
	some port, setting in object.get(obj, ["spec", "portLevelMtls"], {})
	mode := object.get(setting, "mode", null)
	weak(mode)
}) | {review.finding("mesh-wide-not-strict", sprintf("the mesh-wide policy has mtls.mode %s, approved STRICT", [review.quote(mode)])) |
	ns == params.namespace
	not has_selector(obj)
	mode := object.get(obj, ["spec", "mtls", "mode"], null)
	mode != "STRICT"
}

# Absent or null inherits, and passes.
weak(mode) if {
	mode != null
	not mode in safe_modes
}

has_selector(obj) if {
	labels := obj.spec.selector.matchLabels
	count(labels) > 0
}
