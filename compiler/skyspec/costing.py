"""Resource accounting and the pricing model, shared by the `quota` and `cost` passes and
by `skyspec cost`; and the cost reports (table, JSON, Markdown, and the diff against a git
revision).

Pods: how many of a workload's pods run at once
-----------------------------------------------
- App: `replicas` (the autoscaler's `min` when that is higher). Canary: the stable and the
  canary Deployments together (= `replicas`). Blue-green: the active color, plus as many
  again for the idle color when it runs a `preview_image` (2x); an idle color without a
  preview image runs 0 pods. Surge pods of a rolling update are not counted.
- StatefulApp: `replicas`; its storage is the sum of its claims x `replicas`.
- Job: `parallelism` (Kubernetes' default 1), at most `completions` when that is lower.
- CronJob: one running Job at a time, counted like a Job.
- A PersistentVolumeClaim written as a raw `Resource` counts its requested storage.

A pod requests the sum of its containers' requests, or its largest init container's when
that is higher (as the scheduler and a ResourceQuota count it). A container without a CPU
or memory request gets the environment's default (`defaults: {resources: ...}` in the
built-in profile or in the environment's or target's overlays, later ones winning), or 0
when there is none, which the report says in a note.

Pricing
-------
Prices come from `prices:` in the project file; the defaults are
``cpu_core_hour 0.0316``, ``memory_gib_hour 0.0042``, ``storage_gib_month 0.10``, ``USD``.
A month is 730 hours (8,760 / 12). Per workload:

- long-running pods (App, StatefulApp): requests x pods x 730 h x the hourly prices;
- a Job: one run a month; a CronJob: its runs a month (:func:`runs_per_month`); each run
  lasts `active_deadline` seconds, or 10 minutes (:data:`DEFAULT_RUN_SECONDS`) when unset,
  with its pods running the whole time (an upper bound: the deadline is a limit). A
  suspended CronJob costs 0;
- storage: GiB of claims x replicas x `storage_gib_month`.

Each of the three parts is rounded to cents (half up); a workload's cost is the sum of its
rounded parts and the total the sum of the workloads', so every report adds up exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .ir.model import IR, Container, JobSpec, Workload, canary_split
from .ir.units import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu

HOURS_PER_MONTH = 730
DEFAULT_RUN_SECONDS = 600          # a Job or CronJob run without `active_deadline`
DEFAULT_PRICES = {"cpu_core_hour": "0.0316", "memory_gib_hour": "0.0042", "storage_gib_month": "0.10"}
DEFAULT_CURRENCY = "USD"
GIB = 2**30
CENT = Decimal("0.01")


def money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------- prices

@dataclass(frozen=True)
class Prices:
    cpu_core_hour: Decimal = Decimal(DEFAULT_PRICES["cpu_core_hour"])
    memory_gib_hour: Decimal = Decimal(DEFAULT_PRICES["memory_gib_hour"])
    storage_gib_month: Decimal = Decimal(DEFAULT_PRICES["storage_gib_month"])
    currency: str = DEFAULT_CURRENCY

    @classmethod
    def from_project(cls, data: dict | None) -> "Prices":
        p = (data or {}).get("prices") or {}
        vals = {k: Decimal(str(p[k])) if k in p else Decimal(v) for k, v in DEFAULT_PRICES.items()}
        return cls(**vals, currency=str(p.get("currency") or DEFAULT_CURRENCY))

    def as_dict(self) -> dict:
        return {"cpu_core_hour": float(self.cpu_core_hour), "memory_gib_hour": float(self.memory_gib_hour),
                "storage_gib_month": float(self.storage_gib_month), "currency": self.currency}


# ---------------------------------------------------------------------- pods and requests

def pod_count(w: Workload) -> int:
    """Pods of ``w`` running at once (see the module docstring)."""
    if w.kind in ("Job", "CronJob"):
        j = w.job or JobSpec()
        n = 1 if j.parallelism is None else j.parallelism
        if j.completions is not None:
            n = min(n, j.completions)
        return max(n, 0)
    n = 1 if w.replicas is None else w.replicas
    if w.autoscale is not None:
        n = max(n, w.autoscale.min)
    if w.kind == "App":
        st = w.strategy
        if st.type == "blue-green" and st.preview_image:
            return 2 * n
        if st.type == "canary":
            return sum(canary_split(n, st.percent))
    return max(n, 0)


@dataclass
class Defaults:
    """The environment's default requests (None: no default)."""

    cpu: int | None = None
    memory: int | None = None


class LazyDefaults:
    """:func:`env_defaults`, read only when a container lacks a request (rare: the
    profile's defaults sit beneath every spec, and the `size` pass sizes sidecars)."""

    def __init__(self, project: Any, env: Any, target: str | None = None):
        self._args = (project, env, target)
        self._d: Defaults | None = None

    def _get(self) -> Defaults:
        if self._d is None:
            self._d = env_defaults(*self._args)
        return self._d

    @property
    def cpu(self) -> int | None:
        return self._get().cpu

    @property
    def memory(self) -> int | None:
        return self._get().memory


def env_defaults(project: Any, env: Any, target: str | None = None) -> Defaults:
    """`defaults.resources` of the environment's layers: the built-in profile, then the
    environment's overlays, then the target's (later ones win)."""
    from .paths import data_dir

    files: list[Path] = []
    if getattr(env, "profile", None):
        try:
            files.append(data_dir("overlays") / f"{env.profile}.yaml")
        except FileNotFoundError:  # pragma: no cover - a broken installation
            pass
    root = Path(project.root)
    files += [root / rel for rel in env.overlays]
    t = project.targets.get(target) if target else None
    if t is not None:
        files += [root / rel for rel in t.overlays]
    out = Defaults()
    for f in files:
        res = _overlay_defaults(str(f))
        if "cpu" in res:
            out.cpu = res["cpu"]
        if "memory" in res:
            out.memory = res["memory"]
    return out


def _overlay_defaults(path: str) -> dict:
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return {}
    return _overlay_defaults_cached(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=256)
def _overlay_defaults_cached(path: str, _mtime: int, _size: int) -> dict:
    from .diagnostics import Diagnostics, Sources
    from .frontend import load_file

    docs = load_file(Path(path), path, Diagnostics(), Sources())  # problems are reported by the pipeline
    data = docs[0].data if docs else None
    d = data.get("defaults") if isinstance(data, dict) else None
    r = d.get("resources") if isinstance(d, dict) else None
    out: dict = {}
    if isinstance(r, dict):
        for key, parse in (("cpu", parse_cpu), ("memory", parse_bytes)):
            if key in r:
                try:
                    out[key] = parse(r[key])
                except (QuantityError, TypeError):
                    pass
    return out


@dataclass(slots=True)
class Usage:
    """What one workload (or raw claim) asks of its environment."""

    name: str
    kind: str
    pods: int
    pod_cpu: int            # millicores, one pod
    pod_memory: int         # bytes, one pod
    storage: int            # bytes, all replicas
    notes: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)   # (container, "CPU"|"memory") without a request
    workload: Workload | None = None

    @property
    def cpu(self) -> int:
        return self.pod_cpu * self.pods

    @property
    def memory(self) -> int:
        return self.pod_memory * self.pods


def pod_requests(w: Workload, defaults: Defaults | LazyDefaults) -> tuple[int, int, list[str], list[tuple[str, str]]]:
    """(CPU millicores, memory bytes) one pod of ``w`` requests, notes, and the containers
    that have no request of their own."""
    if not w.init_containers and len(w.containers) == 1:   # the common case, fast
        r = w.containers[0].resources
        if r.cpu is not None and r.memory is not None:
            return r.cpu, r.memory, [], []
    notes: list[str] = []
    missing: list[tuple[str, str]] = []

    def req(c: Container, what: str, value: int | None, key: str, fmt) -> int:
        if value is not None:
            return value
        default = getattr(defaults, key)
        missing.append((c.name, what))
        who = "" if c.name == w.name else f' (container "{c.name}")'
        if default is not None:
            notes.append(f"{w.name}{who}: no {what} request, counted at the environment's default {fmt(default)}")
            return default
        notes.append(f"{w.name}{who}: no {what} request and no environment default, counted as 0")
        return 0

    def one(c: Container) -> tuple[int, int]:
        return (req(c, "CPU", c.resources.cpu, "cpu", format_cpu),
                req(c, "memory", c.resources.memory, "memory", format_bytes))

    mains = [one(c) for c in w.containers]
    inits = [one(c) for c in w.init_containers]
    cpu = max([sum(c for c, _ in mains)] + [c for c, _ in inits])
    mem = max([sum(m for _, m in mains)] + [m for _, m in inits])
    return cpu, mem, notes, missing


def usage(ir: IR, defaults: Defaults | LazyDefaults) -> list[Usage]:
    """Every workload's demand, in IR order, then raw PersistentVolumeClaims."""
    out: list[Usage] = []
    for w in ir.workloads:
        cpu, mem, notes, missing = pod_requests(w, defaults)
        pods = pod_count(w)
        storage = 0
        if w.kind == "StatefulApp":
            replicas = 1 if w.replicas is None else w.replicas
            storage = sum(s.size for s in w.storage) * max(replicas, 0)
        out.append(Usage(w.name, w.kind, pods, cpu, mem, storage, notes, missing, w))
    for r in ir.raw:
        obj = r["object"]
        if obj.get("kind") != "PersistentVolumeClaim":
            continue
        size = (((obj.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
        try:
            n = parse_bytes(size) if size is not None else 0
        except (QuantityError, TypeError):
            n = 0
        out.append(Usage(obj["metadata"]["name"], "PersistentVolumeClaim", 0, 0, 0, n))
    return out


# ---------------------------------------------------------------------- cron

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
           "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _expand(text: str, lo: int, hi: int, names: list[str] | None, base: int) -> tuple[set[int], bool]:
    """The values a cron field matches, and whether it is unrestricted (`*` or `?` without a
    step: robfig/cron's "star bit", which decides how day-of-month and day-of-week combine)."""
    vals: set[int] = set()
    star = False

    def num(tok: str) -> int:
        if names and tok.lower() in names:
            return names.index(tok.lower()) + base
        return int(tok)

    for item in text.split(","):
        rng, _, step = item.partition("/")
        n = int(step) if step else 1
        if rng in ("*", "?"):
            a, b = lo, hi
            star = star or n == 1
        else:
            x, dash, y = rng.partition("-")
            a = num(x)
            b = num(y) if dash else (hi if step else a)
        vals.update(range(a, b + 1, n))
    return vals, star


@lru_cache(maxsize=1024)
def runs_per_month(schedule: str) -> Fraction | None:
    """Expected runs in an average month (1/12 of a 365-day year, the 730-hour month) of a
    cron schedule; None when it cannot be read.

    Runs a day = matching minutes x matching hours. Days a year: for each matching month,
    its days that match; day-of-week is taken as uniform (a day matches `k/7` of the time),
    and day-of-month and day-of-week combine like Kubernetes (robfig/cron): when both are
    restricted a day matching either runs, otherwise both must match. February has 28 days,
    plus a quarter of a 29th for schedules that name day 29. So `@hourly` = 730,
    `@daily` = 365/12 = 30.42, `@weekly` = 4.35, `@monthly` = 1, `@yearly` = 1/12."""
    s = _MACROS.get(schedule.strip(), schedule.strip())
    parts = s.split()
    if len(parts) != 5:
        return None
    try:
        minutes, _ = _expand(parts[0], 0, 59, None, 0)
        hours, _ = _expand(parts[1], 0, 23, None, 0)
        doms, dom_star = _expand(parts[2], 1, 31, None, 0)
        months, _ = _expand(parts[3], 1, 12, _MONTHS, 1)
        dows, dow_star = _expand(parts[4], 0, 7, _DAYS, 0)
    except ValueError:
        return None
    dows = {d % 7 for d in dows}
    wk = Fraction(len(dows), 7)
    days = Fraction(0)
    for m in sorted(months):
        if not 1 <= m <= 12:
            continue
        length = _MONTH_DAYS[m - 1]
        d = sum(1 for x in doms if 1 <= x <= length)
        leap = Fraction(1, 4) if m == 2 and 29 in doms else 0
        if dom_star and dow_star:
            days += length
        elif dom_star:
            days += length * wk
        elif dow_star:
            days += d + leap
        else:
            days += d + leap + (length - d) * wk
    per_day = len([x for x in minutes if 0 <= x <= 59]) * len([x for x in hours if 0 <= x <= 23])
    return days * per_day / 12


# ---------------------------------------------------------------------- cost

def _dec(f: Fraction) -> Decimal:
    return Decimal(f.numerator) / Decimal(f.denominator)


_ALWAYS_ON_DEC = Decimal(HOURS_PER_MONTH)
_ZERO = Decimal("0.00")


def _cents(num: int, den: int) -> Decimal:
    """num/den (>= 0) in cents, half up, in integer arithmetic (exact, and fast)."""
    return Decimal((num * 200 + den) // (2 * den)).scaleb(-2)


@dataclass(slots=True)
class Line:
    """One workload's monthly cost."""

    name: str
    kind: str
    pods: int
    cpu: int                 # millicores: requests x pods
    memory: int              # bytes: requests x pods
    storage: int             # bytes
    pod_hours: Decimal       # hours each pod runs a month
    cpu_cost: Decimal
    memory_cost: Decimal
    storage_cost: Decimal
    runs: Decimal | None = None          # Job / CronJob: runs a month
    run_seconds: int | None = None
    notes: list[str] = field(default_factory=list)
    schedule: str | None = None          # CronJob
    default_run: bool = False            # run_seconds is the default (no active_deadline)

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


@dataclass
class CostReport:
    """The monthly estimate of one output unit (an environment, or a target of it)."""

    env: str
    target: str | None
    prices: Prices
    lines: list[Line]
    budget: Decimal | None = None
    budget_pos: Any = None          # the `budget.monthly` line in the project file
    notes: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return f"{self.env}.{self.target}" if self.target else self.env

    @property
    def label(self) -> str:
        return f'environment "{self.env}"' + (f' (target "{self.target}")' if self.target else "")

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
    """The monthly cost of every workload of ``ir`` (see the module docstring). Exact
    arithmetic (integers and fractions), rounded once per part."""
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
            secs = (w.job.active_deadline if w.job and w.job.active_deadline else None) or DEFAULT_RUN_SECONDS
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
                          _cents(u.storage * spn, spd) if u.storage else _ZERO,
                          None if runs is None else _dec(runs), secs, notes, schedule,
                          secs is not None and not (w.job and w.job.active_deadline)))
    lines.sort(key=lambda ln: (ln.name, ln.kind))
    b = None if budget is None else money(Decimal(str(budget)))
    return CostReport(ir.env, ir.target, prices, lines, b, budget_pos)


def check_budget(report: CostReport, diags: Any) -> None:
    """SKY320 at the `budget.monthly` line when the estimate is over the budget."""
    if not report.over_budget:
        return
    cur = report.prices.currency
    total = report.total
    top = [ln for ln in report.top(3) if ln.total > 0]
    notes = [f"{ln.name} ({ln.kind}): {ln.total:.2f} {cur} a month, {_share(ln.total, total)}" for ln in top]
    biggest = f"; the biggest is {top[0].name} at {top[0].total:.2f} {cur}" if top else ""
    diags.error("SKY320",
                f"{report.label}: the estimated cost of {total:.2f} {cur} a month is over the budget of "
                f"{report.budget:.2f} {cur}{biggest}",
                report.budget_pos, notes=notes,
                hint="lower replicas or requests of the biggest contributors, or raise `budget.monthly`; "
                     "`skyspec cost` shows every workload")


def _share(part: Decimal | int, whole: Decimal | int) -> str:
    if not whole:
        return "0%"
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"


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
    state = "OVER BUDGET" if report.over_budget else f"{_share(report.total, report.budget)} used"
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
    return "\n".join(out)


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
    return "\n".join(out)


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
        return (self.after.total if self.after else _ZERO) - (self.before.total if self.before else _ZERO)


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
        return self.before.total if self.before else _ZERO

    @property
    def total_after(self) -> Decimal:
        return self.after.total if self.after else _ZERO

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
    return "\n".join(out) + "\n"


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
    return "\n".join(out)


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
