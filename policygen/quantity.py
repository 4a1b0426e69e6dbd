"""Kubernetes resource quantities, read exactly as ``resource.ParseQuantity`` reads them.

Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):

    quantity := [+-] number suffix
    number   := digits | digits "." | digits "." digits | "." digits | ""
    suffix   := "" | n u m k M G T P E | Ki Mi Gi Ti Pi Ei | (e|E) [+-] digits

ParseQuantity's scanner also accepts an empty number ("k", "+", "." are 0),
and reads an exponent as an int64 that it then truncates to int32 ("1e4294967296"
is 1; we refuse exponents beyond +-999, see EXPONENT_DIGITS_MAX). Its value is
exact, except that

- a value finer than 1n is rounded away from zero to the next nano ("0.1n" is 1n);
- a binary-suffixed value is capped in magnitude at 2^63-1 ("8Ei" is 2^63-1);
- on the slow path (more than 18 significant digits, or a scale finer than
  nano) the int32 scale arithmetic wraps as Go's does.

A value is kept as (sign, digits, exponent): ``int(digits) * 10**exponent``,
digits without leading or trailing zeros, so that no float ever rounds it and
no exponent, however large, has to be expanded. The Rego library
(templates/rego/lib/quantity.rego) takes the same steps and compares the same
way; CEL uses Kubernetes' own quantity library. tests/test_parsers_property.py
holds the three together.
"""

from __future__ import annotations

import decimal
import math
import re
from dataclasses import dataclass
from functools import total_ordering

_SCAN = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*)([+-]?[0-9]*)")
_DECIMAL_SUFFIX = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIX = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_EXPONENT = re.compile(r"([+-]?)0*([0-9]+)")
INT64_MAX = 2**63 - 1
NANO = -9
# Our one limit beyond ParseQuantity's: a decimal exponent beyond +-999 is refused
# (malformed, so denied) in every engine. ParseQuantity reads "1e-2147483647"
# by building 10^2147483638 and "1e4294967296" as 1 (int32 wrap); the API
# server and Kyverno's CEL spend unbounded time on the first, and no manifest
# needs either. Below the bound the int32 wrap never applies.
EXPONENT_DIGITS_MAX = 3
# ParseQuantity's fast path takes at most this many significant digits.
_FAST_DIGITS = 18

from .errors import QuantityError  # noqa: F401  (raised here; defined with every other error)




def _wrap32(value: int) -> int:
    return (value + 2**31) % 2**32 - 2**31


@total_ordering
@dataclass(frozen=True)
class Quantity:
    """An exact quantity: ``sign * int(digits) * 10**exponent``; zero is ``(0, "", 0)``."""

    sign: int
    digits: str
    exponent: int

    @classmethod
    def of(cls, sign: int, digits: str, exponent: int) -> "Quantity":
        stripped = digits.lstrip("0")
        if not stripped:
            return cls(0, "", 0)
        trimmed = stripped.rstrip("0")
        return cls(sign, trimmed, exponent + len(stripped) - len(trimmed))

    def _magnitude_key(self) -> tuple[int, str]:
        # Order of magnitude first, then the digits: equal lengths of the
        # integer part make a plain string comparison exact.
        return (len(self.digits) + self.exponent, self.digits)

    def __lt__(self, other: "Quantity") -> bool:
        if self.sign != other.sign:
            return self.sign < other.sign
        if self.sign == 0:
            return False
        if self.sign > 0:
            return self._magnitude_key() < other._magnitude_key()
        return self._magnitude_key() > other._magnitude_key()

    def canonical(self) -> str:
        """The text the Rego library prints for the same value: ``[-]<digits>e<exponent>``, or ``0``."""
        if self.sign == 0:
            return "0"
        return f"{'-' if self.sign < 0 else ''}{self.digits}e{self.exponent}"

    def nano(self) -> int:
        """The value as a whole number of nano-units: exact, since a parsed quantity is never finer than 1n."""
        if self.sign == 0:
            return 0
        return self.sign * int(self.digits) * 10 ** (self.exponent - NANO)

    def to_decimal(self) -> decimal.Decimal:
        if self.sign == 0:
            return decimal.Decimal(0)
        return decimal.Decimal(f"{'-' if self.sign < 0 else ''}{self.digits}E{self.exponent}")


_INT64_MAX = Quantity.of(1, str(INT64_MAX), 0)


def _round_up_to_nano(q: Quantity) -> Quantity:
    if q.sign == 0 or q.exponent >= NANO:
        return q
    cut = NANO - q.exponent
    keep = q.digits[: max(len(q.digits) - cut, 0)]
    # digits has no trailing zeros, so whatever was cut is non-zero: add one nano.
    nines = len(keep) - len(keep.rstrip("9"))
    head = keep[: len(keep) - nines]
    bumped = head[:-1] + str(int(head[-1]) + 1) if head else "1"
    return Quantity.of(q.sign, bumped, NANO + nines)


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QuantityError(f"not a quantity: {value!r}"[:200])
    if isinstance(value, int):
        return format(decimal.Decimal(value), "f")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(f"not a quantity: {value!r}")
        return repr(value)
    return value


def _exponent(text: str) -> int:
    m = _EXPONENT.fullmatch(text)
    if not m:
        raise QuantityError("the exponent is not an integer")
    if len(m.group(2)) > EXPONENT_DIGITS_MAX:
        raise QuantityError(f"an exponent of more than {EXPONENT_DIGITS_MAX} digits is refused")
    return _wrap32(int(m.group(2)) * (-1 if m.group(1) == "-" else 1))


def parse(value: object) -> Quantity:
    """The exact value ParseQuantity gives ``value`` (a string, or a JSON number by its text)."""
    text = _text(value)
    m = _SCAN.fullmatch(text)
    if text == "" or not m:
        raise QuantityError(f"not a Kubernetes quantity: {text!r}"[:200] + " (e.g. 500m, 2, 512Mi, 1Gi)")
    sign_text, raw_num, denom, letters, tail = m.groups()
    denom = denom or ""
    num = raw_num.lstrip("0") or "0"
    # The slow path re-reads the number with inf.Dec, which wants a digit ("e-10" fails there).
    readable = bool(raw_num or denom)
    sign = -1 if sign_text == "-" else 1
    suffix = letters + tail
    digits = num + denom
    if suffix in _DECIMAL_SUFFIX or (suffix not in _BINARY_SUFFIX and len(suffix) > 1 and suffix[0] in "eE"):
        exp = _DECIMAL_SUFFIX[suffix] if suffix in _DECIMAL_SUFFIX else _exponent(suffix[1:])
        fast_scale = _wrap32(exp - len(denom))
        if len(digits) <= _FAST_DIGITS and fast_scale >= NANO:
            return Quantity.of(sign, digits, fast_scale)
        if not readable:
            raise QuantityError(f"not a Kubernetes quantity: {text!r}"[:200] + " (no digits)")
        return _round_up_to_nano(Quantity.of(sign, digits, -_wrap32(len(denom) + _wrap32(-exp))))
    if suffix in _BINARY_SUFFIX:
        power = _BINARY_SUFFIX[suffix]
        fast = denom == "" and 15 - len(num) - power * 3 // 10 - 1 >= 0
        if not fast and not readable:
            raise QuantityError(f"not a Kubernetes quantity: {text!r}"[:200] + " (no digits)")
        with decimal.localcontext() as ctx:
            ctx.prec = len(digits) + 40
            product = decimal.Decimal(digits) * (2**power)
        q = _round_up_to_nano(Quantity.of(sign, format(product, "f"), -len(denom)))
        if q.sign != 0 and Quantity.of(1, q.digits, q.exponent) > _INT64_MAX:
            return Quantity.of(q.sign, str(INT64_MAX), 0)
        return q
    raise QuantityError(f"not a Kubernetes quantity: {text!r}"[:200] + f" (unknown suffix {suffix!r})"[:80])


def parse_quantity(value: object) -> decimal.Decimal:
    """The exact value as a Decimal, for arithmetic on spec values; refuses negative quantities."""
    q = parse(value)
    if q.sign < 0:
        raise QuantityError(f"a resource quantity is never negative: {value!r}"[:200])
    return q.to_decimal()


# The shapes the Rego library's nano() reads without parse(): a whole number without a leading zero, of at
# most 15 digits before a decimal suffix and 9 before a binary one (templates/rego/lib/quantity.rego).
_NANO_SHAPES = ([(suffix, 10 ** (exp - NANO), 15) for suffix, exp in _DECIMAL_SUFFIX.items()]
                + [(suffix, 2**power * 10**-NANO, 9) for suffix, power in _BINARY_SUFFIX.items() if suffix in ("Ki", "Mi", "Gi")])


def _same_length(lo: str, hi: str) -> list[str]:
    """Patterns for the integers lo..hi, both written with the same number of digits."""
    if lo == hi:
        return [lo]
    if len(lo) == 1:
        return [f"[{lo}-{hi}]"]
    common = 0
    while lo[common] == hi[common]:
        common += 1
    if common:
        return [lo[:common] + p for p in _same_length(lo[common:], hi[common:])]
    rest = len(lo) - 1
    out = []
    start, stop = int(lo[0]), int(hi[0])
    if lo[1:] != "0" * rest:
        out += [lo[0] + p for p in _same_length(lo[1:], "9" * rest)]
        start += 1
    hi_full = hi[1:] == "9" * rest
    if not hi_full:
        stop -= 1
    if start <= stop:
        first = str(start) if start == stop else f"[{start}-{stop}]"
        out.append(first + ("[0-9]" if rest == 1 else f"[0-9]{{{rest}}}"))
    if not hi_full:
        out += [hi[0] + p for p in _same_length("0" * rest, hi[1:])]
    return out


def int_range_pattern(lo: int, hi: int) -> str:
    """A regular expression (unanchored) for the decimal integers lo..hi, written without leading zeros."""
    parts = []
    for digits in range(len(str(lo)), len(str(hi)) + 1):
        a, b = max(lo, 10 ** (digits - 1) if digits > 1 else 0), min(hi, 10**digits - 1)
        if a <= b:
            parts += _same_length(str(a), str(b))
    return "(?:" + "|".join(parts) + ")"


def at_most_pattern(max_nano: int | None, positive: bool) -> str | None:
    """An anchored regular expression for quantities nano() reads as at most max_nano (no bound: None), above
    zero if positive: each nano() shape whose number is in range. A quantity it matches has that value in
    every reader; one it does not match may still be within (another shape), and is left to parse(). None
    where no quantity is (a positive one at most zero)."""
    parts = []
    for suffix, unit, digits in _NANO_SHAPES:
        top = 10**digits - 1 if max_nano is None else min(max_nano // unit, 10**digits - 1)
        bottom = 1 if positive else 0
        if top >= bottom:
            parts.append(int_range_pattern(bottom, top) + suffix)
    return "^(?:" + "|".join(parts) + ")$" if parts else None
