# METADATA
# title: Image references
# description: >-
#   Parses an image reference with the OCI distribution reference grammar, the
#   same steps as policygen/images.py (read its docstring for the grammar and
#   our two decisions: ASCII-folded hosts, digests that parse whatever their
#   algorithm). Never a prefix match. Undefined for anything that does not parse.
package lib.policygen.images

docker_hub_aliases := {"docker.io", "index.docker.io", "registry-1.docker.io"}

path_max := 255

component_pattern := `^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`

host_pattern := `^(?:[a-zA-Z0-9]+(?:-+[a-zA-Z0-9]+)*(?:\.[a-zA-Z0-9]+(?:-+[a-zA-Z0-9]+)*)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`

tag_pattern := `^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`

digest_pattern := `^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`

verified_digest_pattern := `^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$`

# METADATA
# description: >-
#   {"registry", "path", "repository", "tag", "digest", "verified_digest"} of a
#   reference, with "" for an absent tag or digest; undefined when it does not parse.
parse(ref) := {
	"registry": registry_path[0],
	"path": concat("/", registry_path[1]),
	"repository": concat("/", [registry_path[0], concat("/", registry_path[1])]),
	"tag": path_tag[1],
	"digest": name_digest[1],
	"verified_digest": regex.match(verified_digest_pattern, name_digest[1]),
} if {
	is_string(ref)
	ref != ""
	not regex.match(`^[a-f0-9]{64}$`, ref)
	name_digest := split_digest(ref)
	host_rest := split_host(name_digest[0])
	path_tag := split_tag(host_rest[1])
	registry_path := normalise_hub(host_rest[0], split(path_tag[0], "/"))
	count(concat("/", registry_path[1])) <= path_max
	every part in registry_path[1] {
		regex.match(component_pattern, part)
	}
}

split_digest(ref) := [ref, ""] if {
	not contains(ref, "@")
} else := [substring(ref, 0, i), digest] if {
	i := indexof(ref, "@")
	digest := substring(ref, i + 1, -1)
	regex.match(digest_pattern, digest)
}

# The first component names a host only if it looks like one; the host is
# checked against the ASCII grammar before it is folded, so lower() folds ASCII only.
split_host(name) := [lower(first), substring(name, i + 1, -1)] if {
	i := indexof(name, "/")
	i >= 0
	first := substring(name, 0, i)
	host_like(first)
	regex.match(host_pattern, first)
} else := ["docker.io", name] if {
	i := indexof(name, "/")
	not host_like(substring(name, 0, i))
} else := ["docker.io", name] if {
	not contains(name, "/")
}

host_like(first) if contains(first, ".")

host_like(first) if contains(first, ":")

host_like("localhost")

host_like(first) if regex.match(`[A-Z]`, first)

split_tag(rest) := [rest, ""] if {
	not contains(rest, ":")
} else := [substring(rest, 0, i), tag] if {
	i := indexof(rest, ":")
	tag := substring(rest, i + 1, -1)
	regex.match(tag_pattern, tag)
}

normalise_hub(registry, path) := ["docker.io", array.concat(["library"], path)] if {
	registry in docker_hub_aliases
	count(path) == 1
} else := ["docker.io", path] if {
	registry in docker_hub_aliases
} else := [registry, path]

# METADATA
# description: The normalised repository of a reference, undefined if it does not parse.
repository(ref) := parse(ref).repository
