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

injector_config_map(rev, obj, params) if {
	review.namespace(rev) == params.namespace
	review.name(obj) in params.configMaps
}

# Metadata the API server cannot read could hide the injector's name and namespace.
injector_config_map(_, obj, _) if count(review.metadata_problems(obj)) > 0
