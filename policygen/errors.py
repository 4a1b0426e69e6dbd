"""Every exception policygen raises, in one tree under PolicygenError.

The CLI maps EngineError to exit status 3 and every other PolicygenError to 2;
library users catch the same classes (``except policygen.SpecError``).
"""

from __future__ import annotations

from pathlib import Path

# Every file name, key or value a message echoes is shown through the reports' own escaping.
from .visible import visible


class PolicygenError(Exception):
    """Base of every error policygen reports to a user."""


class SpecError(PolicygenError):
    """A spec file that cannot be read or does not validate.

    Carries the file and the field path so that the message points at the line
    a platform engineer has to change.
    """

    def __init__(self, file: Path | str, loc: str, msg: str) -> None:
        self.file = str(file)
        self.loc = loc
        self.msg = msg
        where = f"{visible(self.file)}: {visible(loc)}" if loc else visible(self.file)
        super().__init__(f"{where}: {visible(msg)}")


class SpecErrors(SpecError):
    """Every validation problem of one spec, reported together.

    A SpecError itself (file, loc and msg of the first problem), so that
    ``except SpecError`` catches a spec that fails validation too.
    """

    def __init__(self, errors: list[SpecError]) -> None:
        if not errors:
            raise ValueError("SpecErrors needs at least one SpecError")
        self.errors = list(errors)
        first = self.errors[0]
        self.file, self.loc, self.msg = first.file, first.loc, first.msg
        PolicygenError.__init__(self, "\n".join(str(e) for e in self.errors))


class InputError(PolicygenError):
    """A sample or resource file that cannot be read or parsed."""

    def __init__(self, file: Path | str, msg: str, loc: str = "") -> None:
        self.file = str(file)
        self.loc = loc
        self.msg = msg
        where = f"{visible(self.file)}: {visible(loc)}" if loc else visible(self.file)
        super().__init__(f"{where}: {visible(msg)}")


class OutputError(PolicygenError):
    """An output folder policygen must not or cannot write."""


class ImageRefError(PolicygenError, ValueError):
    """A string that is not an image reference as the container runtime reads it."""


class QuantityError(PolicygenError, ValueError):
    """A value that is not a Kubernetes resource quantity."""


class SettingError(PolicygenError):
    """A setting of the caller's (a POLICYGEN_* variable, a number of jobs) that does not parse: input, so exit 2."""


class EngineError(PolicygenError):
    """An engine that crashed, answered nonsense or could not be reached.

    Never turned into an "allowed" verdict: a broken engine proves nothing.
    """


class EngineNotInstalled(EngineError):
    def __init__(self, engine: str, install_hint: str, reason: str | None = None) -> None:
        self.engine = engine
        self.install_hint = install_hint
        if reason:
            super().__init__(f"engine {engine!r}: {reason}; unset it, or install the engine with: {install_hint}")
        else:
            super().__init__(f"engine {engine!r} is not installed; install it with: {install_hint}")


class EngineVersionMismatch(EngineError):
    """An engine named by the user (environment variable) that is not the pinned version."""

    def __init__(self, engine: str, path: str, found: str, pinned: str) -> None:
        self.engine, self.path, self.found, self.pinned = engine, path, found, pinned
        super().__init__(f"{engine} at {path} is version {found or 'unknown'}, policygen is pinned to {pinned}")


class YamlError(PolicygenError):
    """A document that kubectl would refuse, or that breaks a limit. line is 1-based in the file."""

    def __init__(self, msg: str, line: int | None = None) -> None:
        self.msg = msg
        self.line = line
        super().__init__(msg if line is None else f"line {line}: {msg}")


class YamlValueUnsupported(PolicygenError):
    """A YAML value kubectl's decoder cannot turn into JSON; the loader adds the line."""


class InputRefused(PolicygenError):
    """A path that is not a readable regular file of bounded size."""


class ClusterError(EngineError):
    """A control-plane component or admission controller that failed: an error, never a verdict."""


class RunInterrupted(PolicygenError):
    """An engine run whose caller was interrupted (SIGINT, SIGTERM): its worker threads, which see no signal,
    start no further engine process and end with this, which no one reads (policygen/engines/runner.py)."""


__all__ = [
    "ClusterError",
    "InputRefused",
    "YamlError",
    "YamlValueUnsupported",
    "EngineError",
    "EngineNotInstalled",
    "EngineVersionMismatch",
    "ImageRefError",
    "InputError",
    "OutputError",
    "PolicygenError",
    "QuantityError",
    "RunInterrupted",
    "SettingError",
    "SpecError",
    "SpecErrors",
]
