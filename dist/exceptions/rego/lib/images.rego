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

# An image ID is no reference (policygen/images.py): the runtime would run whatever image on the node has it.
image_id_pattern := `^(?:[a-f0-9]{64}|(?:sha256|sha384|sha512|blake3):[a-f0-9]+)$`

verified_digest_pattern := `^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$`

# METADATA
# description: >-
#   {"registry", "path", "repository", "tag", "digest", "verified_digest"} of a
#   reference, with "" for an absent tag or digest; undefined when it does not parse.
parse(ref) := {
	"registry": m[1],
	"path": m[2],
	"repository": concat("/", [m[1], m[2]]),
	"tag": m[3],
	"digest": m[4],
	"verified_digest": m[4] != "",
} if {
	# The commonest shape, a registry of its own, read in this one body: quick() gives it the same value.
	is_string(ref)
	m := regex.find_all_string_submatch_n(quick_pattern, ref, 1)[0]
	m[1] != ""
	not m[1] in docker_hub_aliases
	count(m[2]) <= path_max
} else := value if {
	is_string(ref)
	not regex.match(image_id_pattern, ref)
	value := quick(ref)
} else := general(ref)

# The shapes images are written in (lower-case host with a dot, or none; a sha256 digest, or none),
# read by one match: general() gives each of them the same value, at about twice the cost per image.
# regal ignore:line-length
quick_pattern := `^(?:((?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/)?([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`

quick(ref) := {
	"registry": registry_path[0],
	"path": registry_path[1],
	"repository": concat("/", registry_path),
	"tag": m[3],
	"digest": m[4],
	"verified_digest": m[4] != "",
} if {
	m := regex.find_all_string_submatch_n(quick_pattern, ref, 1)[0]
	not host_in_path(m[1], m[2])
	registry_path := quick_hub(m[1], m[2])
	count(registry_path[1]) <= path_max
}

# With no host matched, a first component that looks like one ("a_b.c/d") is a host the grammar refuses.
host_in_path("", path) if {
	contains(path, "/")
	first := substring(path, 0, indexof(path, "/"))
	host_like(first)
}

# No host at all is Docker Hub's too.
quick_hub_hosts := docker_hub_aliases | {""}

quick_hub(host, path) := ["docker.io", concat("/", ["library", path])] if {
	host in quick_hub_hosts
	not contains(path, "/")
} else := ["docker.io", path] if {
	host in quick_hub_hosts
} else := [host, path]

# METADATA
# description: The general grammar, step by step; parse() reads the usual shapes by quick() first.
general(ref) := {
	"registry": registry_path[0],
	"path": concat("/", registry_path[1]),
	"repository": concat("/", [registry_path[0], concat("/", registry_path[1])]),
	"tag": path_tag[1],
	"digest": name_digest[1],
	"verified_digest": regex.match(verified_digest_pattern, name_digest[1]),
} if {
	is_string(ref)
	ref != ""
	not regex.match(image_id_pattern, ref)
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
# description: >-
#   The reference parses, with a host of its own, and holds none of the markers as written: then its
#   path's last component and its digest, which parse() keeps as written, are none of them, so it is
#   none of the repositories they come from under any host or port and carries none of the digests.
#   Told by one match (plain_pattern: quick_pattern with its host required, which parse() reads by
#   quick() when no other branch does) instead of a parse: SC003 asks it of every app container.
plainly_other(ref, markers) if {
	is_string(ref)
	count(ref) <= path_max
	regex.match(plain_pattern, ref)
	count([1 | some marker in markers; contains(ref, marker)]) == 0
}

# regal ignore:line-length
plain_pattern := `^(?:(?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?:sha256:[a-f0-9]{64}))?$`

# METADATA
# description: The normalised repository of a reference, undefined if it does not parse.
repository(ref) := parse(ref).repository

# METADATA
# description: >-
#   The repository on its host whatever the port, Docker Hub's hosts folded (policygen/images.py
#   any_port): how SC003 finds a sidecar image under another name. Undefined when it does not parse.
any_port(ref) := p.repository if {
	# Without a port, parse() has folded Docker Hub's hosts already: the commonest case, read without a regex.
	p := parse(ref)
	not contains(p.registry, ":")
} else := any_port_of(regex.replace(p.registry, `:[0-9]+$`, ""), p.path) if {
	p := parse(ref)
}

any_port_of(host, path) := concat("/", ["docker.io", hub_path(path)]) if {
	host in docker_hub_aliases
} else := concat("/", [host, path])

hub_path(path) := path if contains(path, "/")

else := concat("/", ["library", path])
