# METADATA
# title: The usual pod
# description: >-
#   A Pod of the shape the injector writes, cleared in one body so that main.violations need not ask
#   each rule (policygen/usual.py). Each rule's lines come from its folder's usual.rego.jinja and ask
#   no less than the rule's own usual case; where any line does not hold, main.violations asks every
#   rule, so nothing is cleared here that a rule would deny.
package policygen.usual

import data.lib.policygen.pods
import data.lib.policygen.review

# METADATA
# scope: document
# description: >-
#   The input is a Pod every rule would find nothing in: well formed (parts), each container usual
#   where it sits and, in the mesh, the pod too.
pod if {
	[pod_spec, _, pod_annotations, pod_lists] := parts
	in_mesh
	sc003_status(object.get(pod_annotations, "sidecar.istio.io/status", null))
	count(object.keys(pod_annotations) & {"sidecar.istio.io/bootstrapOverride"}) == 0
	pod_sc10 := object.get(pod_spec, "securityContext", {})
	is_object(pod_sc10)
	sc010_id(object.get(pod_sc10, "runAsUser", null), [1337])
	sc010_id(object.get(pod_sc10, "runAsGroup", null), [])
	every c in pod_lists[0] {
		mesh_container("initContainers", c)
	}
	every c in pod_lists[1] {
		mesh_container("containers", c)
	}
	every c in pod_lists[2] {
		mesh_container("ephemeralContainers", c)
	}
}

pod if {
	[_, _, _, pod_lists] := parts
	not in_mesh
	every c in pod_lists[0] {
		anywhere("initContainers", c)
	}
	every c in pod_lists[1] {
		anywhere("containers", c)
	}
	every c in pod_lists[2] {
		anywhere("ephemeralContainers", c)
	}
}

# A Pod's parts, where it is of the shape the API server stores (SC003's malformed and structure checks
# hold by these reads): metadata, labels and annotations maps of strings, a name and namespace that are
# strings, and container lists (each container's name is asked where the container is). An array, not
# an object, and bound to locals in the body: each read of a rule's value costs a decision more than a
# local's.
parts := [spec, labels, annotations, [inits, containers, ephemerals]] if {
	input.kind == "Pod"
	meta := input.metadata
	is_object(meta)
	is_string(object.get(meta, "name", ""))
	is_string(object.get(meta, "namespace", ""))
	labels := object.get(meta, "labels", {})
	is_object(labels)
	count([1 | is_string(labels[_])]) == count(labels)
	annotations := object.get(meta, "annotations", {})
	is_object(annotations)
	count([1 | is_string(annotations[_])]) == count(annotations)
	spec := object.get(input, "spec", {})
	is_object(spec)
	inits := object.get(spec, "initContainers", [])
	is_array(inits)
	containers := spec.containers
	is_array(containers)
	ephemerals := object.get(spec, "ephemeralContainers", [])
	is_array(ephemerals)
}

# Whether the rules' scope holds the Pod: a namespace written on it that the scope lists is read here
# as pods.mesh_pod_or_null's first branch reads it; anything else is that function's to say.
in_mesh if {
	ns := object.get(input.metadata, "namespace", "")
	ns in {"legacy", "payments", "storefront"}
	not ns == "kube-system"
} else := pods.mesh_pod_or_null(review.from_input(input), {"meshNamespaces": ["legacy", "payments", "storefront"], "excludedNamespaces": ["kube-system"], "meshNamespaceSelector": null}, data.policygen.namespaces) != null

# SC003: no status annotation, or the injector's usual one.
sc003_status(null) := true

# As the injector writes it (compactDocument, a smaller program), else as the rule's usual case reads it.
sc003_status(value) if {
	is_string(value)
	count(value) <= 4096
	regex.match(`^\{(?:(?:"(?:initContainers|containers)":(?:null|\[(?:"(?:istio\x{2d}proxy)"(?:,"(?:istio\x{2d}proxy)")*)?\])|"(?:imagePullSecrets|revision|volumes)":(?:null|"[^"\\\x00-\x1f]*"|\[(?:"[^"\\\x00-\x1f]*"(?:,"[^"\\\x00-\x1f]*")*)?\]))(?:,(?:"(?:initContainers|containers)":(?:null|\[(?:"(?:istio\x{2d}proxy)"(?:,"(?:istio\x{2d}proxy)")*)?\])|"(?:imagePullSecrets|revision|volumes)":(?:null|"[^"\\\x00-\x1f]*"|\[(?:"[^"\\\x00-\x1f]*"(?:,"[^"\\\x00-\x1f]*")*)?\])))*)?\}$`, value)
} else if {
	is_string(value)
	count(value) <= 4096
	regex.match(data.lib.policygen.rules.sc003.status_usual_document, value)
}

# SC010: an id the rule's allowed_id() allows, or none.
sc010_id(null, _) := true

sc010_id(value, forbidden) if {
	is_number(value)
	floor(value) == value
	value >= 0
	value <= 2147483647
	not value in forbidden
}

anywhere("initContainers", c) if {
	c.name == "istio-proxy"
	object.get(c, "restartPolicy", null) in {null, "Always"}
}

anywhere("initContainers", c) if {
	is_string(c.name)
	not c.name == "istio-proxy"
	image := object.get(c, "image", null)
	is_string(image)
	count(image) <= 255
	regex.match(`^(?:(?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?:sha256:[a-f0-9]{64}))?$`, image)
	not contains(image, "proxyv2")
	object.get(c, "restartPolicy", null) in {null, "Always"}
}

anywhere("containers", c) if {
	c.name == "istio-proxy"
}

anywhere("containers", c) if {
	is_string(c.name)
	not c.name == "istio-proxy"
	image := object.get(c, "image", null)
	is_string(image)
	count(image) <= 255
	regex.match(`^(?:(?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?:sha256:[a-f0-9]{64}))?$`, image)
	not contains(image, "proxyv2")
}

anywhere("ephemeralContainers", c) if {
	c.name == "istio-proxy"
}

anywhere("ephemeralContainers", c) if {
	is_string(c.name)
	not c.name == "istio-proxy"
	image := object.get(c, "image", null)
	is_string(image)
	count(image) <= 255
	regex.match(`^(?:(?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?:sha256:[a-f0-9]{64}))?$`, image)
	not contains(image, "proxyv2")
}

mesh_container("initContainers", c) if {
	is_string(c.name)
	not c.name == "istio-proxy"
	image := object.get(c, "image", null)
	is_string(image)
	count(image) <= 255
	regex.match(`^(?:(?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?:sha256:[a-f0-9]{64}))?$`, image)
	not contains(image, "proxyv2")
	object.get(c, "restartPolicy", null) in {null, "Always"}
	object.get(c, "restartPolicy", null) == null
	sc10 := object.get(c, "securityContext", {})
	is_object(sc10)
	object.get(sc10, "capabilities", null) == null
	object.get(sc10, "privileged", null) in {false, null}
	sc010_id(object.get(sc10, "runAsUser", null), [1337])
	sc010_id(object.get(sc10, "runAsGroup", null), [])
}

mesh_container("initContainers", c) if {
	c.name == "istio-proxy"
	object.get(c, "restartPolicy", null) in {null, "Always"}
	regex.match(`^(?:docker\.io\/istio\/proxyv2)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`, c.image)
	object.get(c, "restartPolicy", null) != null
	sc4 := c.securityContext
	is_object(sc4)
	object.subset(sc4, {"privileged": false, "allowPrivilegeEscalation": false, "runAsNonRoot": true, "runAsUser": 1337})
	caps4 := object.get(sc4, "capabilities", {})
	is_object(caps4)
	add4 := object.get(caps4, "add", [])
	is_array(add4)
	count(add4) == 0
	drop4 := object.get(caps4, "drop", [])
	is_array(drop4)
	"ALL" in drop4
	res7 := c.resources
	limits7 := res7.limits
	is_object(limits7)
	requests7 := object.get(res7, "requests", {})
	is_object(requests7)
	regex.match(`^(?:(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|1[0-9]{9}|2000000000)n|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|1[0-9]{6}|2000000)u|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|1[0-9]{3}|2000)m|(?:[1-2]))$`, object.get(limits7, "cpu", "0"))
	regex.match(`^(?:(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|[1-9][0-9]{9}|[1-9][0-9]{10}|[1-9][0-9]{11}|[1-9][0-9]{12}|[1-9][0-9]{13}|[1-9][0-9]{14})n|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|[1-9][0-9]{9}|[1-9][0-9]{10}|[1-9][0-9]{11}|[1-9][0-9]{12}|[1-9][0-9]{13}|[1-9][0-9]{14})u|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|[1-9][0-9]{9}|[1-9][0-9]{10}|[1-9][0-9]{11}|10[0-6][0-9]{10}|107[0-2][0-9]{9}|1073[0-6][0-9]{8}|10737[0-3][0-9]{7}|1073740[0-9]{6}|1073741[0-7][0-9]{5}|10737418[0-1][0-9]{4}|107374182[0-3][0-9]{3}|1073741824000)m|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|10[0-6][0-9]{7}|107[0-2][0-9]{6}|1073[0-6][0-9]{5}|10737[0-3][0-9]{4}|1073740[0-9]{3}|1073741[0-7][0-9]{2}|10737418[0-1][0-9]|107374182[0-4])|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|10[0-6][0-9]{4}|107[0-2][0-9]{3}|1073[0-6][0-9]{2}|10737[0-3][0-9]|107374[0-1])k|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|10[0-6][0-9]|107[0-3])M|(?:1)G|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|10[0-3][0-9]{4}|104[0-7][0-9]{3}|1048[0-4][0-9]{2}|10485[0-6][0-9]|104857[0-6])Ki|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|10[0-1][0-9]|102[0-4])Mi|(?:1)Gi)$`, object.get(limits7, "memory", "0"))
}

mesh_container("containers", c) if {
	is_string(c.name)
	not c.name == "istio-proxy"
	image := object.get(c, "image", null)
	is_string(image)
	count(image) <= 255
	regex.match(`^(?:(?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?:sha256:[a-f0-9]{64}))?$`, image)
	not contains(image, "proxyv2")
	sc10 := object.get(c, "securityContext", {})
	is_object(sc10)
	object.get(sc10, "capabilities", null) == null
	object.get(sc10, "privileged", null) in {false, null}
	sc010_id(object.get(sc10, "runAsUser", null), [1337])
	sc010_id(object.get(sc10, "runAsGroup", null), [])
}

mesh_container("containers", c) if {
	c.name == "istio-proxy"
	regex.match(`^(?:docker\.io\/istio\/proxyv2)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`, c.image)
	sc4 := c.securityContext
	is_object(sc4)
	object.subset(sc4, {"privileged": false, "allowPrivilegeEscalation": false, "runAsNonRoot": true, "runAsUser": 1337})
	caps4 := object.get(sc4, "capabilities", {})
	is_object(caps4)
	add4 := object.get(caps4, "add", [])
	is_array(add4)
	count(add4) == 0
	drop4 := object.get(caps4, "drop", [])
	is_array(drop4)
	"ALL" in drop4
	res7 := c.resources
	limits7 := res7.limits
	is_object(limits7)
	requests7 := object.get(res7, "requests", {})
	is_object(requests7)
	regex.match(`^(?:(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|1[0-9]{9}|2000000000)n|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|1[0-9]{6}|2000000)u|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|1[0-9]{3}|2000)m|(?:[1-2]))$`, object.get(limits7, "cpu", "0"))
	regex.match(`^(?:(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|[1-9][0-9]{9}|[1-9][0-9]{10}|[1-9][0-9]{11}|[1-9][0-9]{12}|[1-9][0-9]{13}|[1-9][0-9]{14})n|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|[1-9][0-9]{9}|[1-9][0-9]{10}|[1-9][0-9]{11}|[1-9][0-9]{12}|[1-9][0-9]{13}|[1-9][0-9]{14})u|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|[1-9][0-9]{9}|[1-9][0-9]{10}|[1-9][0-9]{11}|10[0-6][0-9]{10}|107[0-2][0-9]{9}|1073[0-6][0-9]{8}|10737[0-3][0-9]{7}|1073740[0-9]{6}|1073741[0-7][0-9]{5}|10737418[0-1][0-9]{4}|107374182[0-3][0-9]{3}|1073741824000)m|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|[1-9][0-9]{6}|[1-9][0-9]{7}|[1-9][0-9]{8}|10[0-6][0-9]{7}|107[0-2][0-9]{6}|1073[0-6][0-9]{5}|10737[0-3][0-9]{4}|1073740[0-9]{3}|1073741[0-7][0-9]{2}|10737418[0-1][0-9]|107374182[0-4])|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|10[0-6][0-9]{4}|107[0-2][0-9]{3}|1073[0-6][0-9]{2}|10737[0-3][0-9]|107374[0-1])k|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|10[0-6][0-9]|107[0-3])M|(?:1)G|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|[1-9][0-9]{3}|[1-9][0-9]{4}|[1-9][0-9]{5}|10[0-3][0-9]{4}|104[0-7][0-9]{3}|1048[0-4][0-9]{2}|10485[0-6][0-9]|104857[0-6])Ki|(?:[1-9]|[1-9][0-9]|[1-9][0-9]{2}|10[0-1][0-9]|102[0-4])Mi|(?:1)Gi)$`, object.get(limits7, "memory", "0"))
}

mesh_container("ephemeralContainers", c) if {
	is_string(c.name)
	not c.name == "istio-proxy"
	image := object.get(c, "image", null)
	is_string(image)
	count(image) <= 255
	regex.match(`^(?:(?:[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+|localhost)(?::[0-9]+)?)/(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?:sha256:[a-f0-9]{64}))?$`, image)
	not contains(image, "proxyv2")
	sc10 := object.get(c, "securityContext", {})
	is_object(sc10)
	object.get(sc10, "capabilities", null) == null
	object.get(sc10, "privileged", null) in {false, null}
	sc010_id(object.get(sc10, "runAsUser", null), [1337])
	sc010_id(object.get(sc10, "runAsGroup", null), [])
}
