package lib.policygen.rules.cp003

import data.lib.policygen.review

weak_modes := {"PERMISSIVE", "DISABLE"}

modes := {"UNSET", "DISABLE", "PERMISSIVE", "STRICT"}

# METADATA
# description: A PeerAuthentication weakens mTLS, or the mesh-wide one is not STRICT.
violations(rev, params, _) := {msg |
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind == "PeerAuthentication"
	some problem in (problems(obj, review.namespace(rev), params) | unreadable(obj))
	msg := sprintf("CP003 PeerAuthentication %s/%s: %s", [review.namespace(rev), review.name(obj), problem])
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

# What the CRD's schema rejects is unparseable, and could hide a weak mode or a selector.
unreadable(obj) := ((review.metadata_problems(obj) | {sprintf("%s is %s, not an object", [concat(".", path), type_name(value)]) |
	some path in [["spec"], ["spec", "mtls"], ["spec", "portLevelMtls"], ["spec", "selector"]]
	value := object.get(obj, path, null)
	value != null
	not is_object(value)
}) | {"mtls.mode is not a mode (UNSET, DISABLE, PERMISSIVE, STRICT)" |
	not mode_or_null(object.get(obj, ["spec", "mtls", "mode"], null))
}) | ({sprintf("portLevelMtls[%s] is not a port setting with a mode", [port]) |
	some port, setting in object.get(obj, ["spec", "portLevelMtls"], {})
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
