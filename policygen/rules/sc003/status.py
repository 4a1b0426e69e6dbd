"""The grammar SC003 reads the injector's `sidecar.istio.io/status` annotation by, in every engine.

CEL in the API server has no JSON parser, so the CEL backends read the
annotation with these RE2 patterns; the Rego reads it with `document` too
(then parses it), so that an annotation is malformed in every engine or in
none. Istio's injector writes flat JSON without escapes.
"""

from __future__ import annotations

# The longest status annotation read (Istio's is a few hundred bytes): a regular expression over
# 256 KiB of annotations would overrun the CEL cost limit (docs/vap.md); a longer one is malformed.
STATUS_MAX_LENGTH = 4096

_WS = r"[ \t\n\r]*"
# A JSON string without escapes or control characters: with no backslash, a
# key cannot be spelled another way, and a string cannot hide a quote.
_STR = r'"[^"\\\x00-\x1f]*"'
_NUM = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
_SCALAR = rf"(?:{_STR}|null|true|false|{_NUM})"
_ARRAY = rf"\[{_WS}(?:{_SCALAR}(?:{_WS},{_WS}{_SCALAR})*)?{_WS}\]"
_MEMBER = rf"{_STR}{_WS}:{_WS}(?:{_SCALAR}|{_ARRAY})"
_NAME_KEYS = r'"(?:initContainers|containers)"'
# The other fields of Istio's SidecarInjectionStatus, as its injector writes them.
_INJECTOR_KEYS = ("imagePullSecrets", "revision", "volumes")


def _re2_literal(text: str) -> str:
    """text as an RE2 pattern that matches only itself."""
    return "".join(ch if ch.isascii() and ch.isalnum() else f"\\x{{{ord(ch):x}}}" for ch in text)


def status_patterns(sidecar_names: list[str]) -> dict[str, str]:
    """RE2 patterns that read the injector's `sidecar.istio.io/status` without a JSON parser.

    `document` accepts exactly a flat JSON object (scalars and arrays of
    scalars, no escapes): what Istio's injector writes. `member` finds each
    initContainers/containers member of such a document (a string followed by
    `:` can only be a key there); `anyNames` and `approvedNames` say whether a
    member is null or a list of strings, and of approved names; every key
    `foldedKey` finds must match `exactKey`.
    """
    def names_list(item: str) -> str:
        return rf"^{_member_of(item)}$"

    return {
        "document": rf"^{_WS}\{{{_WS}(?:{_MEMBER}(?:{_WS},{_WS}{_MEMBER})*)?{_WS}\}}{_WS}$",
        "member": rf"{_NAME_KEYS}{_WS}:{_WS}(?:{_ARRAY}|{_SCALAR})",
        # Istio reads the annotation with Go's encoding/json, which takes a key that differs in case
        # (Unicode simple folding: "Containers", "containerſ") for the field, the last one winning.
        # RE2's (?i) folds the same way; such a key that is not exactly the field's is malformed.
        "foldedKey": rf"(?i:{_NAME_KEYS}){_WS}:",
        "exactKey": rf"^{_NAME_KEYS}{_WS}:$",
        "anyNames": names_list(_STR),
        "approvedNames": names_list(_approved(sidecar_names)),
    }


def _approved(sidecar_names: list[str]) -> str:
    names = "|".join(_re2_literal(n) for n in sorted(sidecar_names)) or "[^\\x00-\\x{10ffff}]"
    return rf'"(?:{names})"'


def _member_of(item: str) -> str:
    return rf"{_NAME_KEYS}{_WS}:{_WS}(?:null|\[{_WS}(?:{item}(?:{_WS},{_WS}{item})*)?{_WS}\])"


def rego_status_patterns(sidecar_names: list[str]) -> dict[str, str]:
    """The patterns only the Rego reads, beside status_patterns' (the CEL has no use for them).

    `approvedMember` is `approvedNames` unanchored: where it finds as many
    members as `foldedKey` finds keys, each key is exact and names approved
    sidecars only. `name` finds each name in a member that `anyNames` matches,
    as its submatch: a string followed by "," or "]" is a list's member, where
    the key is followed by ":"; without escapes, its text is the name.

    `usualDocument` is the injector's own document, read by one match: a
    `document` whose every member is an approved-names member or one of the
    injector's other keys, written exactly. None of those keys folds to a
    name key, so every key `foldedKey` finds is an `approvedMember`: what
    `document` and the two counts say, at a third of the cost.
    """
    usual_member = rf'(?:{_member_of(_approved(sidecar_names))}|"(?:{"|".join(_INJECTOR_KEYS)})"{_WS}:{_WS}(?:{_SCALAR}|{_ARRAY}))'
    # The same without white space, numbers or booleans, as the injector writes it: a smaller program that
    # RE2 runs several times faster, for the whole set's usual pod (rules/sc003/usual.rego.jinja). Every
    # document it matches, usualDocument matches (tests/test_parsers_property.py).
    approved = _approved(sidecar_names)
    compact_member = (rf'(?:{_NAME_KEYS}:(?:null|\[(?:{approved}(?:,{approved})*)?\])'
                      rf'|"(?:{"|".join(_INJECTOR_KEYS)})":(?:null|{_STR}|\[(?:{_STR}(?:,{_STR})*)?\]))')
    return {
        "approvedMember": _member_of(_approved(sidecar_names)),
        "usualDocument": rf"^{_WS}\{{{_WS}(?:{usual_member}(?:{_WS},{_WS}{usual_member})*)?{_WS}\}}{_WS}$",
        "compactDocument": rf"^\{{(?:{compact_member}(?:,{compact_member})*)?\}}$",
        # compactDocument in half the length, for CEL, which pays a match by the pattern's length times the
        # text's: a document is "{}", or "{" + members + "}" where members + "," is this.
        "compactMembers": rf"^(?:{compact_member},)+$",
        "name": rf'"([^"\\\x00-\x1f]*)"{_WS}[,\]]',
    }


STATUS_DOCUMENT = status_patterns([])["document"]
