# METADATA
# title: Admission review
# description: >-
#   Turns what OPA or conftest is given (a plain resource or an AdmissionReview)
#   into the review Gatekeeper passes as input.review, so that one library
#   serves every engine.
package lib.policygen.review

# METADATA
# description: The Gatekeeper-shaped review of an OPA/conftest input document.
from_input(doc) := {
	"operation": object.get(doc.request, "operation", ""),
	"userInfo": object.get(doc.request, "userInfo", {}),
	"object": object.get(doc.request, "object", null),
	"oldObject": object.get(doc.request, "oldObject", null),
	"namespace": object.get(doc.request, "namespace", ""),
	"subResource": object.get(doc.request, "subResource", ""),
} if {
	# The kind first: a plain resource, the common input, leaves at the first expression.
	doc.kind == "AdmissionReview"
	is_admission_review(doc)
} else := {
	# policygen's untrusted user, written out here and in from_gatekeeper: a reference to a rule
	# would cost each decision more than the object itself.
	"operation": "CREATE",
	"userInfo": {"username": "policygen:untrusted-user", "groups": []},
	"object": doc,
	"oldObject": null,
	"namespace": "",
	"subResource": "",
}

# METADATA
# description: >-
#   Gatekeeper's review as the rules read it: audit and gator send no operation
#   or user, which policygen reads as a CREATE by an untrusted user.
from_gatekeeper(rev) := rev if {
	rev.operation in {"CREATE", "UPDATE", "DELETE", "CONNECT"}
} else := object.union(rev, {"operation": "CREATE", "userInfo": {"username": "policygen:untrusted-user", "groups": []}})

is_admission_review(doc) if {
	is_object(doc)
	doc.kind == "AdmissionReview"
	is_object(doc.request)
}

# METADATA
# description: The object a rule judges; a DELETE carries only the old one.
target(review) := review.oldObject if {
	review.operation == "DELETE"
	is_object(review.oldObject)
} else := review.object if {
	is_object(review.object)
} else := {}

# METADATA
# description: Pod and policy rules judge what a CREATE or UPDATE would store.
writes_object(review) if review.operation in {"CREATE", "UPDATE"}

# false rather than undefined, so that OPA caches it for the next pod rule.
default status_unjudged(_) := false

# METADATA
# scope: document
# description: >-
#   A status write the pod rules leave alone. A controller's (deployments/status and the like): the API
#   server keeps its pod template there, no pod rule reads the controller's own labels, and no policy
#   matches that subresource in a cluster. A pod's that leaves its labels and annotations as they were:
#   the API server keeps the pod's old spec on pods/status, so the kubelet's status updates (which never
#   change them) are never denied; one that changes them is judged as any update. The CEL's matchCondition
#   status-changes-metadata (policygen/backends/cel.py) and policygen/engines/status.py say the same.
status_unjudged(review) if {
	object.get(review, "subResource", "") == "status"
	object.get(target(review), "kind", "") != "Pod"
}

status_unjudged(review) if {
	object.get(review, "subResource", "") == "status"
	metadata_kept(review)
}

# METADATA
# description: >-
#   An UPDATE (through any subresource) that leaves the object's spec, labels and annotations as
#   they were: a controller removing a finalizer (the Job controller's job-tracking one), an owner
#   reference added. Nothing a pod rule reads changes, and the pods it describes run as before
#   whatever the verdict, so a denial would only keep a pod admitted before the policies (or before
#   its namespace joined the mesh) from ever being cleaned up. The CEL's matchCondition
#   update-changes-pod (policygen/backends/cel.py) and policygen/engines/status.py say the same.
update_keeps_pod(review) if {
	review.operation == "UPDATE"
	is_object(review.object)
	is_object(review.oldObject)
	object.get(review.object, "spec", null) == object.get(review.oldObject, "spec", null)
	every key in ["labels", "annotations"] {
		meta_value(review.object, key) == meta_value(review.oldObject, key)
	}
}

# A metadata map as the CEL's condition reads it: absent, or under metadata that is no object, it is {}.
meta_value(obj, key) := object.get(obj.metadata, key, {}) if is_object(obj.metadata)

else := {}

# METADATA
# description: >-
#   A write through a subresource that changes an object's labels and annotations but not its spec (a pod's
#   status, a Namespace's status or finalize) that leaves them as they were: nothing new for a rule to judge
#   (the kubelet's and the namespace controller's writes). One that changes them is judged as any update.
metadata_kept(review) if {
	object.get(review, "subResource", "") in {"status", "finalize"}
	every key in ["labels", "annotations"] {
		object.get(review.object, ["metadata", key], {}) == object.get(review.oldObject, ["metadata", key], {})
	}
}

# METADATA
# description: The namespace a resource lives in; kubectl apply puts it in default.
namespace(review) := ns if {
	ns := target(review).metadata.namespace
	is_string(ns)
	ns != ""
} else := ns if {
	ns := review.namespace
	is_string(ns)
	ns != ""
} else := "default"

# METADATA
# scope: document
# description: >-
#   The request's username is a trusted subject, or one of its groups a trusted
#   group; a group is never matched against a username entry.
trusted(review, params) if {
	review.userInfo.username in params.trustedSubjects
}

trusted(review, params) if {
	some group in review.userInfo.groups
	group in params.trustedGroups
}

# METADATA
# description: >-
#   A rule library's finding: its check code (policygen/checks.py) and the
#   message text after it; the entry point adds the rule ID.
finding(check, detail) := {"check": check, "detail": detail}

# METADATA
# description: >-
#   A list of the parameters' values for a message, ", "-separated as concat writes the plan's
#   strings and numbers; defined whatever a hand-written Constraint holds there, where concat
#   and %d would leave the message, and the violation with it, undefined.
listed(values) := concat(", ", [sprintf("%v", [value]) | some value in values])

# METADATA
# description: >-
#   A value echoed into a message, whatever its type: quoted, so that no
#   newline or quote in it reads as message structure, and cut to
#   echo_limit characters, so that no resource can flood a report.
quote(value) := sprintf("%q", [value]) if {
	is_string(value)
	count(value) <= echo_limit
} else := sprintf("%q...(cut, %d characters)", [substring(value, 0, echo_limit), count(value)]) if {
	is_string(value)
} else := bounded(json.marshal(value))

echo_limit := 200

bounded(text) := text if count(text) <= echo_limit

else := sprintf("%s...(cut, %d characters)", [substring(text, 0, echo_limit), count(text)])

# METADATA
# description: The request's username for messages, "" when it is not a string.
username(review) := name if {
	name := object.get(review, ["userInfo", "username"], "")
	is_string(name)
} else := ""

# METADATA
# description: An object's name for messages, "" when it has none that is a string.
name(obj) := n if {
	n := object.get(obj, ["metadata", "name"], "")
	is_string(n)
} else := ""

# METADATA
# description: >-
#   Where an object's metadata is not what the API server accepts: not an object,
#   no non-empty string name, or a namespace that is not a string. Such an
#   object is unparseable, so denied.
metadata_problems(obj) := ({sprintf("metadata is %s, not an object", [type_name(meta)]) |
	meta := object.get(obj, "metadata", null)
	not is_object(meta)
} | {sprintf("metadata.name is %s, not a non-empty string", [type_name(n)]) |
	meta := object.get(obj, "metadata", null)
	is_object(meta)
	n := object.get(meta, "name", null)
	not non_empty_string(n)
}) | {sprintf("metadata.namespace is %s, not a string", [type_name(ns)]) |
	ns := object.get(obj, ["metadata", "namespace"], null)
	ns != null
	not is_string(ns)
}

non_empty_string(value) if {
	is_string(value)
	value != ""
}
