"""Backends turn the rule plan into files; each lives in its own dist/ folder."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Protocol

from ..plan import Plan


class Backend(Protocol):
    name: str  # also its folder under dist/

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        """Every file of this backend, paths relative to dist/<name>/."""
        ...


def all_backends() -> list[Backend]:
    from .docs import DocsBackend
    from .exemptions import ExemptionsBackend
    from .gatekeeper import GatekeeperBackend, GatorSuitesBackend
    from .kyverno import KyvernoBackend
    from .rego import RegoBackend
    from .vap import VapBackend

    return [RegoBackend(), GatekeeperBackend(), GatorSuitesBackend(), KyvernoBackend(), VapBackend(), DocsBackend(), ExemptionsBackend()]
