"""A CV's text made readable line by line: line breaks unified, lines that lost their breaks
split again, a heading run into its first entry split off. Length-preserving, so character
offsets stay valid for the document text."""

from __future__ import annotations

import re

from hirestream.parser.domain.experience import (
    find_ranges,
    is_title_part,
    org_like,
    restore_range_dashes,
)
from hirestream.parser.domain.sections import (
    EDUCATION,
    EXPERIENCE,
    heading_section,
    listed_heading,
)

_COLLAPSED_LINE = 300  # characters: longer lines with many wide gaps are several lines
_WIDE_GAP = re.compile(r"[ \t]{2,}")


def normalise(text: str) -> str:
    """Line breaks unified, and lines that lost their breaks (a whole CV on one line, its lines
    joined by runs of spaces, as some exports do) split again. Length-preserving, so character
    offsets stay valid for the document text."""
    text = text.replace("\r\n", " \n").replace("\r", "\n").replace("\f", "\n")
    # No-break and zero-width spaces (a Google Docs export writes "Android Instructor, \u200b")
    # are spaces to every reader below.
    text = text.replace("\u00a0", " ").replace("\x00", " ").replace("\u200b", " ")
    text = restore_range_dashes(text)
    if any(len(line) > _COLLAPSED_LINE for line in text.split("\n")):
        lines = []
        for line in text.split("\n"):
            if len(line) > _COLLAPSED_LINE and len(_WIDE_GAP.findall(line)) >= 5:
                line = _WIDE_GAP.sub(lambda m: "\n" + m.group()[1:], line)
            lines.append(line)
        text = "\n".join(lines)
        if text.startswith('"'):
            text = " " + text[1:]
    return "\n".join(_unglued_heading(line) for line in text.split("\n"))


# The sections whose entries are dated: a skills heading run into its list is left alone.
_ENTRY_SECTIONS = frozenset({EXPERIENCE, EDUCATION})
_FIRST_WORDS = re.compile(r"\s*(\S+)(?: (\S+))?(?: (\S+))?")


def _unglued_heading(line: str) -> str:
    """'Experience Disney Interactive Media Group January 2008 - Present': a heading the export
    ran into the first entry of its section, split off (one space becomes a line break) when
    the rest starts with a capital and is a dated entry or an employer, so a sentence
    ("Experience in Oracle, 2017 onwards") is left whole."""
    words = _FIRST_WORDS.match(line)
    if words is None:
        return line
    for count in (3, 2, 1):
        if words.group(count) is None:
            continue
        end = words.end(count)
        rest = line[end + 1 :]
        if (
            line[end : end + 1] == " "
            and rest[:1].isupper()
            and listed_heading(line[:end]) in _ENTRY_SECTIONS
            # "Education Specialist, Acme Schools, 2010 - 2012", "Volunteer, Soup Kitchen": titles
            and not is_title_part(f"{line[:end]} {rest.split()[0]}")
            # a dated entry, or an employer after a heading of two words or more ("Work
            # Experience Carnegie Mellon University"; "Education Specialist" is a title)
            and (find_ranges(rest) or (count > 1 and org_like(rest)))
            # (last: most lines never get this far, and the whole line may be a heading)
            and heading_section(line) is None
        ):
            return line[:end] + "\n" + rest
    return line
