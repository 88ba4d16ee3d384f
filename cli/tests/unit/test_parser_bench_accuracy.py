"""``hirestream parser bench accuracy`` on a corpus written here: each field is scored on the
CVs annotated for it, the every-CV figures and the CVs left out are reported beside."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hirestream.cli.main import app

LABELLED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<cv>\n'
    '<label type="Name">Asha Rao</label>\n'
    "SKILLS\n"
    'Languages: <label type="Tech Tools">Java</label>, Python\n</cv>\n'
)
# Nobody labelled this CV's skills: the skills it lists cannot be judged.
UNLABELLED = (
    '<?xml version="1.0"?>\n<cv>\n<label type="Name">Li Wei</label>\nSKILLS\nJava, Python\n</cv>\n'
)


def test_fields_are_scored_where_annotated_and_every_cv_beside(tmp_path: Path) -> None:
    (tmp_path / "1.xml").write_text(LABELLED, encoding="utf-8")
    (tmp_path / "2.xml").write_text(UNLABELLED, encoding="utf-8")
    args = ["parser", "bench", "accuracy", "--corpus", str(tmp_path), "--formats", "text"]
    result = CliRunner().invoke(app, [*args, "--split", "tuning", "--json"])
    assert result.exit_code == 0, result.output
    tuning = json.loads(result.output)["text"]["tuning"]
    assert tuning["files"] == 2 and tuning["unannotated"]["skills"] == 1
    assert "name" not in tuning["unannotated"]
    # The unlabelled CV's two skills lower precision only under the previous rule (every
    # mention: what the claim classifier decides does not enter).
    field = "skills_every_mention"
    scored, every_cv = tuning["fields"][field], tuning["fields_every_cv"][field]
    assert scored["recall"] == every_cv["recall"]
    assert every_cv["precision"] < scored["precision"]

    table = CliRunner().invoke(app, [*args, "--split", "tuning"])
    assert table.exit_code == 0, table.output
    assert "| CVs not annotated | P / F1, every CV scored |" in table.output
