"""Parser commands: ``parser bench accuracy`` (per-field P/R/F1 on the labelled resume corpus,
for text, PDF and DOCX) and ``parser bench speed`` (two-page PDFs and DOCX per second per core).
Figures go to docs/benchmarks.md, section Parser."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Annotated

import typer

parser_app = typer.Typer(help="Parser tools.")
bench_app = typer.Typer(help="Parser benchmarks (accuracy on the labelled corpus, speed).")
parser_app.add_typer(bench_app, name="bench")

CORPUS = Path(__file__).resolve().parents[5].parent / "shared" / "data" / "resume-ner-train"


def register(app: typer.Typer) -> None:
    app.add_typer(parser_app, name="parser")


def _machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


@bench_app.command("accuracy")
def accuracy(
    corpus: Annotated[Path, typer.Option(help="the resume-ner-train directory")] = CORPUS,
    formats: Annotated[str, typer.Option(help="comma-separated: text,pdf,docx")] = "text,pdf,docx",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Precision / recall / F1 per field; files numbered 0 mod 5 are the held-out split."""
    from hirestream.parser.bench.accuracy import FIELDS, run
    from hirestream.parser.bench.corpus import load_corpus

    if not corpus.is_dir():
        raise typer.BadParameter(f"corpus not found: {corpus}")
    results = run(load_corpus(corpus), [f.strip() for f in formats.split(",") if f.strip()])
    if as_json:
        out = {
            kind: {
                split: {
                    "files": r.files,
                    "failed": r.failed,
                    "skill_label_coverage": r.skill_labels_known / max(1, r.skill_labels),
                    "fields": {
                        f: {
                            "precision": c.precision,
                            "recall": c.recall,
                            "f1": c.f1,
                            "predicted": c.pred,
                            "labelled": c.gold,
                        }
                        for f, c in r.fields.items()
                    },
                }
                for split, r in reports.items()
            }
            for kind, reports in results.items()
        }
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(f"# parser accuracy, {datetime.date.today()}, {_machine()}")
    for kind, reports in results.items():
        for split, r in reports.items():
            coverage = r.skill_labels_known / max(1, r.skill_labels)
            typer.echo(
                f"\n{kind} / {split}: {r.files} files, {r.failed} failed to extract, "
                f"{coverage:.0%} of skill labels name a taxonomy skill"
            )
            typer.echo("| field | P | R | F1 | predicted | labelled |")
            typer.echo("|---|---|---|---|---|---|")
            for name in FIELDS:
                c = r.fields[name]
                typer.echo(
                    f"| {name} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} "
                    f"| {c.pred} | {c.gold} |"
                )


@bench_app.command("speed")
def speed(
    corpus: Annotated[Path, typer.Option(help="the resume-ner-train directory")] = CORPUS,
    files: Annotated[int, typer.Option(help="distinct two-page documents per format")] = 60,
    rounds: Annotated[int, typer.Option(help="rounds; the median is reported")] = 3,
) -> None:
    """Two-page text PDFs and DOCX per second per core, extraction + profile building."""
    from hirestream.parser.bench.corpus import load_corpus
    from hirestream.parser.bench.speed import measure

    if not corpus.is_dir():
        raise typer.BadParameter(f"corpus not found: {corpus}")
    cvs = load_corpus(corpus)
    typer.echo(f"# parser speed, {datetime.datetime.now():%Y-%m-%d %H:%M}, {_machine()}")
    typer.echo("| input | path | files | per core (files / CPU s) | wall (files / s) |")
    typer.echo("|---|---|---|---|---|")
    for kind in ("pdf", "docx"):
        for worker in (False, True):
            r = measure(cvs, kind, files, rounds, worker=worker)
            path = "worker process + analysis" if worker else "in process"
            per_core = f"{r.per_core_per_second:.1f}" if not worker else "n/a (two processes)"
            typer.echo(
                f"| two-page {kind.upper()} | {path} | {r.files} | {per_core} "
                f"| {r.wall_per_second:.1f} |"
            )
