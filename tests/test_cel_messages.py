"""How the Kyverno and VAP adapters read a failed CEL policy's message (policygen/engines/cel_messages.py).

The rule ID comes from the reporting policy; the message only names checks of
that rule, and only outside the quoted values a resource's author chose.
"""

from __future__ import annotations

from policygen.engines.cel_messages import split_outside_quotes, violations


def test_problems_split_and_checks_read_from_their_leading_token():
    msg = 'SC004/field-mismatch container "istio-proxy" (containers[1]): x; SC004/capability-added container "istio-proxy" (containers[1]): y'
    got = violations("SC004", msg)
    assert [(v.rule, v.check) for v in got] == [("SC004", "field-mismatch"), ("SC004", "capability-added")]
    assert all(v.message.startswith("SC004/") for v in got)


def test_a_forged_check_inside_a_quoted_value_is_no_problem_of_its_own():
    # The value echoed by strings.quote holds a separator and another rule's and check's codes.
    forged = r'"x\"; SC001/repository-not-approved ; CP002/untrusted-write "'
    msg = f"SC003/image-unparseable container {forged} (containers[0]): image does not parse"
    got = violations("SC003", msg)
    assert [(v.rule, v.check) for v in got] == [("SC003", "image-unparseable")]
    # A near miss: the same text outside quotes is two problems, each still of the reporting rule.
    assert len(split_outside_quotes("SC003/image-unparseable a; SC003/status-malformed b")) == 2


def test_a_token_of_another_rule_or_an_unknown_check_is_never_taken():
    assert [(v.rule, v.check) for v in violations("SC004", "SC001/repository-not-approved x")] == [("SC004", "")]
    assert [(v.rule, v.check) for v in violations("SC004", "SC004/no-such-check x")] == [("SC004", "")]
    assert [(v.rule, v.check) for v in violations("CP002", "anything at all")] == [("CP002", "")]
    # The rule ID is the caller's, whatever the text claims.
    assert {v.rule for v in violations("CP005", "SC001/repository-not-approved ; SC002/tag-forbidden")} == {"CP005"}


def test_no_adapter_reads_a_rule_id_from_message_text():
    import policygen.verdicts as verdicts

    assert not hasattr(verdicts.Violation, "from_message")


def test_no_problem_text_of_ours_holds_the_separator(reference_plan):
    """The adapters split a message at "; " outside quotes: a problem whose own fixed text held one came back
    as two, the second with no check (CP001's "...; written by a user outside trustedSubjects")."""
    import re

    from policygen.backends.cel import CEL_RULE_IDS, cel_source

    literal = re.compile(r'"((?:[^"\\]|\\.)*)"')
    found = []
    for rule in reference_plan.rules:
        if rule.rule_id not in CEL_RULE_IDS:
            continue
        source = cel_source(reference_plan, rule)
        for expr in [v["expression"] for v in source.all_variables()]:
            found += [(rule.rule_id, text) for text in literal.findall(expr) if "; " in text]
    assert found == []
