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
train_app = typer.Typer(help="Train the parser's learned components on the tuning split.")
parser_app.add_typer(train_app, name="train")

CORPUS = Path(__file__).resolve().parents[5].parent / "shared" / "data" / "resume-ner-train"


def register(app: typer.Typer) -> None:
    app.add_typer(parser_app, name="parser")


def _machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


@train_app.command("mentions")
def train_mentions(
    corpus: Annotated[Path, typer.Option(help="the resume-ner-train directory")] = CORPUS,
    output: Annotated[Path | None, typer.Option(help="where to write the weights")] = None,
) -> None:
    """Title / employer classifier: trained on the tuning split only (files not numbered 0 mod
    5), thresholds by cross-validation inside it; writes the parser's domain/data/mentions.json."""
    from hirestream.parser.bench.corpus import load_corpus
    from hirestream.parser.bench.train_mentions import MODEL_PATH, run, write

    if not corpus.is_dir():
        raise typer.BadParameter(f"corpus not found: {corpus}")
    training = run(load_corpus(corpus))
    write(training, output or MODEL_PATH)
    typer.echo(f"wrote {output or MODEL_PATH}")
    for kind, figures in training.report.items():
        typer.echo(
            f"{kind}: rules-only F1 {figures['rules_f1']:.3f}, with the classifier "
            f"{figures['out_of_fold_f1']:.3f} out of fold (threshold {figures['threshold']})"
        )


@train_app.command("skills")
def train_skills(
    corpus: Annotated[Path, typer.Option(help="the resume-ner-train directory")] = CORPUS,
    output: Annotated[Path | None, typer.Option(help="where to write the weights")] = None,
) -> None:
    """Skill-claim classifier: trained on the tuning split only (files not numbered 0 mod 5),
    threshold and calibration by cross-validation inside it; writes the parser's
    domain/data/skill_claims.json."""
    from hirestream.parser.bench.corpus import load_corpus
    from hirestream.parser.bench.train_skills import MODEL_PATH, run, write

    if not corpus.is_dir():
        raise typer.BadParameter(f"corpus not found: {corpus}")
    training = run(load_corpus(corpus))
    write(training, output or MODEL_PATH)
    typer.echo(f"wrote {output or MODEL_PATH}")
    for label, f in (("every mention", training.every_mention), ("claimed", training.out_of_fold)):
        typer.echo(
            f"skills, {label}: P {f.precision:.3f} R {f.recall:.3f} F1 {f.f1:.3f} out of fold"
        )
    typer.echo(f"threshold {training.model.threshold}")


@bench_app.command("accuracy")
def accuracy(
    corpus: Annotated[Path, typer.Option(help="the resume-ner-train directory")] = CORPUS,
    formats: Annotated[str, typer.Option(help="comma-separated: text,pdf,docx")] = "text,pdf,docx",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    split: Annotated[
        str, typer.Option(help="both, or tuning alone (to iterate without reading held-out)")
    ] = "both",
) -> None:
    """Precision / recall / F1 per field; files numbered 0 mod 5 are the held-out split."""
    from hirestream.parser.bench.accuracy import FIELDS, run
    from hirestream.parser.bench.corpus import load_corpus

    if not corpus.is_dir():
        raise typer.BadParameter(f"corpus not found: {corpus}")
    if split not in ("both", "tuning"):
        raise typer.BadParameter("--split is 'both' or 'tuning'")
    cvs = load_corpus(corpus)
    if split == "tuning":
        cvs = [cv for cv in cvs if not cv.held_out]
    results = run(cvs, [f.strip() for f in formats.split(",") if f.strip()])
    if split == "tuning":
        for reports in results.values():
            del reports["held_out"]
    if as_json:
        out = {
            kind: {
                split: {
                    "files": r.files,
                    "failed": r.failed,
                    "skill_label_coverage": r.skill_labels_known / max(1, r.skill_labels),
                    "unannotated": r.unannotated,
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
                    "fields_every_cv": {
                        f: {"precision": c.precision, "recall": c.recall, "f1": c.f1}
                        for f, c in r.every_cv.items()
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
            typer.echo(
                "| field | P | R | F1 | predicted | labelled | CVs not annotated "
                "| P / F1, every CV scored |"
            )
            typer.echo("|---|---|---|---|---|---|---|---|")
            for name in FIELDS:
                c, every = r.fields[name], r.every_cv[name]
                typer.echo(
                    f"| {name} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} "
                    f"| {c.pred} | {c.gold} | {r.unannotated.get(name, 0)} "
                    f"| {every.precision:.2f} / {every.f1:.2f} |"
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


@bench_app.command("audit")
def audit(
    corpus: Annotated[Path, typer.Option(help="the resume-ner-train directory")] = CORPUS,
    fields: Annotated[str, typer.Option(help="comma-separated: designation,companies,skills")] = (
        "designation,companies,skills"
    ),
    size: Annotated[int, typer.Option("--sample", help="errors of each type per field")] = 40,
    seed: Annotated[int, typer.Option(help="the sample's seed")] = 20261203,
    judged: Annotated[
        Path | None, typer.Option(help="a judged sample (docs/audits/*.tsv): print its estimate")
    ] = None,
) -> None:
    """A seeded sample of the out-of-fold title, employer and claimed-skill errors on the tuning
    split, with the CV text around each, to judge whether the parser or the annotation is wrong;
    with --judged, the figures the judged shares imply."""
    from hirestream.parser.bench import audit as audit_bench
    from hirestream.parser.bench.corpus import load_corpus

    if not corpus.is_dir():
        raise typer.BadParameter(f"corpus not found: {corpus}")
    names = [f.strip() for f in fields.split(",") if f.strip()]
    if unknown := [f for f in names if f not in audit_bench.FIELDS]:
        raise typer.BadParameter(f"unknown fields: {', '.join(unknown)}")
    drawn, counts = audit_bench.draw(load_corpus(corpus), names, size, seed)
    if judged is None:
        typer.echo("field\terror\tcv\tsource\tvalue\tverdict\tnote\tcontext")
        for i in drawn:
            typer.echo(f"{i.field}\t{i.error}\t{i.cv}\t{i.source}\t{i.value}\t\t\t{i.context}")
        return
    rows = audit_bench.read_judged(judged.read_text(encoding="utf-8"))
    if stale := audit_bench.unmatched(rows, drawn):
        typer.echo(f"{len(stale)} judged rows are not in today's sample (the parser changed):")
        for j in stale[:10]:
            typer.echo(f"  {j.field} {j.error} cv {j.cv}: {j.value}")
    typer.echo("| field | out of fold P / R / F1 | annotation's share: false positives, misses "
               "| estimate with the annotation corrected P / R / F1 |")  # fmt: skip
    typer.echo("|---|---|---|---|")
    for name in names:
        fp, n_fp = audit_bench.annotation_share(rows, name, audit_bench.FALSE_POSITIVE)
        missed, n_missed = audit_bench.annotation_share(rows, name, audit_bench.MISSED)
        c = counts[name]
        e = audit_bench.estimate(c, fp, missed)
        typer.echo(
            f"| {name} | {c.precision:.2f} / {c.recall:.2f} / {c.f1:.2f} "
            f"| {fp:.2f} of {n_fp}, {missed:.2f} of {n_missed} "
            f"| {e.precision:.2f} / {e.recall:.2f} / {e.f1:.2f} |"
        )
