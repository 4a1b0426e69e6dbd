"""The one exception family policygen raises; the CLI maps it to exit status 2."""

from __future__ import annotations

from pathlib import Path


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
        where = f"{self.file}: {loc}" if loc else self.file
        super().__init__(f"{where}: {msg}")


class SpecErrors(PolicygenError):
    """Every validation problem of one spec, reported together."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class InputError(PolicygenError):
    """A sample or resource file that cannot be read or parsed."""

    def __init__(self, file: Path | str, msg: str, loc: str = "") -> None:
        self.file = str(file)
        self.loc = loc
        where = f"{self.file}: {loc}" if loc else self.file
        super().__init__(f"{where}: {msg}")


class EngineError(PolicygenError):
    """An engine that crashed, answered nonsense or could not be reached.

    Never turned into an "allowed" verdict: a broken engine proves nothing.
    """


class EngineNotInstalled(EngineError):
    def __init__(self, engine: str, install_hint: str) -> None:
        self.engine = engine
        self.install_hint = install_hint
        super().__init__(f"engine {engine!r} is not installed; install it with: {install_hint}")
