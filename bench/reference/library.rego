# Reference queries for the decision benchmark: ten small checks of our own
# writing that stand for the ten gatekeeper-library templates issue 11 names
# (allowedrepos, imagedigests, disallowedtags, containerlimits, capabilities,
# privileged-containers, allow-privilege-escalation, users,
# read-only-root-filesystem, host-namespaces). They read a plain Pod as input,
# check less than our rules do, and are measured, never shipped.
package reference

containers contains c if {
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some c in object.get(input.spec, field, [])
}

repos := ["docker.io/istio/", "registry.istio.io/"]

allowedrepos contains c.name if {
	some c in containers
	not any_prefix(c.image)
}

any_prefix(image) if {
	some repo in repos
	startswith(image, repo)
}

imagedigests contains c.name if {
	some c in containers
	not regex.match(`@[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`, c.image)
}

disallowedtags contains c.name if {
	some c in containers
	tag := split(c.image, ":")[1]
	tag in {"latest", "dev"}
}

containerlimits contains c.name if {
	some c in containers
	some r in ["cpu", "memory"]
	not c.resources.limits[r]
}

capabilities contains c.name if {
	some c in containers
	added := {x | some x in object.get(c, ["securityContext", "capabilities", "add"], [])}
	count(added - {"NET_ADMIN", "NET_RAW"}) > 0
}

capabilities contains c.name if {
	some c in containers
	dropped := {x | some x in object.get(c, ["securityContext", "capabilities", "drop"], [])}
	not "ALL" in dropped
}

privileged contains c.name if {
	some c in containers
	object.get(c, ["securityContext", "privileged"], false) == true
}

privilege_escalation contains c.name if {
	some c in containers
	object.get(c, ["securityContext", "allowPrivilegeEscalation"], true) != false
}

users contains c.name if {
	some c in containers
	object.get(c, ["securityContext", "runAsNonRoot"], object.get(input.spec, ["securityContext", "runAsNonRoot"], false)) != true
	object.get(c, ["securityContext", "runAsUser"], 0) == 0
}

read_only_root contains c.name if {
	some c in containers
	object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) != true
}

host_namespaces contains field if {
	some field in ["hostPID", "hostIPC", "hostNetwork"]
	input.spec[field] == true
}
