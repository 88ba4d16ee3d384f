"""The shared labelled resume corpus: CV text with inline ``<label type="...">`` spans.

Files whose number is a multiple of 5 are the held-out split: never looked at while tuning the
parser, reported separately so the figures show what holds on unseen CVs.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CORPUS = Path("/work/shared/data/resume-ner-train")
LABEL = re.compile(r'<label type="([^"]+)">(.*?)</label>', re.DOTALL)
_WRAPPER = re.compile(r"^\s*<\?xml[^>]*\?>\s*<cv>|</cv>\s*$")
_TAG = re.compile(r"</?label[^>]*>")
# The export wrote some non-ASCII characters as literal byte escapes ("Z\\xc3\\xbcrich"): decoded
# in text and labels alike, as the CV showed them.
_ESCAPED_BYTES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")


def _unescape_bytes(text: str) -> str:
    def decode(match: re.Match[str]) -> str:
        raw = bytes(int(h, 16) for h in match.group().split("\\x")[1:])
        return raw.decode("utf-8", errors="replace")

    return _ESCAPED_BYTES.sub(decode, text)


@dataclass(frozen=True)
class LabelledCv:
    number: int
    text: str
    labels: dict[str, list[str]]  # label type → values as written (entities decoded)
    # label type → where each labelled value is written in ``text``, in the order of ``labels``
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def held_out(self) -> bool:
        return self.number % 5 == 0


def load_corpus(directory: Path = DEFAULT_CORPUS) -> list[LabelledCv]:
    cvs = []
    for path in sorted(directory.glob("*.xml"), key=lambda p: (len(p.stem), p.stem)):
        if not path.stem.isdigit():
            continue
        raw = _unescape_bytes(path.read_text(encoding="utf-8"))
        labels: dict[str, list[str]] = defaultdict(list)
        for kind, value in LABEL.findall(raw):
            labels[kind].append(" ".join(html.unescape(_TAG.sub("", value)).split()))
        text, spans = _text_and_spans(_WRAPPER.sub("", raw))
        cvs.append(LabelledCv(int(path.stem), text, dict(labels), spans))
    return cvs


_TAG_OR_TEXT = re.compile(r'<label type="([^"]+)">|</label>|[^<]+|<')


def _text_and_spans(body: str) -> tuple[str, dict[str, list[tuple[int, int]]]]:
    """The CV text without tags (entities decoded) and the span of every label in it."""
    pieces: list[str] = []
    length = 0
    open_labels: list[tuple[str, int]] = []
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in _TAG_OR_TEXT.finditer(body):
        if m.group(1) is not None:
            open_labels.append((m.group(1), length))
        elif m.group() == "</label>":
            if open_labels:
                kind, start = open_labels.pop()
                spans[kind].append((start, length))
        else:
            chunk = html.unescape(m.group())
            pieces.append(chunk)
            length += len(chunk)
    text = "".join(pieces)
    lead = len(text) - len(text.lstrip("\n"))
    text = text.strip("\n")
    return text, {
        kind: [(max(0, a - lead), min(len(text), b - lead)) for a, b in found]
        for kind, found in spans.items()
    }
