# Reference queries for the decision benchmark: ten checks of our own writing
# that stand for the ten gatekeeper-library templates issue 11 names
# (allowedrepos, imagedigests, disallowedtags, containerlimits, capabilities,
# privileged-containers, allow-privilege-escalation, users,
# read-only-root-filesystem, host-namespaces). Each does the work its template
# does per decision: it reads Gatekeeper's input (input.review.object and
# input.parameters, reference_input.json), skips an UPDATE where the template
# does, honours exemptImages, canonifies quantities and reads the pod-level
# securityContext as a fallback, so that their summed cost stands for the
# library's; `python bench/suite.py --library DIR` measures both side by side
# (DIR a gatekeeper-library checkout). Measured, never shipped.
package reference

pod := input.review.object

params := input.parameters

is_update if input.review.operation == "UPDATE"

containers contains c if {
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some c in object.get(pod.spec, field, [])
}

exempt(c) if {
	some exemption in object.get(params, "exemptImages", [])
	exempted(c.image, exemption)
}

exempted(image, exemption) if {
	not endswith(exemption, "*")
	image == exemption
}

exempted(image, exemption) if {
	endswith(exemption, "*")
	startswith(image, trim_suffix(exemption, "*"))
}

checked contains c if {
	some c in containers
	not exempt(c)
}

allowedrepos contains msg if {
	some c in checked
	not startswith_any(c.image, params.repos)
	msg := sprintf("container <%v> has an invalid image repo <%v>, allowed repos are %v", [c.name, c.image, params.repos])
}

startswith_any(image, prefixes) if {
	some prefix in prefixes
	startswith(image, prefix)
}

imagedigests contains msg if {
	some c in checked
	not regex.match(`@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`, c.image)
	msg := sprintf("container <%v> uses an image without a digest <%v>", [c.name, c.image])
}

disallowedtags contains msg if {
	some c in checked
	tag := image_tag(c.image)
	tag in params.tags
	msg := sprintf("container <%v> uses a disallowed tag <%v>; disallowed tags are %v", [c.name, c.image, params.tags])
}

disallowedtags contains msg if {
	some c in checked
	image_tag(c.image) == ""
	msg := sprintf("container <%v> didn't specify an image tag <%v>", [c.name, c.image])
}

image_tag(image) := tag if {
	last := regex.split("/", image)[count(regex.split("/", image)) - 1]
	parts := split(split(last, "@")[0], ":")
	count(parts) > 1
	tag := parts[count(parts) - 1]
} else := ""

containerlimits contains msg if {
	some c in checked
	some resource in ["cpu", "memory"]
	not limit(c, resource)
	msg := sprintf("container <%v> has no %v limit", [c.name, resource])
}

containerlimits contains msg if {
	some c in checked
	some resource in ["cpu", "memory"]
	value := limit(c, resource)
	not canonical(resource, value)
	msg := sprintf("container <%v> %v limit <%v> could not be parsed", [c.name, resource, value])
}

containerlimits contains msg if {
	some c in checked
	some resource in ["cpu", "memory"]
	value := limit(c, resource)
	canonical(resource, value) > canonical(resource, params[resource])
	msg := sprintf("container <%v> %v limit <%v> is higher than the maximum allowed of <%v>", [c.name, resource, value, params[resource]])
}

limit(c, resource) := value if {
	value := c.resources.limits[resource]
	value != ""
}

# Milli-cores, and milli-bytes by a suffix table, as the template canonifies them.
canonical("cpu", value) := value * 1000 if is_number(value)

canonical("cpu", value) := to_number(trim_suffix(value, "m")) if {
	is_string(value)
	endswith(value, "m")
}

canonical("cpu", value) := to_number(value) * 1000 if {
	is_string(value)
	regex.match(`^[0-9]+(\.[0-9]+)?$`, value)
}

canonical("memory", value) := value * 1000 if is_number(value)

canonical("memory", value) := to_number(number) * memory_factor[suffix] if {
	is_string(value)
	suffix := memory_suffix(value)
	number := substring(value, 0, count(value) - count(suffix))
	regex.match(`^[0-9]+(\.[0-9]+)?$`, number)
}

memory_factor := {
	"": 1000, "m": 1, "k": 1000000, "M": 1000000000, "G": 1000000000000, "T": 1000000000000000,
	"Ki": 1024000, "Mi": 1048576000, "Gi": 1073741824000, "Ti": 1099511627776000,
}

memory_suffix(value) := suffix if {
	count(value) > 1
	suffix := substring(value, count(value) - 2, -1)
	memory_factor[suffix]
} else := suffix if {
	count(value) > 0
	suffix := substring(value, count(value) - 1, -1)
	memory_factor[suffix]
} else := ""

capabilities contains msg if {
	not is_update
	some c in checked
	added := {x | some x in object.get(c, ["securityContext", "capabilities", "add"], [])}
	not "*" in params.allowedCapabilities
	disallowed := added - {x | some x in params.allowedCapabilities}
	count(disallowed) > 0
	msg := sprintf("container <%v> has a disallowed capability. Allowed capabilities are %v", [c.name, params.allowedCapabilities])
}

capabilities contains msg if {
	not is_update
	some c in checked
	dropped := {lower(x) | some x in object.get(c, ["securityContext", "capabilities", "drop"], [])}
	not "all" in dropped
	missing := {lower(x) | some x in params.requiredDropCapabilities} - dropped
	count(missing) > 0
	msg := sprintf("container <%v> is not dropping all required capabilities. Container must drop all of %v or \"ALL\"", [c.name, params.requiredDropCapabilities])
}

privileged contains msg if {
	not is_update
	some c in checked
	c.securityContext.privileged
	msg := sprintf("Privileged container is not allowed: %v, securityContext: %v", [c.name, c.securityContext])
}

privilege_escalation contains msg if {
	not is_update
	some c in checked
	object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false
	msg := sprintf("Privilege escalation container is not allowed: %v", [c.name])
}

# The container's own field, else the pod's (the template's get_field_value).
field_value(field, c) := c.securityContext[field]

field_value(field, c) := pod.spec.securityContext[field] if not c.securityContext[field]

users contains msg if {
	not is_update
	some field in ["runAsUser", "runAsGroup", "supplementalGroups", "fsGroup"]
	rule := params[field].rule
	some c in checked
	msg := user_problem(field, rule, c)
}

user_problem("runAsUser", "MustRunAsNonRoot", c) := sprintf("Container %v is attempting to run as disallowed user %v", [c.name, user]) if {
	user := field_value("runAsUser", c)
	user == 0
}

user_problem("runAsUser", "MustRunAsNonRoot", c) := sprintf("Container %v is attempting to run without a required securityContext/runAsNonRoot or securityContext/runAsUser != 0", [c.name]) if {
	not field_value("runAsUser", c)
	not field_value("runAsNonRoot", c)
}

read_only_root contains msg if {
	not is_update
	some c in checked
	not object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) == true
	msg := sprintf("only read-only root filesystem container is allowed: %v", [c.name])
}

host_namespaces contains msg if {
	not is_update
	some field in ["hostPID", "hostIPC"]
	object.get(pod.spec, field, false)
	msg := sprintf("Sharing the host namespace is not allowed: %v", [pod.metadata.name])
}
