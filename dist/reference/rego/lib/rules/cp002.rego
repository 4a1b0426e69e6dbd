package lib.policygen.rules.cp002

import data.lib.policygen.review

# METADATA
# description: An untrusted user creates, changes or deletes an injector ConfigMap.
violations(rev, params, _) := {msg |
	rev.operation in {"CREATE", "UPDATE", "DELETE"}
	obj := review.target(rev)
	obj.kind == "ConfigMap"
	injector_config_map(rev, obj, params)
	not review.trusted(rev, params)
	msg := {"check": "untrusted-write", "detail": sprintf("ConfigMap %s/%s: %s by untrusted user %s; only trusted subjects may change the injector's configuration", [
		params.namespace, review.name(obj), rev.operation, review.quote(review.username(rev)),
	])}
}

# As the CEL's matchConditions read it. A name or namespace that is missing or empty reads as the
# request's, and with no name at all (generateName: admission sees none) nothing tells the injector's
# ConfigMap from another of its namespace, so the write matches (fail closed). A namespace that is no
# string, or metadata that is no object, could be any: it matches too.
injector_config_map(rev, obj, params) if {
	injector_namespace(rev, obj, params)
	injector_name(rev, obj, params)
}

# Null reads as absent, as the API server reads it: no metadata, or the request's namespace (else default).
injector_config_map(_, obj, _) if {
	meta := object.get(obj, "metadata", null)
	meta != null
	not is_object(meta)
}

injector_namespace(_, obj, _) if {
	ns := object.get(obj, ["metadata", "namespace"], null)
	ns != null
	not is_string(ns)
}

injector_namespace(rev, _, params) if review.namespace(rev) == params.namespace

injector_name(_, obj, params) if injector_named(object.get(obj, ["metadata", "name"], ""), params)

injector_name(rev, obj, _) if {
	not review.non_empty_string(object.get(obj, ["metadata", "name"], ""))
	object.get(rev, "name", "") == ""
}

injector_name(rev, obj, params) if {
	not review.non_empty_string(object.get(obj, ["metadata", "name"], ""))
	injector_named(object.get(rev, "name", ""), params)
}

injector_named(name, params) if name in params.configMaps

injector_named(name, params) if {
	is_string(name)
	some prefix in params.revisionPrefixes
	startswith(name, prefix)
}
