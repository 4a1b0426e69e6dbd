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
unreadable(obj) := {review.finding("object-malformed", sprintf("webhook configuration %s: %s", [review.quote(review.name(obj)), problem])) |
	some problem in review.metadata_problems(obj)
}

# The API server reads a null list as an absent one: no webhooks.
webhooks(obj) := hooks if {
	hooks := object.get(obj, "webhooks", null)
	hooks != null
} else := []

# Webhooks read one by one only from a list, as the CEL reads them: any other shape is its own finding alone.
hook_list(obj) := hooks if {
	hooks := webhooks(obj)
	is_array(hooks)
} else := []

injector(obj, params) := ({msg |
	not is_array(webhooks(obj))
	msg := review.finding("webhooks-malformed", sprintf("webhook configuration %s: webhooks is not a list", [review.quote(review.name(obj))]))
} | {msg |
	some i, hook in hook_list(obj)
	not is_object(hook)
	msg := review.finding("webhooks-malformed", sprintf("webhook configuration %s: webhooks[%d] is %s, not a webhook", [review.quote(review.name(obj)), i, type_name(hook)]))
}) | {msg |
	some i, hook in hook_list(obj)
	some problem in hook_problems(hook, params)
	msg := {"check": problem.check, "detail": sprintf("webhook configuration %s: webhooks[%d] %s", [review.quote(review.name(obj)), i, problem.detail])}
}

hook_problems(hook, params) := ({review.finding("injector-target", sprintf("clientConfig.url is %s; the injector is reached only through its service", [review.quote(url)])) |
	url := object.get(hook, ["clientConfig", "url"], null)
	url != null
} | {review.finding("injector-target", sprintf("clientConfig.service is %s, approved %s", [review.quote(service), json.marshal(params.service)])) |
	service := object.get(hook, ["clientConfig", "service"], null)
	not approved_service(service, params.service)
}) | {review.finding("injector-failure-policy", sprintf("failurePolicy is %s, approved %q", [review.quote(policy), params.failurePolicy])) |
	policy := failure_policy(hook)
	policy != params.failurePolicy
}

# admissionregistration.k8s.io/v1 defaults failurePolicy to Fail, and reads null as absent.
failure_policy(hook) := policy if {
	policy := object.get(hook, "failurePolicy", null)
	policy != null
} else := "Fail"

approved_service(service, approved) if {
	service.namespace == approved.namespace
	service.name == approved.name
	service_path(service) == approved.path
}

# The API server calls "/" for a service reference without a path, and reads null as absent.
service_path(service) := path if {
	path := object.get(service, "path", null)
	path != null
} else := "/"

other(rev, obj, params) := ({msg |
	not review.trusted(rev, params)
	some i, hook in hook_list(obj)
	intercepts_pod_create(hook, params)
	msg := review.finding("untrusted-pod-mutator", sprintf("webhook configuration %s: webhooks[%d] mutates pods at CREATE and was written by untrusted user %s", [
		review.quote(review.name(obj)), i, review.quote(review.username(rev)),
	]))
} | {msg |
	# forbidUntrustedConfigMutators: the writes CP002 and CP003 judge by their writer, rewritten after it.
	not review.trusted(rev, params)
	some i, hook in hook_list(obj)
	readable_hook(hook)
	some guarded in params.guardedWrites
	intercepts_write(hook, guarded)
	msg := review.finding("untrusted-guarded-mutator", sprintf(
		"webhook configuration %s: webhooks[%d] mutates ConfigMaps or PeerAuthentications at CREATE or UPDATE, after CP002 and CP003 trust their writer, and was written by untrusted user %s",
		[review.quote(review.name(obj)), i, review.quote(review.username(rev))],
	))
}) | {msg |
	not review.trusted(rev, params)
	not is_array(webhooks(obj))
	msg := review.finding("untrusted-pod-mutator", sprintf("webhook configuration %s: webhooks is not a list, so it may mutate pods at CREATE; written by untrusted user %s", [
		review.quote(review.name(obj)), review.quote(review.username(rev)),
	]))
}

# A hook or rule the API server would reject is read as one that intercepts pods.
intercepts_pod_create(hook, _) if not readable_hook(hook)

intercepts_pod_create(hook, params) if {
	some rule in hook.rules
	some op in rule.operations
	op in {"CREATE", "*"}
	some resource in rule.resources
	resource in params.podCreateResources
	some group in rule.apiGroups
	group in {"", "*"}

	# A rule scoped to cluster-wide resources never matches a Pod, which lives in a namespace.
	object.get(rule, "scope", null) != "Cluster"
}

intercepts_write(hook, guarded) if {
	some rule in hook.rules
	some op in rule.operations
	op in {"CREATE", "UPDATE", "*"}
	some resource in rule.resources
	resource in guarded.resources
	some group in rule.apiGroups
	group in guarded.groups
	object.get(rule, "scope", null) != "Cluster"
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

# The API server requires each of a rule's four lists, non-empty (a red team, 14a: an empty one read as no match).
readable_rule(rule) if {
	is_object(rule)
	object.get(rule, "scope", null) in {null, "Cluster", "Namespaced", "*"}
	every key in ["operations", "resources", "apiGroups", "apiVersions"] {
		non_empty_list(object.get(rule, key, null))
	}
	every item in rule.operations {
		item in {"CREATE", "UPDATE", "DELETE", "CONNECT", "*"}
	}
	every item in rule.resources {
		review.non_empty_string(item)
	}
	every item in rule.apiGroups {
		is_string(item)
	}
	every item in rule.apiVersions {
		review.non_empty_string(item)
	}
}

non_empty_list(value) if {
	is_array(value)
	count(value) > 0
}
