package lib.policygen.rules.cp001

import data.lib.policygen.review

# METADATA
# description: >-
#   The injector's webhooks point elsewhere than the approved service or fail
#   open; any other webhook that mutates pods at CREATE comes from an untrusted user.
violations(rev, params, _) := injector(obj, params) if {
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind == "MutatingWebhookConfiguration"
	is_injector(obj, params)
} else := other(rev, obj, params) if {
	review.writes_object(rev)
	obj := review.target(rev)
	obj.kind == "MutatingWebhookConfiguration"
} else := set()

is_injector(obj, params) if {
	some prefix in params.namePrefixes
	startswith(obj.metadata.name, prefix)
}

# The API server reads a null list as an absent one: no webhooks.
webhooks(obj) := hooks if {
	hooks := object.get(obj, "webhooks", null)
	hooks != null
} else := []

injector(obj, params) := {msg |
	not is_array(webhooks(obj))
	msg := {"check": "webhooks-malformed", "detail": sprintf("webhook configuration %s: webhooks is not a list", [review.quote(obj.metadata.name)])}
} | {msg |
	some i, hook in webhooks(obj)
	some problem in hook_problems(hook, params)
	msg := {"check": problem.check, "detail": sprintf("webhook configuration %s: webhooks[%d] %s", [review.quote(obj.metadata.name), i, problem.detail])}
}

hook_problems(hook, params) := ({review.finding("injector-target", sprintf("clientConfig.url is %s; the injector is reached only through its service", [review.quote(url)])) |
	url := object.get(hook, ["clientConfig", "url"], null)
	url != null
} | {review.finding("injector-target", sprintf("clientConfig.service is %s, approved %s", [review.quote(service), json.marshal(params.service)])) |
	service := object.get(hook, ["clientConfig", "service"], null)
	not approved_service(service, params.service)
}) | {review.finding("injector-failure-policy", sprintf("failurePolicy is %s, approved %q", [review.quote(policy), params.failurePolicy])) |
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
	not review.trusted(rev, params)
	some i, hook in webhooks(obj)
	intercepts_pod_create(hook)
	msg := {"check": "untrusted-pod-mutator", "detail": sprintf("webhook configuration %s: webhooks[%d] mutates pods at CREATE and was written by untrusted user %s", [
		review.quote(obj.metadata.name), i, review.quote(object.get(rev.userInfo, "username", "")),
	])}
}

intercepts_pod_create(hook) if {
	some rule in hook.rules
	some op in rule.operations
	op in {"CREATE", "*"}
	some resource in rule.resources
	resource in {"pods", "*", "*/*"}
	some group in rule.apiGroups
	group in {"", "*"}
}
