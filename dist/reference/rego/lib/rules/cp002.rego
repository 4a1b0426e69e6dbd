package lib.policygen.rules.cp002

import data.lib.policygen.review

# METADATA
# description: An untrusted user creates, changes or deletes an injector ConfigMap.
violations(rev, params, _) := {msg |
	rev.operation in {"CREATE", "UPDATE", "DELETE"}
	obj := review.target(rev)
	obj.kind == "ConfigMap"
	review.namespace(rev) == params.namespace
	obj.metadata.name in params.configMaps
	not review.trusted(rev, params)
	msg := {"check": "untrusted-write", "detail": sprintf("ConfigMap %s/%s: %s by untrusted user %s; only trusted subjects may change the injector's configuration", [
		params.namespace, obj.metadata.name, rev.operation, review.quote(object.get(rev.userInfo, "username", "")),
	])}
}
