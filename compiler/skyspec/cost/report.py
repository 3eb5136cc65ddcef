"""Report: cost estimates for people and scripts. Renders :class:`~.estimate.CostReport` s
as a terminal table, JSON (stable keys) or Markdown (for PR comments); compares two sets
of estimates per output unit and workload (:func:`diff`, e.g. against a git revision) and
renders that the same three ways. It formats finished estimates only; it must NOT compute
usage or prices, report diagnostics, nor run git or the pipeline (the command does)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from ..diagnostics import printable
from ..units import format_bytes, format_cpu
from .budget import share
from .estimate import ZERO, CostReport, Line
from .prices import DEFAULT_RUN_SECONDS, HOURS_PER_MONTH, Prices

# ---------------------------------------------------------------------- reports

COLUMNS = ("workload", "kind", "pods", "CPU", "memory", "storage", "monthly")


def _amount(x: Decimal | None) -> str:
    return "-" if x is None else f"{x:,.2f}"


def _qty(n: int, fmt) -> str:
    return fmt(n) if n else "-"


def _rows(report: CostReport) -> list[list[str]]:
    rows = [[ln.name, ln.kind, str(ln.pods), _qty(ln.cpu, format_cpu), _qty(ln.memory, format_bytes),
             _qty(ln.storage, format_bytes), _amount(ln.total)] for ln in report.lines]
    ls = report.lines
    rows.append(["total", "", str(sum(ln.pods for ln in ls)), _qty(sum(ln.cpu for ln in ls), format_cpu),
                 _qty(sum(ln.memory for ln in ls), format_bytes), _qty(sum(ln.storage for ln in ls), format_bytes),
                 _amount(report.total)])
    return rows


def _job_notes(report: CostReport) -> list[str]:
    out = []
    for ln in report.lines:
        if ln.runs is not None and ln.runs > 0:
            sched = f' ("{ln.schedule}")' if ln.schedule else ""
            dflt = " (the default: no active_deadline)" if ln.default_run else ""
            out.append(f"{ln.name}: {ln.runs:.2f} run{'s' * (ln.runs != 1)} a month{sched} x "
                       f"{_duration(ln.run_seconds)}{dflt} x {ln.pods} pod{'s' * (ln.pods != 1)}")
    return out


def _duration(secs: int | None) -> str:
    s = secs or 0
    if s % 3600 == 0 and s:
        return f"{s // 3600}h"
    if s % 60 == 0 and s:
        return f"{s // 60}m"
    return f"{s}s"


def _budget_text(report: CostReport) -> str | None:
    if report.budget is None:
        return None
    cur = report.prices.currency
    state = "OVER BUDGET" if report.over_budget else f"{share(report.total, report.budget)} used"
    return f"budget: {_amount(report.budget)} {cur} a month ({state})"


def _table(rows: list[list[str]], header: Iterable[str], right: set[int]) -> list[str]:
    rows = [list(header)] + rows
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def render_table(reports: list[CostReport]) -> str:
    out: list[str] = []
    for rep in reports:
        cur = rep.prices.currency
        out.append(f"{rep.unit}: estimated monthly cost ({cur})")
        out += _table(_rows(rep), COLUMNS, {2, 3, 4, 5, 6})
        b = _budget_text(rep)
        if b:
            out.append(f"  {b}")
        notes = _job_notes(rep) + [n for ln in rep.lines for n in ln.notes] + rep.notes
        for n in notes:
            out.append(f"  note: {n}")
        out.append("")
    return "\n".join(map(printable, out))


def render_markdown(reports: list[CostReport]) -> str:
    out: list[str] = []
    for rep in reports:
        cur = rep.prices.currency
        out.append(f"### skyspec cost: `{rep.unit}` ({cur} a month)")
        out.append("")
        out.append("| " + " | ".join(COLUMNS) + " |")
        out.append("|---|---|--:|--:|--:|--:|--:|")
        rows = _rows(rep)
        for r in rows[:-1]:
            out.append("| " + " | ".join(_md(c) for c in r) + " |")
        last = rows[-1]
        out.append("| **total** | | " + " | ".join(_md(c) for c in last[2:6]) + f" | **{last[6]}** |")
        b = _budget_text(rep)
        if b:
            out.append("")
            out.append(("**" + b + "**") if rep.over_budget else b)
        notes = _job_notes(rep) + [n for ln in rep.lines for n in ln.notes] + rep.notes
        if notes:
            out.append("")
            out += [f"- {_md(n)}" for n in notes]
        out.append("")
    return "\n".join(map(printable, out))


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def render_json(reports: list[CostReport]) -> str:
    prices = reports[0].prices if reports else Prices()
    doc = {"hours_per_month": HOURS_PER_MONTH, "default_run_seconds": DEFAULT_RUN_SECONDS,
           "prices": prices.as_dict(),
           "environments": {r.unit: r.as_dict() for r in reports}}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------- diff against a revision

@dataclass
class DiffRow:
    name: str
    kind: str
    before: Line | None
    after: Line | None

    @property
    def status(self) -> str:
        """added | removed | changed | same"""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        b, a = self.before, self.after
        same = (b.total, b.pods, b.cpu, b.memory, b.storage) == (a.total, a.pods, a.cpu, a.memory, a.storage)
        return "same" if same else "changed"

    @property
    def change(self) -> Decimal:
        return (self.after.total if self.after else ZERO) - (self.before.total if self.before else ZERO)


@dataclass
class Diff:
    unit: str
    before: CostReport | None
    after: CostReport | None
    rows: list[DiffRow]

    @property
    def currency(self) -> str:
        return (self.after or self.before).prices.currency  # type: ignore[union-attr]

    @property
    def total_before(self) -> Decimal:
        return self.before.total if self.before else ZERO

    @property
    def total_after(self) -> Decimal:
        return self.after.total if self.after else ZERO

    @property
    def change(self) -> Decimal:
        return self.total_after - self.total_before


def diff(before: dict[str, CostReport], after: dict[str, CostReport]) -> list[Diff]:
    """Per output unit (in the order of ``after``, then units only ``before`` has), every
    workload of either side, in the order of ``after`` then the removed ones."""
    out: list[Diff] = []
    for unit in list(after) + [u for u in before if u not in after]:
        b, a = before.get(unit), after.get(unit)
        rows: list[DiffRow] = []
        seen = set()
        for ln in (a.lines if a else []):
            seen.add((ln.kind, ln.name))
            rows.append(DiffRow(ln.name, ln.kind, b.line(ln.name, ln.kind) if b else None, ln))
        for ln in (b.lines if b else []):
            if (ln.kind, ln.name) not in seen:
                rows.append(DiffRow(ln.name, ln.kind, ln, None))
        out.append(Diff(unit, b, a, rows))
    return out


MARKS = {"added": "+", "removed": "-", "changed": "~", "same": " "}
DIFF_COLUMNS = ("", "workload", "kind", "pods", "before", "after", "change")


def _signed(x: Decimal) -> str:
    return f"{x:+,.2f}" if x else "0.00"


def _pods(r: DiffRow) -> str:
    b = r.before.pods if r.before else None
    a = r.after.pods if r.after else None
    if b == a:
        return str(a)
    return f"{'-' if b is None else b} -> {'-' if a is None else a}"


def _diff_rows(d: Diff) -> list[list[str]]:
    rows = [[MARKS[r.status], r.name, r.kind, _pods(r), _amount(r.before.total if r.before else None),
             _amount(r.after.total if r.after else None), _signed(r.change)] for r in d.rows]
    rows.append(["", "total", "", "", _amount(d.total_before), _amount(d.total_after), _signed(d.change)])
    return rows


def render_diff_table(diffs: list[Diff], rev: str) -> str:
    out: list[str] = []
    for d in diffs:
        out.append(f"{d.unit}: estimated monthly cost against {rev} ({d.currency})")
        if d.before is None:
            out.append(f"  (not in {rev}: every workload is new)")
        if d.after is None:
            out.append("  (no longer built: every workload is removed)")
        out += _table(_diff_rows(d), DIFF_COLUMNS, {3, 4, 5, 6})
        if d.after is not None:
            b = _budget_text(d.after)
            if b:
                out.append(f"  {b}")
        out.append("")
    out.append("legend: + added, - removed, ~ changed (pods, requests, storage or cost), blank: unchanged")
    return "\n".join(map(printable, out)) + "\n"


def render_diff_markdown(diffs: list[Diff], rev: str) -> str:
    out: list[str] = []
    words = {"added": "added", "removed": "removed", "changed": "changed", "same": ""}
    for d in diffs:
        out.append(f"### skyspec cost: `{d.unit}` against `{rev}` ({d.currency} a month)")
        out.append("")
        out.append("| | workload | kind | pods | before | after | change |")
        out.append("|---|---|---|--:|--:|--:|--:|")
        for r, row in zip(d.rows, _diff_rows(d)):
            cells = [_md(c) for c in [words[r.status]] + row[1:]]
            if r.status != "same":
                cells[1] = f"**{cells[1]}**"
            out.append("| " + " | ".join(cells) + " |")
        out.append(f"| | **total** | | | {_amount(d.total_before)} | {_amount(d.total_after)} "
                   f"| **{_signed(d.change)}** |")
        if d.after is not None:
            b = _budget_text(d.after)
            if b:
                out.append("")
                out.append(("**" + b + "**") if d.after.over_budget else b)
        out.append("")
    return "\n".join(map(printable, out))


def render_diff_json(diffs: list[Diff], rev: str) -> str:
    units = {}
    for d in diffs:
        units[d.unit] = {
            "environment": (d.after or d.before).env,  # type: ignore[union-attr]
            "target": (d.after or d.before).target,  # type: ignore[union-attr]
            "currency": d.currency,
            "before": float(d.total_before), "after": float(d.total_after), "change": float(d.change),
            "budget": None if d.after is None or d.after.budget is None else float(d.after.budget),
            "over_budget": bool(d.after and d.after.over_budget),
            "workloads": [{"name": r.name, "kind": r.kind, "status": r.status,
                           "pods_before": r.before.pods if r.before else None,
                           "pods_after": r.after.pods if r.after else None,
                           "before": float(r.before.total) if r.before else None,
                           "after": float(r.after.total) if r.after else None,
                           "change": float(r.change)} for r in d.rows],
        }
    return json.dumps({"against": rev, "environments": units}, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------- by format

def render(reports: list[CostReport], fmt: str) -> str:
    """``reports`` in ``fmt``: table, json or markdown."""
    return {"table": render_table, "json": render_json, "markdown": render_markdown}[fmt](reports)


def render_diff(diffs: list[Diff], rev: str, fmt: str) -> str:
    """``diffs`` against ``rev`` in ``fmt``: table, json or markdown."""
    return {"table": render_diff_table, "json": render_diff_json, "markdown": render_diff_markdown}[fmt](diffs, rev)
