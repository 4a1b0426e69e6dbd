package lib.policygen.rules.cp005

import data.lib.policygen.review

# METADATA
# description: An untrusted role may write admission webhook configurations.
violations(rev, params, _) := {msg |
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind in {"ClusterRole", "Role"}
	not object.get(obj, ["metadata", "name"], null) in params.trustedRoles
	some i, rule in object.get(obj, "rules", [])
	grants_webhook_write(rule, params)
	msg := {"check": "webhook-write-granted", "detail": sprintf("%s %s: rules[%d] grants %s on %s; only trusted roles may write webhook configurations", [
		obj.kind, review.quote(object.get(obj, ["metadata", "name"], "")), i, review.quote(rule.verbs), review.quote(rule.resources),
	])}
}

grants_webhook_write(rule, params) if {
	some group in rule.apiGroups
	group in {"admissionregistration.k8s.io", "*"}
	some resource in rule.resources
	resource in array.concat(params.resources, ["*"])
	some verb in rule.verbs
	verb in params.verbs
}
