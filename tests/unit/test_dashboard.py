"""`medwire dashboard`'s pure parts: the dashboard's panels expanded (the stage row once per
stage, `$stage` filled in), and Grafana's legend templates."""

from __future__ import annotations

import json

from medwire_cli.dashboard import DEFAULT_DASHBOARD, expand, legend


def test_the_stage_row_repeats_once_per_stage_with_its_name_in_every_query() -> None:
    dashboard = json.loads(DEFAULT_DASHBOARD.read_text(encoding="utf-8"))
    stages = ["medwire-api", "medwire-cleaner"]
    panels = expand(dashboard, {"stage": stages})
    for stage in stages:
        own = [p for p in panels if p.title.startswith(f"{stage}:")]
        assert {p.title.split(": ", 1)[1] for p in own} >= {"records /s", "consumer lag"}
        assert all(f'job="{stage}"' in q.expr for p in own for q in p.queries)
    assert not any("$stage" in q.expr for p in panels for q in p.queries)
    rows = [p for p in dashboard["panels"] if p["type"] == "row"]
    plain = [p for p in dashboard["panels"] if p["type"] != "row"]
    per_stage = len(panels) - (len(plain) - 4)
    assert per_stage == 4 * len(stages) and any(r.get("repeat") == "stage" for r in rows)


def test_a_dashboard_without_stages_draws_no_stage_panels() -> None:
    dashboard = json.loads(DEFAULT_DASHBOARD.read_text(encoding="utf-8"))
    assert not any("$stage" in p.title or "medwire-" in p.title for p in expand(dashboard, {}))


def test_legends_are_filled_from_labels() -> None:
    assert legend("{{job}} {{reason}}", {"job": "medwire-api", "reason": "x"}) == "medwire-api x"
    assert legend("p95", {"job": "a"}) == "p95"
    assert legend("", {"__name__": "up", "job": "a"}) == "job=a"
