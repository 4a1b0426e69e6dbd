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
	msg := sprintf("CP003 PeerAuthentication %s/%s: %s", [review.namespace(rev), object.get(obj.metadata, "name", ""), problem])
}

problems(obj, ns, params) := ({sprintf("mtls.mode is %s", [mode]) |
	mode := object.get(obj, ["spec", "mtls", "mode"], "")
	upper(mode) in weak_modes
} | {sprintf("portLevelMtls[%s].mode is %s", [port, setting.mode]) |
	some port, setting in object.get(obj, ["spec", "portLevelMtls"], {})
	upper(setting.mode) in weak_modes
}) | {sprintf("the mesh-wide policy has mtls.mode %s, approved STRICT", [json.marshal(mode)]) |
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
