from __future__ import annotations

import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from hirestream.kit.logs import JsonFormatter


def test_log_lines_are_json_with_trace_and_application_ids() -> None:
    tracer = TracerProvider().get_tracer("t")
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "retrying %s", ("e1",), None)
    with tracer.start_as_current_span("s") as span:
        span.set_attribute("hirestream.application_id", "a-1")
        line = JsonFormatter("parser").format(record)
    entry = json.loads(line)
    assert entry["service"] == "parser" and entry["message"] == "retrying e1"
    assert entry["application_id"] == "a-1"
    assert entry["trace_id"] == format(span.get_span_context().trace_id, "032x")
