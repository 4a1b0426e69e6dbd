"""policygen: approved Istio sidecars as policy, proven in OPA, conftest, Gatekeeper and Kyverno."""

import importlib as _importlib
import typing as _typing

# Where each public name lives, imported on first use: the command imports only what it runs, so that a
# SIGINT while it starts is its own to catch (policygen/command.py), and `import policygen.errors` costs
# one module. No public name is also a submodule's: importing that submodule would rebind the name.
_HOMES = {
    "ClusterError": "errors",
    "InputRefused": "errors",
    "YamlError": "errors",
    "YamlValueUnsupported": "errors",
    "EngineError": "errors",
    "EngineNotInstalled": "errors",
    "EngineVersionMismatch": "errors",
    "ImageRefError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
    "PolicygenError": "errors",
    "SettingError": "errors",
    "QuantityError": "errors",
    "RunInterrupted": "errors",
    "SpecError": "errors",
    "SpecErrors": "errors",
    "Change": "output",
    "TreeDiff": "pipeline",
    "evaluate": "pipeline",
    "generate": "pipeline",
    "render_all": "pipeline",
    "verify": "pipeline",
    "Plan": "plan",
    "RulePlan": "plan",
    "build_plan": "plan",
    "SampleSet": "samples",
    "load_samples": "samples",
    "SidecarPolicy": "spec",
    "load_spec": "spec",
    "parse_spec": "spec",
    "Verdict": "verdicts",
    "Violation": "verdicts",
    "Report": "verification",
    "format_report": "verification",
}

if _typing.TYPE_CHECKING:
    from .errors import (
        ClusterError,
        InputRefused,
        YamlError,
        YamlValueUnsupported,
        EngineError,
        EngineNotInstalled,
        EngineVersionMismatch,
        ImageRefError,
        InputError,
        OutputError,
        PolicygenError,
        QuantityError,
        RunInterrupted,
        SettingError,
        SpecError,
        SpecErrors,
    )
    from .output import Change
    from .pipeline import TreeDiff, evaluate, generate, render_all, verify
    from .plan import Plan, RulePlan, build_plan
    from .samples import SampleSet, load_samples
    from .spec import SidecarPolicy, load_spec, parse_spec
    from .verdicts import Verdict, Violation
    from .verification import Report, format_report


def __getattr__(name: str) -> object:
    if name == "__version__":
        return _version()
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _version() -> str:
    # Read from the installed metadata on first use: `generate` and `eval` never pay for importlib.metadata.
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("policygen")
    except PackageNotFoundError:  # a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found


__all__ = [
    "ClusterError",
    "InputRefused",
    "YamlError",
    "YamlValueUnsupported",
    "Change",
    "EngineError",
    "EngineNotInstalled",
    "EngineVersionMismatch",
    "ImageRefError",
    "InputError",
    "OutputError",
    "SettingError",
    "Plan",
    "PolicygenError",
    "QuantityError",
    "RunInterrupted",
    "Report",
    "RulePlan",
    "SampleSet",
    "SidecarPolicy",
    "SpecError",
    "SpecErrors",
    "TreeDiff",
    "Verdict",
    "Violation",
    "__version__",
    "build_plan",
    "evaluate",
    "format_report",
    "generate",
    "load_samples",
    "load_spec",
    "parse_spec",
    "render_all",
    "verify",
]
