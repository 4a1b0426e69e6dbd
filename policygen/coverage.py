"""Which engine enforces which rule: one source for the README and the docs backend."""

from __future__ import annotations

from .backends.rego import UNSUPPORTED as REGO_UNSUPPORTED
from .backends.vap import UNSUPPORTED as VAP_UNSUPPORTED
from .rules import ALL_RULE_IDS, CATALOGUE, RULES

# engine -> (backend folder, rule IDs it cannot evaluate)
ENGINE_SUPPORT: dict[str, tuple[str, frozenset[str]]] = {
    "OPA": ("rego", REGO_UNSUPPORTED),
    "conftest": ("rego", REGO_UNSUPPORTED),
    "Gatekeeper (gator)": ("gatekeeper", REGO_UNSUPPORTED),
    "Kyverno": ("kyverno", frozenset()),
    "ValidatingAdmissionPolicy": ("vap", VAP_UNSUPPORTED),
}
ENFORCED = "yes"
NOT_EVALUATED = "no: reported in notEvaluated"
# What a cell says instead of yes/no, from each rule folder's coverage_notes.
NOTES = {(engine, rule.rule_id): note for rule in RULES for engine, note in rule.coverage_notes.items()}


def coverage_table() -> str:
    engines = list(ENGINE_SUPPORT)
    lines = [
        "| ID | rule | " + " | ".join(engines) + " |",
        "|---|---|" + "---|" * len(engines),
    ]
    for rule_id in ALL_RULE_IDS:
        info = CATALOGUE[rule_id]
        cells = []
        for engine in engines:
            _, unsupported = ENGINE_SUPPORT[engine]
            cells.append(NOTES.get((engine, rule_id), NOT_EVALUATED if rule_id in unsupported else ENFORCED))
        lines.append(f"| {rule_id} | {info.title}: {info.description} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(coverage_table(), end="")
