# METADATA
# title: Image references
# description: >-
#   Parses an image reference the way the container runtime reads it; never a
#   prefix match. Undefined for anything that is not a valid reference.
package lib.policygen.images

docker_hub_aliases := {"docker.io", "index.docker.io", "registry-1.docker.io"}

component_pattern := `^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`

registry_pattern := `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]+)?$`

tag_pattern := `^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`

digest_pattern := `^sha256:[a-f0-9]{64}$`

# METADATA
# description: >-
#   {"registry", "path", "repository", "tag", "digest"} of a reference, with ""
#   for an absent tag or digest; undefined when the reference does not parse.
parse(ref) := {
	"registry": registry,
	"path": concat("/", path),
	"repository": concat("/", [registry, concat("/", path)]),
	"tag": name_tag[1],
	"digest": name_digest[1],
} if {
	is_string(ref)
	not regex.match(`\s`, ref)
	name_digest := split_digest(ref)
	components := split(name_digest[0], "/")
	name_tag := split_tag(components[count(components) - 1])
	named := array.concat(array.slice(components, 0, count(components) - 1), [name_tag[0]])
	registry_path := split_registry(named)
	registry := registry_path[0]
	path := registry_path[1]
	regex.match(registry_pattern, registry)
	every part in path {
		regex.match(component_pattern, part)
	}
}

split_digest(ref) := [ref, ""] if {
	not contains(ref, "@")
} else := [parts[0], parts[1]] if {
	parts := split(ref, "@")
	count(parts) == 2
	regex.match(digest_pattern, parts[1])
}

split_tag(last) := [last, ""] if {
	not contains(last, ":")
} else := [parts[0], parts[1]] if {
	parts := split(last, ":")
	count(parts) == 2
	regex.match(tag_pattern, parts[1])
}

# The first component names a registry only if it looks like a host.
split_registry(components) := normalise_hub(lower(components[0]), array.slice(components, 1, count(components))) if {
	count(components) > 1
	host_like(components[0])
} else := normalise_hub("docker.io", components)

host_like(component) if contains(component, ".")

host_like(component) if contains(component, ":")

host_like("localhost")

normalise_hub(registry, path) := ["docker.io", ["library", path[0]]] if {
	registry in docker_hub_aliases
	count(path) == 1
} else := ["docker.io", path] if {
	registry in docker_hub_aliases
} else := [registry, path]

# METADATA
# description: The normalised repository of a reference, undefined if it does not parse.
repository(ref) := parse(ref).repository
