"""Capability names compared as the container runtime compares them.

containerd and CRI-O upper-case a name with Go's strings.ToUpper and add the
CAP_ prefix when it is missing, then look it up among the kernel's
capabilities. Go's ToUpper maps some non-ASCII letters onto ASCII ones ("ſ" to
"S", "ı" to "I"), so "ſys_admin" is SYS_ADMIN to the runtime, while CEL's
upperAscii leaves it alone and Python's upper() maps "ß" to "SS". No capability
name holds anything but ASCII letters and "_", so we read only those, upper-case
them ASCII-only and drop one CAP_ prefix; anything else (another character, a
non-string, a bare CAP_) is unparseable: it matches no approved name, and where
a rule lists forbidden names it counts as forbidden.

The Rego library (``pods.capability`` in templates/rego/lib/pods.rego) and the
Kyverno CEL (``capability`` in templates/kyverno/lib/pod.jinja) do the same.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z_]+")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def runtime_capability(name: object) -> str | None:
    """The name without CAP_ in upper case, or None when no runtime would read it as a capability."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return None
    upper = name.translate(_ASCII_UPPER)
    bare = upper[4:] if upper.startswith("CAP_") else upper
    return bare or None


def dropped_capability(name: object) -> str | None:
    """What a drop entry removes under every runtime, or None.

    containerd drops everything only for an entry that is ALL (any case) and
    prefixes CAP_ to every other entry, so `CAP_ALL` or `CAP_NET_RAW` drops
    nothing there (CAP_CAP_ALL is no capability), though CRI-O would read
    them. A must-drop list is satisfied only by what both runtimes drop.
    """
    if isinstance(name, str) and name.translate(_ASCII_UPPER).startswith("CAP_"):
        return None
    return runtime_capability(name)
