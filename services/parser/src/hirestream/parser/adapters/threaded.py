"""Runs the CPU-bound extractors off the event loop, traced as their own span."""

from __future__ import annotations

import asyncio

from hirestream.kit.telemetry import tracer
from hirestream.parser.adapters.extractors import extract_text


async def extract_in_thread(data: bytes, media_type: str) -> str:
    with tracer().start_as_current_span("parser.extract_text") as span:
        span.set_attribute("hirestream.media_type", media_type)
        span.set_attribute("hirestream.size", len(data))
        return await asyncio.to_thread(extract_text, data, media_type)
