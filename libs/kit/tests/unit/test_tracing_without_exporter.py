"""Without an exporter spans are not recorded, yet traces keep their ids end to end; with
one they are recorded. setup_tracing installs a process-global provider: each case runs in
its own interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
from hirestream.kit.telemetry import current_carrier, setup_tracing, tracer
setup_tracing("probe", trace_file=sys.argv[1] or None)
with tracer().start_as_current_span("root") as span:
    carrier = current_carrier()
    context = span.get_span_context()
    print(json.dumps({"recording": span.is_recording(), "valid": context.is_valid,
                      "trace_id": format(context.trace_id, "032x"),
                      "traceparent": carrier.get("traceparent", "")}))
"""


def _probe(trace_file: str = "") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, trace_file], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_without_an_exporter_spans_are_not_recorded_but_carry_trace_ids() -> None:
    seen = _probe()
    assert seen["recording"] is False
    assert seen["valid"] is True
    assert str(seen["traceparent"]).split("-")[1] == seen["trace_id"]


def test_with_a_trace_file_spans_are_recorded(tmp_path: object) -> None:
    path = f"{tmp_path}/spans.jsonl"
    seen = _probe(path)
    assert seen["recording"] is True
    with open(path, encoding="utf-8") as spans:
        assert json.loads(spans.readline())["name"] == "root"
