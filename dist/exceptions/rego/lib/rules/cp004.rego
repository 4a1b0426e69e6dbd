package lib.policygen.rules.cp004

import data.lib.policygen.review

# METADATA
# description: A mesh namespace does not turn injection on, or an excluded one does.
violations(rev, params, _) := {msg |
	review.writes_object(rev)

	# namespaces/status and namespaces/finalize change labels freely: judged where they do.
	not review.metadata_kept(rev)
	obj := review.target(rev)
	obj.kind == "Namespace"
	labels := object.get(obj, ["metadata", "labels"], {})
	some problem in (problems(review.name(obj), labels, params) | unreadable(obj, labels))
	msg := {"check": problem.check, "detail": sprintf("Namespace %s: %s", [review.quote(review.name(obj)), problem.detail])}
}

# A name or labels the API server cannot read could hide a mesh or excluded namespace's injection.
unreadable(obj, labels) := {review.finding("namespace-malformed", problem) |
	some problem in (review.metadata_problems(obj) | {"metadata.labels is not a map of strings" |
		not strings_or_null(labels)
	})
}

strings_or_null(null)

strings_or_null(labels) if {
	is_object(labels)
	every value in labels {
		is_string(value)
	}
}

problems(name, labels, params) := {review.finding("mesh-injection-off", "is a mesh namespace but does not turn injection on (istio-injection: enabled or an approved istio.io/rev)") |
	name in params.meshNamespaces
	not injection_on(labels, params.approvedRevisions)
} | {review.finding("excluded-injection-on", sprintf("is excluded from the mesh but turns injection on (%s)", [review.quote(on)])) |
	name in params.excludedNamespaces
	on := {key: labels[key] | some key in ["istio-injection", "istio.io/rev"]; turns_on(key, labels)}
	count(on) > 0
}

# istio-injection wins over istio.io/rev: "disabled" turns injection off whatever the revision.
injection_on(labels, _) if labels["istio-injection"] == "enabled"

injection_on(labels, revisions) if {
	not "istio-injection" in object.keys(labels)
	labels["istio.io/rev"] in revisions
}

turns_on("istio-injection", labels) if labels["istio-injection"] == "enabled"

# Istio's revision webhooks select istio.io/rev only where istio-injection is absent;
# any revision counts (policygen cannot know which are installed).
turns_on("istio.io/rev", labels) if {
	_ = labels["istio.io/rev"]
	not "istio-injection" in object.keys(labels)
}
