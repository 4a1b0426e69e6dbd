package lib.policygen.rules.cp005

import data.lib.policygen.review

# METADATA
# description: An untrusted role may write admission webhook configurations.
violations(rev, params, _) := {msg |
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind in {"ClusterRole", "Role"}
	not object.get(obj, ["metadata", "name"], null) in params.trustedRoles
	some i, rule in rule_list(obj)
	grants_webhook_write(rule, params)
	msg := {"check": "webhook-write-granted", "detail": sprintf("%s %s: rules[%d] grants %s on %s; only trusted roles may write webhook configurations", [
		obj.kind, review.quote(review.name(obj)), i, review.quote(object.get(rule, "verbs", null)), review.quote(object.get(rule, "resources", null)),
	])}
} | {msg |
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind in {"ClusterRole", "Role"}
	not object.get(obj, ["metadata", "name"], null) in params.trustedRoles
	some problem in unreadable(obj)
	msg := review.finding("rules-malformed", sprintf("%s %s: %s, so it may grant writes on webhook configurations", [obj.kind, review.quote(review.name(obj)), problem]))
}

# The API server rejects such rules; read as they are, they could hide a grant.
unreadable(obj) := {"rules is not a list" |
	rules := object.get(obj, "rules", null)
	rules != null
	not is_array(rules)
} | {sprintf("rules[%d] is not a policy rule of string lists", [i]) |
	some i, rule in rule_list(obj)
	not readable_rule(rule)
}

# Rules read one by one only from a list, as the CEL reads them: any other shape is rules-malformed alone.
rule_list(obj) := rules if {
	rules := object.get(obj, "rules", [])
	is_array(rules)
} else := []

readable_rule(rule) if {
	is_object(rule)
	every key in ["apiGroups", "resources", "verbs"] {
		strings_or_null(object.get(rule, key, null))
	}
}

strings_or_null(null)

strings_or_null(value) if {
	is_array(value)
	every item in value {
		is_string(item)
	}
}

# A rule's lists read only as lists, as the CEL reads them (some x in a map would read its values).
grants_webhook_write(rule, params) if {
	is_array(rule.apiGroups)
	is_array(rule.resources)
	is_array(rule.verbs)
	some group in rule.apiGroups
	group in {"admissionregistration.k8s.io", "*"}
	some resource in rule.resources
	resource in array.concat(params.resources, ["*"])
	some verb in rule.verbs
	verb in params.verbs
}
