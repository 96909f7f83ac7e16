"""deploy/prometheus/alerts.yml: promtool's rule tests (alerts.test.yml beside this file) pass,
and they cover every alert — a case where it fires on a series Prometheus had not seen before
(increase() alone reads 0 there), and a case where it stays silent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.support import ROOT, promtool

RULES = ROOT / "deploy/prometheus/alerts.yml"
CASES = Path(__file__).with_name("alerts.test.yml")


def alert_names() -> list[str]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule]


def cases() -> list[dict[str, Any]]:
    spec = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    assert [(CASES.parent / f).resolve() for f in spec["rule_files"]] == [RULES]
    tests: list[dict[str, Any]] = spec["tests"]
    return tests


def test_the_alert_rules_pass_their_promtool_tests() -> None:
    assert "SUCCESS" in promtool("test", "rules", str(CASES))


def test_every_alert_is_shown_firing_on_a_fresh_series_and_staying_silent() -> None:
    for name in alert_names():
        fresh_and_firing = [
            case["name"]
            for case in cases()
            if any(s["values"].startswith("_") for s in case["input_series"])
            and any(t["alertname"] == name and t["exp_alerts"] for t in case["alert_rule_test"])
        ]
        silent = [
            case["name"]
            for case in cases()
            for t in case["alert_rule_test"]
            if t["alertname"] == name and not t["exp_alerts"]
        ]
        assert fresh_and_firing, f"{name}: no case where it fires on a series that was absent"
        assert silent, f"{name}: no case where it stays silent"


def test_the_dead_letter_alert_ignores_exactly_the_cleaners_page_verdicts() -> None:
    """Every selector of the dead-letter alert leaves out the same reasons, and those are the
    page verdicts (a reason added to one list and not the other would page someone for a 404,
    or silence a real fault)."""
    from medwire_common.reasons import PAGE_VERDICTS

    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    [expr] = [
        r["expr"] for g in groups for r in g["rules"] if r.get("alert") == "MedwireDeadLetters"
    ]
    selectors = re.findall(r"\{__name__=~\"medwire_\.\*_records_failed_total\"[^}]*\}", expr)
    excluded = [re.findall(r'reason!~"([^"]*)"', s) for s in selectors]
    # The `unless … offset` side needs no filter: it only removes series from the left side.
    filtered = [set(e[0].split("|")) for e in excluded if e]
    assert len(filtered) == 2, f"expected the new-series and increase() selectors filtered: {expr}"
    assert all(f == PAGE_VERDICTS for f in filtered), (filtered, sorted(PAGE_VERDICTS))
