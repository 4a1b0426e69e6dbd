"""Engine adapters: each runs its backend's generated artifacts in the real engine."""

from __future__ import annotations

import importlib

from ..errors import PolicygenError
from .base import Engine

# name -> "module:Class"; imported on use so that one engine's import cost or
# absence never touches the others.
ENGINES: dict[str, str] = {
    "opa": "policygen.engines.opa:OpaEngine",
    "conftest": "policygen.engines.conftest:ConftestEngine",
    "gator": "policygen.engines.gator:GatorEngine",
    "kyverno": "policygen.engines.kyverno:KyvernoEngine",
    "vap": "policygen.engines.vap:VapEngine",
}
# Real admission through a Kubernetes API server: started processes, so never
# among the engines `verify` runs by default.
CLUSTER_ENGINES: dict[str, str] = {"cluster": "policygen.engines.cluster:ClusterEngine"}


def get_engine(name: str) -> Engine:
    known = {**ENGINES, **CLUSTER_ENGINES}
    if name not in known:
        raise PolicygenError(f"unknown engine {name!r}; choose one of: {', '.join(known)}")
    module, cls = known[name].split(":")
    return getattr(importlib.import_module(module), cls)()
