package lib.policygen.rules.sc005

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# description: A sidecar overrides its command, changes its args, or its env differs from the approved one.
violations(rev, params, namespaces) := {msg |
	pod := pods.mesh_pod_or_null(rev, params.scope, namespaces)
	pod.spec
	some entry in pods.containers(pod.spec)
	some approved in params.sidecars
	approved.name == entry.name
	some msg in problems(entry, approved)
}

# Every check's set written here, not in a function of its own: a call costs each sidecar about 30
# allocations a decision (OPA stores every call's value), the checks' own work about as much.
problems(entry, approved) := set() if {
	# The usual sidecar, cleared in one pass over its env without the calls below (about 100
	# allocations a decision each): no command or envFrom, the args prefix, every variable named,
	# and the variables of pinned or forbidden names exactly the pinned ones, {name, value}. Pinned
	# names must be distinct and none forbidden, and the parameters lists: a hand-written Constraint
	# could break any of these, and a builtin's type error here would end the decision.
	# Whatever this body does not clear, the checks below judge, as they judge every sidecar with an allowlist.
	approved.envAllowlist == false
	approved.checkExec == false
	c := entry.container
	object.get(c, "command", null) == null
	object.get(c, "workingDir", null) in {null, ""}
	object.get(c, "envFrom", null) == null
	args := object.get(c, "args", [])
	is_array(args)
	is_array(approved.argsPrefix)
	array.slice(args, 0, count(approved.argsPrefix)) == approved.argsPrefix
	env := object.get(c, "env", [])
	is_array(env)
	count([1 | some var in env; is_string(var.name)]) == count(env)
	is_array(approved.pinnedEnv)
	pinned := {want.name | some want in approved.pinnedEnv}
	count(pinned) == count(approved.pinnedEnv)
	forbidden := {name | some name in approved.forbiddenEnv}
	count(pinned & forbidden) == 0
	watched := pinned | forbidden
	{var | some var in env; var.name in watched} == {want | some want in approved.pinnedEnv}
} else := ((((({review.finding("command-set", sprintf("%s: command is set to %s; the image's entrypoint must run", [
	pods.where(entry), review.quote(entry.container.command),
])) |
	approved.forbidCommand
	cmd := entry.container.command
	cmd != null
	cmd != []
} | {review.finding("working-dir-set", sprintf("%s: workingDir is set to %s; the image's entrypoint must run in the image's own working directory", [
	pods.where(entry), review.quote(entry.container.workingDir),
])) |
	# pilot-agent reads its bootstrap template, configuration and CA by paths relative to it.
	approved.forbidCommand
	not object.get(entry.container, "workingDir", null) in {null, ""}
}) | {review.finding("args-prefix", sprintf("%s: args %s do not start with %s", [
	pods.where(entry), review.quote(object.get(entry.container, "args", null)), json.marshal(approved.argsPrefix),
])) |
	approved.checkArgs
	not starts_with_prefix(entry.container, approved.argsPrefix)
}) | {msg |
	some want in approved.pinnedEnv
	not want.name in env_names(entry.container)
	msg := {"check": "env-pinned-missing", "detail": sprintf("%s: env %s is missing, approved value %q", [pods.where(entry), want.name, want.value])}
}) | ({msg |
	# Each pinned variable, and each variable of its name (a name may repeat).
	some want in approved.pinnedEnv
	some var in pods.array_at(entry.container, "env")
	var.name == want.name
	not pinned_value(var, want.value)
	msg := {"check": "env-pinned-mismatch", "detail": sprintf("%s: env %s is %s, approved value %q", [pods.where(entry), want.name, describe(var), want.value])}
} | {msg |
	# The few forbidden names looked up among the env's, not each variable among them.
	some name in approved.forbiddenEnv
	name in env_names(entry.container)
	msg := {"check": "env-forbidden", "detail": sprintf("%s: env %s is forbidden", [pods.where(entry), review.quote(name)])}
})) | ((({msg |
	# Every named variable (a nameless one is env-malformed), a repeated name each time.
	approved.envAllowlist
	some var in pods.array_at(entry.container, "env")
	name := object.get(var, "name", null)
	name != null
	not name in approved.allowedEnv
	msg := {"check": "env-not-allowed", "detail": sprintf("%s: env %s is not among the allowed names", [pods.where(entry), review.quote(name)])}
} | {msg |
	count(approved.forbiddenEnv) > 0
	not object.get(entry.container, "envFrom", null) in {null, []}
	msg := {"check": "envfrom-forbidden", "detail": sprintf("%s: envFrom can set forbidden variables (%s)", [pods.where(entry), review.listed(approved.forbiddenEnv)])}
}) | {msg |
	approved.envAllowlist
	count(approved.forbiddenEnv) == 0
	not object.get(entry.container, "envFrom", null) in {null, []}
	msg := {"check": "envfrom-forbidden", "detail": sprintf("%s: envFrom can set variables outside the allowed names", [pods.where(entry)])}
}) | {review.finding("env-malformed", sprintf("%s: env is not a list of named variables", [pods.where(entry)])) |
	# An env the API server would reject could hide a forbidden variable.
	not env_readable(entry.container)
})) | ({msg |
	approved.checkExec
	some found in unapproved_execs(entry.container, approved.execPrefixes)
	msg := {"check": "exec-not-approved", "detail": sprintf("%s: %s runs %s, which starts with no approved command", [
		pods.where(entry), found[0], review.quote(found[1]),
	])}
} | {msg |
	# A hook's first word is looked up in the container's PATH: set by the pod author, it would run their
	# program under an approved name (from a volume an app init container filled).
	approved.checkExec
	count(approved.execPrefixes) > 0
	path_settable(entry.container)
	msg := {"check": "exec-not-approved", "detail": sprintf("%s: env PATH or envFrom is set, and PATH decides which program a hook's first word runs", [pods.where(entry)])}
})

# An env that is no list is not readable either: array_at is undefined for it. A function, since
# OPA would bind array_at's value outside a `not` written here, and the check with it.
env_readable(container) if pods.all_named(pods.array_at(container, "env"))

starts_with_prefix(container, prefix) if {
	given := pods.array_at(container, "args")
	count(given) >= count(prefix)
	array.slice(given, 0, count(prefix)) == prefix
}

# An env that is no list has no names: a pinned variable is missing from it.
env_names(container) := {var.name | some var in pods.array_at(container, "env")}

pinned_value(var, value) if {
	env_value(var) == value
	object.get(var, "valueFrom", null) == null
}

# Kubernetes reads a variable with no value, or a null one, as "".
env_value(var) := value if {
	value := object.get(var, "value", null)
	value != null
} else := ""

describe(var) := "set from valueFrom" if object.get(var, "valueFrom", null) != null

else := review.quote(object.get(var, "value", null))

# Where a sidecar's hooks and probes run a program that starts with none of the prefixes: each exec
# action by where it sits, and whatever stands where a mapping belongs (the API server refuses
# such a container; offline it could hide an action), so that nothing unread passes.
unapproved_execs(container, prefixes) := {["lifecycle", lifecycle] |
	lifecycle := object.get(container, "lifecycle", null)
	lifecycle != null
	not is_object(lifecycle)
} | {[concat(".", path), action] |
	some path in handler_paths
	handler := object.get(container, path, null)
	handler != null
	action := exec_action(handler)
	not approved_command(action, prefixes)
}

handler_paths := [["lifecycle", "postStart"], ["lifecycle", "preStop"], ["livenessProbe"], ["readinessProbe"], ["startupProbe"]]

# A handler's exec action; a handler that is no mapping stands for itself. Undefined for one that
# runs nothing (httpGet, tcpSocket, grpc, sleep, or a null exec).
exec_action(handler) := action if {
	is_object(handler)
	action := object.get(handler, "exec", null)
	action != null
} else := handler if not is_object(handler)

path_settable(container) if {
	some var in pods.array_at(container, "env")
	object.get(var, "name", null) == "PATH"
}

path_settable(container) if not object.get(container, "envFrom", null) in {null, []}

# The words after a prefix are not read: any of them the API server would refuse (no string) makes
# the pod one no cluster holds, and reading each costs the CEL's budget on a long command.
approved_command(action, prefixes) if {
	is_object(action)
	command := object.get(action, "command", null)
	is_array(command)
	some prefix in prefixes
	is_array(prefix)
	count(prefix) > 0
	array.slice(command, 0, count(prefix)) == prefix
}
