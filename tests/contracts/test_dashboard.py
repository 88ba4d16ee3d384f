"""The Grafana dashboard in deploy/grafana, checked without Grafana: valid JSON, a templated
Prometheus datasource, PromQL on every panel, and only metric names the services export."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "hirestream-pipeline.json"
DS_VAR = "DS_PROMETHEUS"

# The metrics the services expose (hirestream.kit.metrics and the parser), by type.
METRICS = {
    "hirestream_events_processed_total": "counter",
    "hirestream_event_processing_seconds": "histogram",
    "hirestream_stage_latency_seconds": "histogram",
    "hirestream_outbox_backlog": "gauge",
    "hirestream_outbox_published_total": "counter",
    "hirestream_dead_letters": "gauge",
    "hirestream_consumer_lag": "gauge",
    "hirestream_redrives_total": "counter",
    "hirestream_parse_failures_total": "counter",
    "hirestream_http_requests_total": "counter",
}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# What the issue asks the dashboard to show: each metric appears in at least one panel.
REQUIRED = set(METRICS)

PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
    "and", "or", "unless", "inf", "nan", "atan2",
}  # fmt: skip


# ---------------------------------------------------------------------------------- helpers


@cache
def dashboard() -> dict[str, Any]:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def all_panels(panels: list[dict[str, Any]] | None = None) -> Iterator[dict[str, Any]]:
    """Every panel, including those nested in (collapsed) rows."""
    for panel in dashboard()["panels"] if panels is None else panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def data_panels() -> list[dict[str, Any]]:
    return [p for p in all_panels() if p.get("type") != "row"]


def expressions() -> list[tuple[str, str]]:
    found = [(p["title"], t["expr"]) for p in data_panels() for t in p.get("targets", [])]
    for var in dashboard()["templating"]["list"]:
        if var.get("type") == "query":
            query = var["query"]
            query = query["query"] if isinstance(query, dict) else query
            # label_values(<series selector>, <label>): the selector is PromQL, the label is not.
            match = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", query)
            found.append((f"${var['name']}", match.group(1) if match else query))
    return found


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers left once strings, label matchers,
    ranges, grouping clauses, function calls and keywords are taken out."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][\w:]*)\s*(\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_WORDS:
            continue
        names.add(name)
    return names


def base_metric(name: str) -> str:
    for suffix in HISTOGRAM_SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and METRICS.get(stem) == "histogram":
            return stem
    return name


# ---------------------------------------------------------------------------------- tests


def test_dashboard_is_valid_json_with_a_schema() -> None:
    data = dashboard()
    assert data["title"] and data["uid"]
    assert 36 <= data["schemaVersion"] <= 41
    assert data["panels"], "no panels"


def test_only_json_dashboards_in_the_folder() -> None:
    for path in GRAFANA.iterdir():
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


def test_panel_ids_are_unique() -> None:
    ids = [p.get("id") for p in all_panels()]
    assert None not in ids, "a panel without id"
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {ids}"


def test_every_panel_has_a_promql_target() -> None:
    for panel in data_panels():
        targets = panel.get("targets") or []
        assert targets, f"panel {panel.get('title')!r} has no target"
        for target in targets:
            assert target.get("expr", "").strip(), f"panel {panel['title']!r}: empty expr"
            assert target.get("refId"), f"panel {panel['title']!r}: target without refId"
        ref_ids = [t["refId"] for t in targets]
        assert len(ref_ids) == len(set(ref_ids)), f"panel {panel['title']!r}: duplicate refId"


def test_panels_fit_the_grid() -> None:
    for panel in all_panels():
        pos = panel["gridPos"]
        assert pos["x"] >= 0, panel.get("title")
        assert pos["x"] + pos["w"] <= 24, panel.get("title")
        assert pos["h"] > 0, panel.get("title")


def test_datasource_is_templated() -> None:
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    inputs = {i["name"]: i for i in dashboard().get("__inputs", [])}
    if DS_VAR in variables:
        assert variables[DS_VAR]["type"] == "datasource"
        assert variables[DS_VAR]["query"] == "prometheus"
    else:
        assert inputs.get(DS_VAR, {}).get("pluginId") == "prometheus", "no ${DS_PROMETHEUS}"
    refs = [p.get("datasource") for p in data_panels()]
    refs += [t.get("datasource") for p in data_panels() for t in p["targets"]]
    refs += [v.get("datasource") for v in variables.values() if v.get("type") == "query"]
    for ref in refs:
        assert isinstance(ref, dict), f"datasource {ref!r} is not a reference"
        assert ref.get("type") == "prometheus", ref
        assert ref.get("uid") == "${" + DS_VAR + "}", f"hard-wired datasource {ref!r}"


def test_parser_finds_metric_names() -> None:
    """The name extraction the next test relies on."""
    expr = (
        'histogram_quantile(0.95, sum by (service, le) (rate(foo_seconds_bucket{a=~"$x",'
        ' b="c d"}[$__rate_interval]))) / on (service) group_left bar_total offset 5m'
    )
    assert metric_names(expr) == {"foo_seconds_bucket", "bar_total"}
    assert metric_names("sum(up) > bool 0 and nan") == {"up"}


def collected_expressions() -> list[tuple[str, str]]:
    """Computed while collecting: a broken file fails test_dashboard_is_valid_json_with_a_schema
    instead of the collection."""
    try:
        return expressions()
    except Exception:
        return []


@pytest.mark.parametrize(("where", "expr"), collected_expressions(), ids=lambda v: str(v)[:60])
def test_expressions_use_only_exported_metrics(where: str, expr: str) -> None:
    names = metric_names(expr)
    assert names, f"{where}: no metric in {expr!r}"
    for name in names:
        base = base_metric(name)
        assert base in METRICS, f"{where}: unknown metric {name!r} in {expr!r}"
        kind = METRICS[base]
        if kind == "histogram":
            assert name != base, f"{where}: histogram {base} used without _bucket/_sum/_count"
        if kind == "counter" or name.endswith(("_sum", "_count", "_bucket")):
            # Raw counters are meaningless on a graph: rate() or increase() them.
            pattern = rf"\b(rate|irate|increase)\(\s*{re.escape(name)}\b"
            if not where.startswith("$"):
                assert re.search(pattern, expr), f"{where}: {name} outside rate()/increase()"


def test_quantiles_are_computed_over_buckets_by_le() -> None:
    quantiles = [(w, e) for w, e in expressions() if "histogram_quantile" in e]
    assert quantiles, "no histogram_quantile"
    for where, expr in quantiles:
        assert "_bucket" in expr, f"{where}: histogram_quantile without _bucket"
        assert re.search(r"by\s*\([^)]*\ble\b", expr), f"{where}: aggregation drops `le`"
    stage = {e for _, e in quantiles if "hirestream_stage_latency_seconds_bucket" in e}
    shown = {float(m) for e in stage for m in re.findall(r"histogram_quantile\(\s*([\d.]+)", e)}
    assert {0.5, 0.95, 0.99} <= shown, f"stage latency quantiles: {sorted(shown)}"


def test_every_exported_metric_is_on_the_dashboard() -> None:
    used = {base_metric(n) for _, e in expressions() for n in metric_names(e)}
    assert used >= REQUIRED, f"not shown: {sorted(REQUIRED - used)}"


def test_metric_types_match_the_service_registry() -> None:
    """The types above agree with what hirestream.kit.metrics registers."""
    from prometheus_client.metrics import MetricWrapperBase

    from hirestream.kit import metrics

    registered = {}
    for value in vars(metrics).values():
        if not isinstance(value, MetricWrapperBase):
            continue
        for family in value.describe():
            name = family.name + ("_total" if family.type == "counter" else "")
            registered[name] = family.type
    assert registered, "hirestream.kit.metrics registers nothing"
    for name, kind in registered.items():
        if name in METRICS:
            assert METRICS[name] == kind, f"{name}: {kind} in the code, {METRICS[name]} here"
