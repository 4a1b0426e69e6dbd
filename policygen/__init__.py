"""policygen: approved Istio sidecars as policy, proven in OPA, conftest, Gatekeeper and Kyverno."""

from .errors import PolicygenError, SpecError
from .pipeline import evaluate, generate, render_all
from .plan import Plan, RulePlan, build_plan
from .samples import load_samples
from .spec import SidecarPolicy, load_spec
from .verdicts import Verdict, Violation

__all__ = [
    "Plan",
    "PolicygenError",
    "RulePlan",
    "SidecarPolicy",
    "SpecError",
    "Verdict",
    "Violation",
    "build_plan",
    "evaluate",
    "generate",
    "load_samples",
    "load_spec",
    "render_all",
]
