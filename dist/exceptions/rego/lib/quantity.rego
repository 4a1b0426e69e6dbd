# METADATA
# title: Resource quantities
# description: >-
#   Kubernetes quantities read exactly as resource.ParseQuantity reads them, the
#   same steps as policygen/quantity.py (its docstring has the grammar and the
#   limits). A value is {"sign", "digits", "exponent"}: sign * digits * 10^exponent,
#   digits without leading or trailing zeros, compared as strings and small
#   integers so that no number is ever rounded. Undefined for anything
#   Kubernetes would not accept.
package lib.policygen.quantity

scan_pattern := `^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*)([+-]?[0-9]*)$`

decimal_suffixes := {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

binary_suffixes := {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}

# 2^10 .. 2^60, exact integers (OPA multiplies integers exactly).
binary_factors := {
	"Ki": 1024, "Mi": 1048576, "Gi": 1073741824, "Ti": 1099511627776,
	"Pi": 1125899906842624, "Ei": 1152921504606846976,
}

int64_max := {"sign": 1, "digits": "9223372036854775807", "exponent": 0}

zero := {"sign": 0, "digits": "", "exponent": 0}

# METADATA
# description: The exact value of a quantity (a string, or a JSON number by its text); undefined if none.
parse(q) := normal(1, m[1], decimal_suffixes[m[2]]) if {
	# The shapes resources are written in ("2", "100m", "1G") first, through one short match: the
	# general path below gives each of them the same value, at several times the cost.
	is_string(q)
	m := regex.find_all_string_submatch_n(`^([0-9]{1,15})([numkMGTPE]?)$`, q, 1)[0]
} else := normal(1, format_int(to_number(m[1]) * binary_factors[m[2]], 10), 0) if {
	# "128Mi", "1Gi": at most 9 digits times 2^30 stays below int64's maximum, so nothing is capped.
	is_string(q)
	m := regex.find_all_string_submatch_n(`^([0-9]{1,9})(Ki|Mi|Gi)$`, q, 1)[0]
} else := from_parts(m[1], m[2], m[3], concat("", [m[4], m[5]])) if {
	t := text(q)
	t != ""
	m := regex.find_all_string_submatch_n(scan_pattern, t, 1)[0]
}

text(q) := q if is_string(q)

else := json.marshal(q) if is_number(q)

from_parts(sign_text, raw_num, denom, suffix) := decimal_value(sign_of(sign_text), num, denom, has_digits(raw_num, denom), exp) if {
	num := digits_or_zero(raw_num)
	exp := decimal_exponent(suffix)
} else := binary_value(sign_of(sign_text), digits_or_zero(raw_num), denom, has_digits(raw_num, denom), suffix) if {
	binary_suffixes[suffix]
}

sign_of(s) := -1 if s == "-"

else := 1

digits_or_zero(digits) := d if {
	d := trim_left(digits, "0")
	d != ""
} else := "0"

# The slow path re-reads the number with inf.Dec, which wants a digit.
has_digits(raw_num, denom) if raw_num != ""

else if denom != ""

else := false

decimal_exponent(suffix) := decimal_suffixes[suffix]

decimal_exponent(suffix) := wrap32(parse_int64(substring(suffix, 1, -1))) if {
	not suffix in object.keys(decimal_suffixes)
	not suffix in object.keys(binary_suffixes)
	count(suffix) > 1
	substring(suffix, 0, 1) in {"e", "E"}
}

# strconv.ParseInt(s, 10, 64), within our limit of three digits
# (policygen/quantity.py EXPONENT_DIGITS_MAX), which is far inside int64.
parse_int64(s) := sign_of(m[1]) * to_number(m[2]) if {
	m := regex.find_all_string_submatch_n(`^([+-]?)0*([0-9]+)$`, s, 1)[0]
	count(m[2]) <= 3
}

# Go's int32 conversion and arithmetic wrap around.
wrap32(x) := ((((x % 4294967296) + 4294967296) + 2147483648) % 4294967296) - 2147483648

# ParseQuantity's fast path: at most 18 digits and no finer than nano, kept exact.
decimal_value(sign, num, denom, digits_read, exp) := normal(sign, concat("", [num, denom]), scale) if {
	count(num) + count(denom) <= 18
	scale := wrap32(exp - count(denom))
	scale >= -9
} else := round_nano(normal(sign, concat("", [num, denom]), 0 - wrap32(count(denom) + wrap32(0 - exp)))) if {
	digits_read
}

binary_value(sign, num, denom, digits_read, suffix) := capped(round_nano(normal(sign, multiplied, 0 - count(denom)))) if {
	binary_computable(num, denom, digits_read, binary_suffixes[suffix])
	multiplied := times_binary(digits_or_zero(concat("", [num, denom])), suffix)
}

# digits times the suffix's factor, as digits. A product inside int64 is OPA's; a longer one is made of products of six digits
# and 1024, since OPA releases before 1.2x (gator v3.23 embeds 1.17) compute a product beyond int64 in floating
# point and keep 17 digits of it: 1.00000000000000000001Gi read as exactly 1Gi there.
times_binary(digits, suffix) := format_int(to_number(digits) * binary_factors[suffix], 10) if {
	count(digits) <= 18 - ((binary_suffixes[suffix] * 3) / 10)
} else := times_1024(digits) if {
	suffix == "Ki"
} else := times_1024(times_1024(digits)) if {
	suffix == "Mi"
} else := times_1024(times_1024(times_1024(digits))) if {
	suffix == "Gi"
} else := times_1024(times_1024(times_1024(times_1024(digits)))) if {
	suffix == "Ti"
} else := times_1024(times_1024(times_1024(times_1024(times_1024(digits))))) if {
	suffix == "Pi"
} else := times_1024(times_1024(times_1024(times_1024(times_1024(times_1024(digits)))))) if {
	suffix == "Ei"
}

# digits * 1024 by groups of six digits: sums[i] is group i's share (from the right) before carries; a carry
# reaches group i from a group j below it that overflowed, through groups that all hold 999999 or more.
times_1024(digits) := digits_or_zero(concat("", [sprintf("%06d", [(sums[i] + carried(sums, i)) % 1000000]) | some i in numbers.range(n, 0)])) if {
	n := ceil(count(digits) / 6)
	padded := concat("", [substring("00000", 0, (n * 6) - count(digits)), digits])
	products := [(to_number(digits_or_zero(substring(padded, ((n - 1) - i) * 6, 6))) * 1024) | some i in numbers.range(0, n - 1)]
	sums := [(low(products, i, n) + high(products, i)) | some i in numbers.range(0, n)]
}

low(products, i, n) := products[i] % 1000000 if i < n

else := 0

high(products, i) := floor(products[i - 1] / 1000000) if i > 0

else := 0

carried(sums, i) := 1 if {
	some j, s in sums
	j < i
	s >= 1000000
	not carry_stopped(sums, j, i)
} else := 0

carry_stopped(sums, j, i) if {
	some m, s in sums
	m > j
	m < i
	s < 999999
}

binary_computable(num, denom, _, power) if {
	denom == ""
	((15 - count(num)) - ((power * 3) / 10)) - 1 >= 0
}

binary_computable(_, _, true, _)

capped(q) := {"sign": q.sign, "digits": int64_max.digits, "exponent": 0} if {
	magnitude_less(int64_max, q)
} else := q

normal(sign, digits, exponent) := {"sign": sign, "digits": trimmed, "exponent": (exponent + count(stripped)) - count(trimmed)} if {
	stripped := trim_left(digits, "0")
	stripped != ""
	trimmed := trim_right(stripped, "0")
} else := zero

# A non-zero value finer than 1n goes up to the next nano, away from zero.
round_nano(q) := q if {
	q.exponent >= -9
} else := q if {
	q.sign == 0
} else := normal(q.sign, bump(head), -9 + (count(keep) - count(head))) if {
	keep_len := count(q.digits) - (-9 - q.exponent)
	keep := kept(q.digits, keep_len)
	head := trim_right(keep, "9")
}

kept(digits, n) := substring(digits, 0, n) if n > 0

else := ""

bump("") := "1"

bump(head) := concat("", [substring(head, 0, count(head) - 1), format_int(to_number(substring(head, count(head) - 1, 1)) + 1, 10)]) if {
	head != ""
}

magnitude_less(a, b) if count(a.digits) + a.exponent < count(b.digits) + b.exponent

magnitude_less(a, b) if {
	count(a.digits) + a.exponent == count(b.digits) + b.exponent
	a.digits < b.digits
}

# METADATA
# scope: document
# description: Whether quantity value a is less than b (both parsed).
less(a, b) if a.sign < b.sign

less(a, b) if {
	a.sign == b.sign
	a.sign > 0
	magnitude_less(a, b)
}

less(a, b) if {
	a.sign == b.sign
	a.sign < 0
	magnitude_less(b, a)
}

# METADATA
# description: -1, 0 or 1 as quantity a is below, equal to or above b; undefined unless both parse.
compare(a, b) := 0 if {
	parse(a) == parse(b)
} else := -1 if {
	less(parse(a), parse(b))
} else := 1 if {
	parse(a)
	parse(b)
}

# Nano-units per unit of each suffix nano() reads: exact integers (OPA's integer arithmetic is exact).
decimal_nano := {
	"n": 1, "u": 1000, "m": 1000000, "": 1000000000, "k": 1000000000000, "M": 1000000000000000,
	"G": 1000000000000000000, "T": 1000000000000000000000, "P": 1000000000000000000000000,
	"E": 1000000000000000000000000000,
}

binary_nano := {"Ki": 1024000000000, "Mi": 1048576000000000, "Gi": 1073741824000000000}

# METADATA
# description: >-
#   The value as a whole number of nano-units, for the shapes resources are
#   written in ("2", "100m", "1G", "128Mi"), the same number as
#   policygen/quantity.py's Quantity.nano(); undefined for every other shape,
#   which parse() reads. A rule compares these without building parse()'s value,
#   which is most of what a resource check costs per decision.
nano(q) := to_number(m[1]) * decimal_nano[m[2]] if {
	is_string(q)

	# No leading zero: to_number reads JSON numbers only.
	m := regex.find_all_string_submatch_n(`^(0|[1-9][0-9]{0,14})([numkMGTPE]?)$`, q, 1)[0]
} else := to_number(m[1]) * binary_nano[m[2]] if {
	is_string(q)
	m := regex.find_all_string_submatch_n(`^(0|[1-9][0-9]{0,8})(Ki|Mi|Gi)$`, q, 1)[0]
}

# METADATA
# description: The text policygen/quantity.py prints for the same value ("0", or [-]<digits>e<exponent>).
canonical(q) := "0" if {
	parse(q).sign == 0
} else := sprintf("%s%se%d", [minus_sign(v.sign), v.digits, v.exponent]) if {
	v := parse(q)
}

minus_sign(s) := "-" if s == -1

else := ""

# METADATA
# description: The quantity parses and is above zero.
positive(q) if parse(q).sign > 0

# METADATA
# description: The quantity parses, is not negative, and is at most the maximum.
at_most(q, maximum) if {
	v := parse(q)
	v.sign >= 0
	not less(parse(maximum), v)
}
