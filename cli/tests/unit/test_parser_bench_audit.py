"""``hirestream parser bench audit`` on a corpus written here: it lists out-of-fold errors with
their context, and turns a judged sample into the estimate."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hirestream.cli.main import app

CV = (
    '<?xml version="1.0"?>\n<cv>\nEXPERIENCE\n'
    '<label type="Designation">Engineer</label>, <label type="Companies worked at">Acme Corp'
    "</label>\nJan 2019 - Mar 2021\n"
    "Referee: Jane Roe, {referee}\n</cv>\n"
)
# One CV labels the referee's employer, the others do not: the model trained on the others
# reads it as "other", so that label is missed out of fold.
LABELLED_REFEREE = '<label type="Companies worked at">Globex</label>'


def test_the_audit_lists_errors_and_estimates_from_a_judged_sample(tmp_path: Path) -> None:
    for n in (1, 2, 3, 4, 6, 7, 8, 9):  # no multiple of 5: the tuning split only
        referee = LABELLED_REFEREE if n == 1 else f"Initech {n}"
        (tmp_path / f"{n}.xml").write_text(CV.format(referee=referee), encoding="utf-8")
    args = ["parser", "bench", "audit", "--corpus", str(tmp_path), "--fields", "companies"]
    result = CliRunner().invoke(app, [*args, "--sample", "3"])
    assert result.exit_code == 0, result.output
    header, *rows = [line.split("\t") for line in result.output.splitlines()]
    assert header[:6] == ["field", "error", "cv", "source", "value", "verdict"]
    missed = [r for r in rows if r[1] == "missed"]
    assert [(r[2], r[4]) for r in missed] == [("1", "globex")]
    assert "Jane Roe, [[Globex]]" in missed[0][7]

    judged = tmp_path / "judged.tsv"
    lines = ["\t".join(header[:7])]
    lines += ["\t".join([*r[:5], "annotation", "a referee's employer"]) for r in missed]
    judged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*args, "--sample", "3", "--judged", str(judged)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("| companies"))
    # Every miss judged the annotation's: recall is estimated at 1.0.
    assert "1.00 of 1" in row and row.rstrip(" |").endswith("/ 1.00 / 1.00")
