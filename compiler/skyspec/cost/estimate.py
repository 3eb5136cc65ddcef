"""Estimate: the monthly cost of every workload of an output unit (:func:`estimate`), from
its :mod:`.usage` and the :mod:`.prices`, as a :class:`CostReport` of :class:`Line` s, in
exact arithmetic rounded once per part so that every report adds up. It computes numbers
only; it must NOT report diagnostics (the budget gate is :mod:`.budget`) nor format
reports for people (:mod:`.report`)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable

from ..ir.model import IR
from ..record import NEW, Record
from ..units import format_bytes, format_cpu
from .prices import DEFAULT_RUN_SECONDS, GIB, HOURS_PER_MONTH, Prices, money
from .schedule import runs_per_month
from .usage import Usage, unit_label


def _dec(f: Fraction) -> Decimal:
    return Decimal(f.numerator) / Decimal(f.denominator)


_ALWAYS_ON_DEC = Decimal(HOURS_PER_MONTH)
ZERO = Decimal("0.00")


def _cents(num: int, den: int) -> Decimal:
    """num/den (>= 0) in cents, half up, in integer arithmetic (exact, and fast)."""
    return Decimal((num * 200 + den) // (2 * den)).scaleb(-2)


class Line(Record):
    """One workload's monthly cost."""

    __slots__ = ("name", "kind", "pods", "cpu", "memory", "storage", "pod_hours", "cpu_cost", "memory_cost",
                 "storage_cost", "runs", "run_seconds", "notes", "schedule", "default_run")

    def __init__(self, name: str, kind: str, pods: int, cpu: int, memory: int, storage: int, pod_hours: Decimal,
                 cpu_cost: Decimal, memory_cost: Decimal, storage_cost: Decimal, runs: Decimal | None = None,
                 run_seconds: int | None = None, notes: list[str] = NEW, schedule: str | None = None,
                 default_run: bool = False) -> None:
        self.name = name
        self.kind = kind
        self.pods = pods
        self.cpu = cpu  # millicores: requests x pods
        self.memory = memory  # bytes: requests x pods
        self.storage = storage  # bytes
        self.pod_hours = pod_hours  # hours each pod runs a month
        self.cpu_cost = cpu_cost
        self.memory_cost = memory_cost
        self.storage_cost = storage_cost
        self.runs = runs  # Job / CronJob: runs a month
        self.run_seconds = run_seconds
        self.notes = [] if notes is NEW else notes
        self.schedule = schedule  # CronJob
        self.default_run = default_run  # run_seconds is the default (no active_deadline)

    @property
    def total(self) -> Decimal:
        return self.cpu_cost + self.memory_cost + self.storage_cost

    def as_dict(self) -> dict:
        d = {"name": self.name, "kind": self.kind, "pods": self.pods,
             "cpu": format_cpu(self.cpu), "cpu_millicores": self.cpu,
             "memory": format_bytes(self.memory), "memory_bytes": self.memory,
             "storage": format_bytes(self.storage), "storage_bytes": self.storage,
             "pod_hours": float(round(self.pod_hours, 4)),
             "runs_per_month": None if self.runs is None else float(round(self.runs, 4)),
             "run_seconds": self.run_seconds, "schedule": self.schedule,
             "cost": {"cpu": float(self.cpu_cost), "memory": float(self.memory_cost),
                      "storage": float(self.storage_cost), "total": float(self.total)},
             "notes": list(self.notes)}
        return d


class CostReport(Record):
    """The monthly estimate of one output unit (an environment, or a target of it)."""

    def __init__(self, env: str, target: str | None, prices: Prices, lines: list[Line],
                 budget: Decimal | None = None, budget_pos: Any = None, notes: list[str] = NEW) -> None:
        self.env = env
        self.target = target
        self.prices = prices
        self.lines = lines
        self.budget = budget
        self.budget_pos = budget_pos  # the `budget.monthly` line in the project file
        self.notes = [] if notes is NEW else notes

    @property
    def unit(self) -> str:
        return f"{self.env}.{self.target}" if self.target else self.env

    @property
    def label(self) -> str:
        return unit_label(self.env, self.target)

    @property
    def total(self) -> Decimal:
        return sum((ln.total for ln in self.lines), Decimal("0.00"))

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total > self.budget

    def top(self, n: int = 3) -> list[Line]:
        return sorted(self.lines, key=lambda ln: (-ln.total, ln.name))[:n]

    def line(self, name: str, kind: str | None = None) -> Line | None:
        for ln in self.lines:
            if ln.name == name and (kind is None or ln.kind == kind):
                return ln
        return None

    def as_dict(self) -> dict:
        return {"environment": self.env, "target": self.target, "currency": self.prices.currency,
                "workloads": [ln.as_dict() for ln in self.lines],
                "total": float(self.total),
                "budget": None if self.budget is None else float(self.budget),
                "over_budget": self.over_budget,
                "notes": list(self.notes)}


def estimate(ir: IR, uses: Iterable[Usage], prices: Prices, budget: Any = None, budget_pos: Any = None) -> CostReport:
    """The monthly cost of every workload of ``ir``. Exact arithmetic (integers and
    fractions), rounded once per part.

    A month is 730 hours (8,760 / 12). Per workload:

    - long-running pods (App, StatefulApp): requests x pods x 730 h x the hourly prices;
    - a Job: one run a month; a CronJob: its runs a month (:func:`.schedule.runs_per_month`);
      each run lasts `active_deadline` seconds, or 10 minutes (:data:`.prices.DEFAULT_RUN_SECONDS`)
      when unset, with its pods running the whole time (an upper bound: the deadline is a
      limit). A suspended CronJob costs 0;
    - storage: GiB of claims x replicas x `storage_gib_month`.

    Each of the three parts is rounded to cents (half up); a workload's cost is the sum of
    its rounded parts and the total the sum of the workloads', so every report adds up
    exactly."""
    lines: list[Line] = []
    cpu_p, mem_p, sto_p = (Fraction(p) for p in (prices.cpu_core_hour, prices.memory_gib_hour,
                                                   prices.storage_gib_month))
    cpn, cpd = cpu_p.numerator, cpu_p.denominator * 1000
    mpn, mpd = mem_p.numerator, mem_p.denominator * GIB
    spn, spd = sto_p.numerator, sto_p.denominator * GIB
    for u in uses:
        w = u.workload
        notes = list(u.notes) if u.notes else []
        runs: Fraction | None = None
        secs: int | None = None
        schedule: str | None = None
        if w is None:                       # a claim: no pods
            hn, hd, hours = 0, 1, Decimal(0)
        elif w.kind in ("Job", "CronJob"):
            # int(): a YAML float with no fraction (`active_deadline: 60.0`) is a valid integer
            secs = int((w.job.active_deadline if w.job and w.job.active_deadline else None) or DEFAULT_RUN_SECONDS)
            if w.kind == "Job":
                runs = Fraction(1)
            elif w.cron is not None and w.cron.suspend:
                runs = Fraction(0)
                notes.append(f"{w.name}: suspended, no runs counted")
            else:
                schedule = w.cron.schedule if w.cron else None
                runs = runs_per_month(schedule) if schedule else None
                if runs is None:
                    runs = Fraction(0)
                    notes.append(f"{w.name}: schedule cannot be read, no runs counted")
            h = runs * secs / 3600
            hn, hd, hours = h.numerator, h.denominator, _dec(h)
        else:
            hn, hd, hours = HOURS_PER_MONTH, 1, _ALWAYS_ON_DEC
        lines.append(Line(u.name, u.kind, u.pods, u.cpu, u.memory, u.storage, hours,
                          _cents(u.cpu * hn * cpn, hd * cpd), _cents(u.memory * hn * mpn, hd * mpd),
                          _cents(u.storage * spn, spd) if u.storage else ZERO,
                          None if runs is None else _dec(runs), secs, notes, schedule,
                          secs is not None and not (w.job and w.job.active_deadline)))
    lines.sort(key=lambda ln: (ln.name, ln.kind))
    b = None if budget is None else money(Decimal(str(budget)))
    return CostReport(ir.env, ir.target, prices, lines, b, budget_pos)
