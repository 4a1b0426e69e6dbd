package lib.policygen.rules.cp001

import data.lib.policygen.review

# METADATA
# description: >-
#   The injector's webhooks point elsewhere than the approved service or fail
#   open; any other webhook that mutates pods at CREATE comes from an untrusted user.
violations(rev, params, _) := injector(obj, params) | unreadable(obj) if {
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind == "MutatingWebhookConfiguration"
	is_injector(obj, params)
} else := other(rev, obj, params) | unreadable(obj) if {
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind == "MutatingWebhookConfiguration"
} else := set()

is_injector(obj, params) if {
	some prefix in params.namePrefixes
	startswith(review.name(obj), prefix)
}

# The API server rejects such a configuration; a name it cannot read could hide an injector.
unreadable(obj) := {sprintf("CP001 webhook configuration %q: %s", [review.name(obj), problem]) |
	some problem in review.metadata_problems(obj)
}

# The API server reads a null list as an absent one: no webhooks.
webhooks(obj) := hooks if {
	hooks := object.get(obj, "webhooks", null)
	hooks != null
} else := []

injector(obj, params) := ({msg |
	not is_array(webhooks(obj))
	msg := sprintf("CP001 webhook configuration %q: webhooks is not a list", [review.name(obj)])
} | {msg |
	some i, hook in webhooks(obj)
	not is_object(hook)
	msg := sprintf("CP001 webhook configuration %q: webhooks[%d] is %s, not a webhook", [review.name(obj), i, type_name(hook)])
}) | {msg |
	some i, hook in webhooks(obj)
	some problem in hook_problems(hook, params)
	msg := sprintf("CP001 webhook configuration %q: webhooks[%d] %s", [review.name(obj), i, problem])
}

hook_problems(hook, params) := ({sprintf("clientConfig.url is %s; the injector is reached only through its service", [json.marshal(url)]) |
	url := object.get(hook, ["clientConfig", "url"], null)
	url != null
} | {sprintf("clientConfig.service is %s, approved %s", [json.marshal(service), json.marshal(params.service)]) |
	service := object.get(hook, ["clientConfig", "service"], null)
	not approved_service(service, params.service)
}) | {sprintf("failurePolicy is %s, approved %q", [json.marshal(policy), params.failurePolicy]) |
	# admissionregistration.k8s.io/v1 defaults failurePolicy to Fail.
	policy := object.get(hook, "failurePolicy", "Fail")
	policy != params.failurePolicy
}

approved_service(service, approved) if {
	service.namespace == approved.namespace
	service.name == approved.name
	object.get(service, "path", "/") == approved.path
}

other(rev, obj, params) := {msg |
	not review.trusted(rev, params.trustedSubjects)
	some i, hook in webhooks(obj)
	intercepts_pod_create(hook)
	msg := sprintf("CP001 webhook configuration %q: webhooks[%d] mutates pods at CREATE and was written by untrusted user %s", [
		review.name(obj), i, review.quote(review.username(rev)),
	])
} | {msg |
	not review.trusted(rev, params.trustedSubjects)
	not is_array(webhooks(obj))
	msg := sprintf("CP001 webhook configuration %q: webhooks is not a list, so it may mutate pods at CREATE; written by untrusted user %s", [
		review.name(obj), review.quote(review.username(rev)),
	])
}

# A hook or rule the API server would reject is read as one that intercepts pods.
intercepts_pod_create(hook) if not readable_hook(hook)

intercepts_pod_create(hook) if {
	some rule in hook.rules
	some op in rule.operations
	op in {"CREATE", "*"}
	some resource in rule.resources
	resource in {"pods", "*", "*/*"}
	some group in rule.apiGroups
	group in {"", "*"}
}

readable_hook(hook) if {
	is_object(hook)
	rules := object.get(hook, "rules", null)
	every rule in as_list(rules) {
		readable_rule(rule)
	}
}

as_list(null) := []

as_list(value) := value if is_array(value)

readable_rule(rule) if {
	is_object(rule)
	every item in as_list(object.get(rule, "operations", null)) {
		item in {"CREATE", "UPDATE", "DELETE", "CONNECT", "*"}
	}
	every item in as_list(object.get(rule, "resources", null)) {
		review.non_empty_string(item)
	}
	every item in as_list(object.get(rule, "apiGroups", null)) {
		is_string(item)
	}
}
