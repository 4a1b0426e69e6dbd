"""Text a report shows a person, with every character that could act instead of being read made visible.

Names, messages and file paths in a report carry text the judged resource's
author (or whoever named the file) chose. Written raw, a control character
forges a line (LF, CR, NEL, U+2028), drives the reader's terminal (ESC, the C1
CSI U+009B), ends a GitHub workflow command, or makes a JUnit file that is not
XML at all (XML 1.0 holds no C0 control but tab and line breaks, no lone
surrogate, no U+FFFE or U+FFFF). A lone surrogate is what Python makes of a
file name that is not UTF-8; written raw it is an encoding error.

``visible`` replaces each such character with its escape as plain text:
``\\x1b`` for a code point below U+0100, ``\\u2028`` above (``\\udcff`` for
the byte 0xff of a file name). Every report format a person reads (text,
junit, github, the messages of sarif) shows attacker text through it, so the
same input reads the same in each.
"""

from __future__ import annotations

import re

# C0 controls, DEL and the C1 controls (Unicode category Cc); line and paragraph separators (Zl, Zp); the
# bidirectional controls that reorder what a line shows (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069);
# lone surrogates (Cs); and U+FFFE, U+FFFF, which XML 1.0 excludes.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """text with each unsafe character (``UNSAFE``) written as its escape, everything else as it is."""
    return UNSAFE.sub(_escape, text)


def visible_lines(text: str) -> str:
    """visible(), keeping the line feeds: for a body the report itself laid out line by line."""
    return "\n".join(visible(line) for line in text.split("\n"))
