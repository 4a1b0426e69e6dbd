# METADATA
# title: List inputs
# description: >-
#   The objects of a List given to conftest directly (`kubectl get -o yaml`
#   writes one), read as kubectl reads a list, so that conftest judges each
#   of them. policygen eval expands lists itself before any engine sees them.
package policygen.lists

# METADATA
# description: >-
#   Each object of a List input, by where it sits ("items[2]",
#   "items[0].items[1]"): kubectl reads any object with items as a list (an
#   AdmissionReview aside), nested lists included; an item with neither kind
#   nor apiVersion takes the list's kind without "List" (PodList -> Pod).
objects[where] := with_kind(item, object.get(input, array.slice(path, 0, count(path) - 2), {})) if {
	is_list(input)
	walk(input, [path, item])
	count(path) >= 2
	items_path(path)
	not is_list(item)
	where := concat(".", [sprintf("items[%d]", [path[i + 1]]) | some i in numbers.range_step(0, count(path) - 2, 2)])
}

is_list(doc) if {
	is_object(doc)
	object.get(doc, "items", null) != null
	doc.kind != "AdmissionReview"
}

is_list(doc) if {
	is_object(doc)
	object.get(doc, "items", null) != null
	not "kind" in object.keys(doc)
}

# Every step of the path is items[i] of an object kubectl reads as a list.
items_path(path) if {
	count(path) % 2 == 0
	every i in numbers.range_step(0, count(path) - 2, 2) {
		path[i] == "items"
		is_number(path[i + 1])
		is_list(object.get(input, array.slice(path, 0, i), null))
	}
}

with_kind(item, list) := object.union(item, {"kind": trim_suffix(list.kind, "List"), "apiVersion": list.apiVersion}) if {
	is_object(item)
	not "kind" in object.keys(item)
	not "apiVersion" in object.keys(item)
	endswith(list.kind, "List")
	count(list.kind) > 4
	"apiVersion" in object.keys(list)
} else := object.union(item, {"kind": trim_suffix(list.kind, "List")}) if {
	is_object(item)
	not "kind" in object.keys(item)
	not "apiVersion" in object.keys(item)
	endswith(list.kind, "List")
	count(list.kind) > 4
} else := item
