package lib.policygen.rules.cp003

import data.lib.policygen.review

# Istio's PeerAuthentication CRD accepts exactly these modes; any other value
# (another case, spaces, a typo) is one no mesh would apply, so it counts as weak.
safe_modes := {"UNSET", "STRICT"}

modes := {"UNSET", "DISABLE", "PERMISSIVE", "STRICT"}

# METADATA
# description: A PeerAuthentication weakens mTLS, or the mesh-wide one is not STRICT.
violations(rev, params, _) := removed(rev, params) | {msg |
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind == "PeerAuthentication"
	some problem in (problems(obj, review.namespace(rev), params) | unreadable(obj))
	msg := {"check": problem.check, "detail": sprintf("PeerAuthentication %s/%s: %s", [
		review.quote(review.namespace(rev)), review.quote(review.name(obj)), problem.detail,
	])}
}

# METADATA
# description: >-
#   Removing the mesh-wide policy leaves the mesh to Istio's default, PERMISSIVE: a DELETE of
#   it, or an UPDATE that gives it a selector, is for trusted subjects only.
removed(rev, params) := {msg |
	rev.operation in {"UPDATE", "DELETE"}
	old := rev.oldObject
	is_object(old)
	old.kind == "PeerAuthentication"
	mesh_wide(old, rev, params)
	not still_mesh_wide(rev, params)
	not review.trusted(rev, params)
	msg := review.finding("mesh-wide-removed", sprintf("PeerAuthentication %s/%s: the mesh-wide policy is %s by %s, who is not in trustedSubjects and in none of trustedGroups", [
		review.quote(old_text(old, "namespace")), review.quote(old_text(old, "name")),
		removal[rev.operation], review.quote(review.username(rev)),
	]))
}

removal := {"DELETE": "deleted", "UPDATE": "narrowed by a selector"}

still_mesh_wide(rev, params) if {
	rev.operation == "UPDATE"
	is_object(rev.object)
	mesh_wide(rev.object, rev, params)
}

# As the CEL reads it: a missing or empty namespace is the request's.
mesh_wide(obj, rev, params) if {
	object_namespace(obj, rev) == params.namespace
	not has_selector(obj)
}

object_namespace(obj, rev) := ns if {
	ns := object.get(obj, ["metadata", "namespace"], "")
	is_string(ns)
	ns != ""
} else := ns if {
	ns := object.get(rev, "namespace", "")
	is_string(ns)
	ns != ""
} else := "default"

old_text(old, key) := value if {
	value := object.get(old, ["metadata", key], "")
	is_string(value)
} else := ""

problems(obj, ns, params) := ({review.finding("mtls-weakened", sprintf("mtls.mode is %s", [review.quote(mode)])) |
	mode := object.get(obj, ["spec", "mtls", "mode"], null)
	weak(mode)
} | {review.finding("mtls-weakened", sprintf("portLevelMtls[%s].mode is %s", [review.quote(port), review.quote(mode)])) |
	some port, setting in port_settings(obj)
	mode := object.get(setting, "mode", null)
	weak(mode)
}) | {review.finding("mesh-wide-not-strict", sprintf("the mesh-wide policy has mtls.mode %s, approved STRICT", [review.quote(mode)])) |
	ns == params.namespace
	not has_selector(obj)
	mode := object.get(obj, ["spec", "mtls", "mode"], null)
	mode != "STRICT"
}

# Port settings read one by one only from a map, as the CEL reads them: any other shape is
# peer-authentication-malformed alone.
port_settings(obj) := settings if {
	settings := object.get(obj, ["spec", "portLevelMtls"], {})
	is_object(settings)
} else := {}

# Absent or null inherits, and passes.
weak(mode) if {
	mode != null
	not mode in safe_modes
}

# Mesh-wide as the CEL reads it: no selector, an empty one, or no or empty matchLabels. A selector
# of another shape is not mesh-wide here; it is peer-authentication-malformed, and denied as that.
has_selector(obj) if not mesh_wide_selector(object.get(obj, ["spec", "selector"], null))

mesh_wide_selector(null)

mesh_wide_selector(selector) if {
	is_object(selector)
	object.get(selector, "matchLabels", null) == null
}

mesh_wide_selector(selector) if {
	is_object(selector)
	selector.matchLabels == {}
}

# What the CRD's schema rejects is unparseable, and could hide a weak mode or a selector.
unreadable(obj) := {review.finding("peer-authentication-malformed", problem) | some problem in shape_problems(obj)}

shape_problems(obj) := ((review.metadata_problems(obj) | {sprintf("%s is %s, not an object", [concat(".", path), type_name(value)]) |
	some path in [["spec"], ["spec", "mtls"], ["spec", "portLevelMtls"], ["spec", "selector"]]
	value := object.get(obj, path, null)
	value != null
	not is_object(value)
}) | {"mtls.mode is not a mode (UNSET, DISABLE, PERMISSIVE, STRICT)" |
	not mode_or_null(object.get(obj, ["spec", "mtls", "mode"], null))
}) | ({sprintf("portLevelMtls[%s] is not a port setting with a mode", [review.quote(port)]) |
	some port, setting in port_settings(obj)
	not port_setting(setting)
} | {"selector.matchLabels is not a map of strings" |
	labels := object.get(obj, ["spec", "selector", "matchLabels"], null)
	labels != null
	not strings_map(labels)
})

mode_or_null(null)

mode_or_null(mode) if {
	is_string(mode)
	upper(mode) in modes
}

# A null setting is absent: the API server prunes nulls the CRD's schema does not allow.
port_setting(null)

port_setting(setting) if {
	is_object(setting)
	mode_or_null(object.get(setting, "mode", null))
}

strings_map(value) if {
	is_object(value)
	every item in value {
		is_string(item)
	}
}
