# METADATA
# title: Resource quantities
# description: >-
#   Kubernetes quantities as numbers, so that 1Gi > 1000Mi and 1500m < 2.
#   Undefined for anything Kubernetes would not accept.
package lib.policygen.quantity

pattern := `^([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$`

parse(q) := q if {
	is_number(q)
	q >= 0
} else := to_number(trim_suffix(q, "n")) / 1000000000 if {
	is_string(q)
	regex.match(pattern, q)
	endswith(q, "n")
} else := to_number(trim_suffix(q, "u")) / 1000000 if {
	is_string(q)
	regex.match(pattern, q)
	endswith(q, "u")
} else := units.parse(q) if {
	is_string(q)
	regex.match(pattern, q)
}
