"""`medwire dashboard`: the Grafana dashboard (`deploy/grafana/medwire.json`) drawn without
Grafana. Each panel's queries are run over a time range against Prometheus' HTTP API
(`/api/v1/query_range`) and plotted with matplotlib into one PNG, a row per dashboard row, the
repeated stage row once per stage. Where Grafana runs (`docker compose up -d`, :3000) it shows
the same dashboard; this draws it where Grafana cannot run, and lets a test look at the picture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

DEFAULT_DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "medwire.json"
_LABEL_VALUES = re.compile(r"label_values\((?P<selector>.+),\s*(?P<label>\w+)\)")
_LEGEND = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    unit: str = "none"


@dataclass(frozen=True)
class Series:
    name: str
    times: list[datetime]
    values: list[float]


@dataclass
class Drawn:
    """What a panel showed: its title and the series it plotted (those with any sample)."""

    title: str
    series: list[Series] = field(default_factory=list)


def expand(dashboard: dict[str, Any], variables: dict[str, list[str]]) -> list[Panel]:
    """The dashboard's panels in order, a repeated row's panels once per value of its variable
    (`$stage` → each stage), Grafana's `$__all` left to the repeat. Rows themselves draw
    nothing; the `datasource` variable is Prometheus itself here."""
    panels: list[Panel] = []
    repeat: str | None = None
    block: list[dict[str, Any]] = []

    def flush() -> None:
        values = variables.get(repeat, []) if repeat else [""]
        for value in values:
            for p in block:
                panels.append(_panel(p, {repeat: value} if repeat else {}))
        block.clear()

    for p in dashboard["panels"]:
        if p.get("type") == "row":
            flush()
            repeat = p.get("repeat")
            continue
        block.append(p)
    flush()
    return panels


def _panel(raw: dict[str, Any], values: dict[str, str]) -> Panel:
    def fill(text: str) -> str:
        for name, value in values.items():
            text = text.replace(f"${name}", value)
        return text

    queries = tuple(
        Query(fill(t["expr"]), fill(t.get("legendFormat", ""))) for t in raw.get("targets", [])
    )
    unit = raw.get("fieldConfig", {}).get("defaults", {}).get("unit", "none")
    return Panel(fill(raw["title"]), queries, unit)


def legend(template: str, labels: dict[str, str]) -> str:
    """Grafana's `{{label}}` legend filled from a series' labels (the labels themselves when
    there is no template)."""
    if not template:
        return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "__name__") or "·"
    return _LEGEND.sub(lambda m: labels.get(m.group(1), ""), template)


class Prometheus:
    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=timeout_s)

    def _get(self, path: str, params: dict[str, str]) -> Any:
        try:
            response = self.client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise RuntimeError(
                f"cannot reach Prometheus at {self.client.base_url}: {exc} "
                "(is it running? --prometheus URL)"
            ) from exc
        body = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        if response.status_code != 200 or body.get("status") != "success":
            raise RuntimeError(
                f"Prometheus {path} {params.get('query', params)}: HTTP {response.status_code} "
                f"{body.get('error', response.text[:200])}"
            )
        return body["data"]

    def label_values(self, definition: str) -> list[str]:
        """A Grafana `label_values(selector, label)` variable's values."""
        m = _LABEL_VALUES.fullmatch(definition.strip())
        if not m:
            raise ValueError(f"dashboard variable query {definition!r} is not label_values(…, …)")
        data = self._get(f"/api/v1/label/{m['label']}/values", {"match[]": m["selector"]})
        return sorted(data)

    def range(self, query: Query, start: datetime, end: datetime, step_s: float) -> list[Series]:
        data = self._get(
            "/api/v1/query_range",
            {
                "query": query.expr,
                "start": f"{start.timestamp():.3f}",
                "end": f"{end.timestamp():.3f}",
                "step": f"{step_s:g}",
            },
        )
        found = []
        for result in data["result"]:
            points = [
                (datetime.fromtimestamp(float(t), UTC), float(v)) for t, v in result["values"]
            ]
            points = [(t, v) for t, v in points if v == v]  # NaN: no value at that step
            if points:
                times, values = zip(*points, strict=True)
                found.append(
                    Series(legend(query.legend, result["metric"]), list(times), list(values))
                )
        return found


def variables(dashboard: dict[str, Any], prometheus: Prometheus) -> dict[str, list[str]]:
    """The values of each query variable (the stages), as Grafana's `All` would take them."""
    found = {}
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            definition = var.get("definition") or var["query"]["query"]
            found[var["name"]] = prometheus.label_values(definition)
    return found


def render(
    dashboard: dict[str, Any],
    prometheus_url: str,
    out: Path,
    minutes: float = 30.0,
    end: datetime | None = None,
) -> list[Drawn]:
    """Draw every panel over the last `minutes` into the PNG `out`; what each panel showed."""
    import matplotlib

    matplotlib.use("Agg")  # no display
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    prometheus = Prometheus(prometheus_url)
    end = end or datetime.now(UTC)
    start = end - timedelta(minutes=minutes)
    step = max(1.0, minutes * 60 / 240)  # about 240 points a line
    panels = expand(dashboard, variables(dashboard, prometheus))
    columns = 2
    rows = (len(panels) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(16, 3.2 * rows), squeeze=False)
    drawn = []
    for ax, panel in zip(axes.flat, panels, strict=False):
        shown = Drawn(panel.title)
        for query in panel.queries:
            for series in prometheus.range(query, start, end, step):
                ax.plot(series.times, series.values, label=series.name, linewidth=1.2)
                shown.series.append(series)
        ax.set_title(panel.title + ("" if panel.unit in ("none", "") else f" ({panel.unit})"))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M" if minutes > 60 else "%H:%M:%S"))
        if shown.series:
            ax.legend(fontsize=7, loc="upper left")
        else:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        drawn.append(shown)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    figure.suptitle(
        f"{dashboard.get('title', 'dashboard')}: {start:%Y-%m-%d %H:%M} – {end:%H:%M} UTC"
    )
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.4 / (3.2 * rows)))  # room for the title
    figure.savefig(out, dpi=80)
    plt.close(figure)
    return drawn
