"""The audit's report as rich tables: one line per claim, then the detail of every claim that fails."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from autograder.audit.run import AuditReport


def _detail(report: AuditReport) -> list[tuple[str, str]]:
    rows = [(t.nodeid, t.problem) for t in report.untraced]
    if report.reference and not report.reference.full:
        rows += [("reference", f) for f in report.reference.failing[:10]]
    rows += [(f"mutant {m.name}", ("got full marks" if not m.caught else f"no failing hint names {m.hint_keyword!r}")
              + f" ({m.mistake})") for m in report.mutants if not m.ok]
    rows += [(f"alternative {a.name}", f"{a.graded.score:g}/{a.graded.max_score:g}: " + "; ".join(a.graded.failing[:4]))
             for a in report.alternatives if not a.full]
    rows += [("release", leak) for leak in report.leaks]
    rows += [(f"points of {q}", f"tests add up to {t:g}, the grade cell says {c:g}")
             for q, (t, c) in report.points.items() if abs(t - c) > 1e-9]
    rows += [("audit", p) for p in report.problems]
    return rows


def print_report(report: AuditReport, console: Console) -> None:
    summary = Table(title=f"audit {report.aid}", show_header=True)
    summary.add_column("claim")
    summary.add_column("holds", justify="center")
    summary.add_column("evidence")
    evidence = {
        "reference scores full marks": f"{report.reference.score:g}/{report.max_score:g}" if report.reference else "-",
        "released stub scores 0": f"{report.stub.score:g}/{report.max_score:g}" if report.stub else "-",
        "every test traced to the notebook": f"{len(report.traced) - len(report.untraced)}/{len(report.traced)} tests",
        "every mutant loses points with a hint naming it":
            f"{sum(m.ok for m in report.mutants)}/{len(report.mutants)} mutants",
        "the release leaks no hidden test or solution": f"{len(report.leaks)} problem(s)",
        "test points add up to the grade cells": f"{len(report.points)} questions",
    }
    for claim, holds in report.checks().items():
        text = evidence.get(claim, f"{sum(a.full for a in report.alternatives)}/{len(report.alternatives)} full")
        summary.add_row(claim, "[green]yes[/]" if holds else "[red]NO[/]", text)
    console.print(summary)
    detail = _detail(report)
    if detail:
        table = Table(title=f"what fails in {report.aid}", show_header=True)
        table.add_column("item")
        table.add_column("why")
        for item, why in detail:
            table.add_row(item, why)
        console.print(table)
    console.print(f"[{'green' if report.ok else 'red'}]{report.aid}: "
                  f"{'the suite is fair and sharp' if report.ok else 'the audit fails'}[/]")
