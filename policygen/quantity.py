"""Kubernetes resource quantities, compared as quantities ("1Gi" > "1000Mi")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import QuantityError  # noqa: F401  (raised here; defined with every other error)

_SUFFIX = {
    "": Decimal(1),
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"),
    "T": Decimal("1e12"), "P": Decimal("1e15"), "E": Decimal("1e18"),
    "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30),
    "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}
# Kubernetes' grammar: a number, then a binary or decimal SI suffix, or a decimal exponent (1e3).
_QUANTITY = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")




def parse_quantity(value: object) -> Decimal:
    if isinstance(value, bool):
        raise QuantityError(f"not a quantity: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise QuantityError(f"not a quantity: {value!r}")
    m = _QUANTITY.match(value.strip())
    if not m or value != value.strip():
        raise QuantityError(f"not a Kubernetes quantity: {value!r} (e.g. 500m, 2, 512Mi, 1Gi)")
    try:
        number = Decimal(m.group(1))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise QuantityError(f"not a Kubernetes quantity: {value!r}") from exc
    if number < 0:
        raise QuantityError(f"a resource quantity is never negative: {value!r}")
    suffix = m.group(2) or ""
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        return number * Decimal(10) ** int(suffix[1:])
    return number * _SUFFIX[suffix]
