"""policygen: approved Istio sidecars as policy, proven in OPA, conftest, Gatekeeper and Kyverno."""

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
    SpecError,
    SpecErrors,
)
from .output import Change
from .pipeline import TreeDiff, evaluate, generate, render_all, verify
from .plan import Plan, RulePlan, build_plan
from .samples import SampleSet, load_samples
from .spec import SidecarPolicy, load_spec, parse_spec
from .verdicts import Verdict, Violation
from .verify import Report, format_report



def __getattr__(name: str) -> str:
    # Read from the installed metadata on first use: `generate` and `eval` never pay for importlib.metadata.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
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
    "Plan",
    "PolicygenError",
    "QuantityError",
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
