"""A fuzzing campaign: N generated projects through `skyspec check` and `build`, in-process.

    python3 benchmarks/fuzz.py N [--seed S] [--start I] [--report FILE] [--dump DIR] [--digest FILE]

Case I of seed S is drawn by the builders of tests/fuzz/ from ``random.Random(f"{S}:{I}")``,
so any case can be replayed alone (``--start I`` with N=1, ``--dump DIR`` to write its
files). Each case runs through :func:`fuzz.harness.run_case`; a crash or a property
violation is recorded and the campaign goes on. A case that runs longer than ``--timeout``
seconds is recorded as a hang. Prints, at the end (and every ``--every`` cases): cases run,
crashes, distinct crash sites (exception type and innermost skyspec frame) with the first
case of each, property violations, cases per second; at the end, the cases by the exit codes
of `check` and `build`, a build refused after a passing check told apart by why (the formats
the harness builds beyond the project's outputs, the environments a check left out, or
"missed": a problem `check` should have reported, with its first case). ``--report`` writes the same as JSON. ``--digest`` writes, per
case, the hashes of what each command printed (and its exit code) and of the output tree:
two checkouts' campaigns with the same seed compare case by case (a change meant to keep
every output byte, such as a speed-up, must give the same file).
Every ``--hashseed-every`` K-th case that builds is built again in a subprocess with another
PYTHONHASHSEED, which must write the same bytes (an order taken from a set of strings
changes between processes, never within one). Every ``--workers-every`` K-th case is checked
(and built) again with its environments compiled in worker processes, which must print and
write what one process did; every ``--edit-every`` K-th case is checked with the caches, one of
its files replaced by the next case's (or removed), and checked (and built) again with and
without them, which must agree, as must a rebuild into the output folder of before the edit
with a fresh build. Every ``--editor-every`` K-th case is then opened in the language
server's workspace, one file cut as if half-typed, and completion, hover, definition and
references are asked at random places of every file: none may raise or show a secret's value
(tests/fuzz/editor.py). Every ``--fmt-every`` K-th case is formatted (`skyspec fmt`), which
may rewrite only its YAML files, must find nothing more to change when run again, and must
leave what `check` says and `build` writes as they were (tests/fuzz/formatting.py). Every
``--explain-every`` K-th case that builds has every field of its Kubernetes objects walked
through `explain`, down to lines people wrote or documented defaults (tests/fuzz/explained.py);
every ``--commands-every`` K-th case runs `cost`, `graph`, `diff`, `manifests` and `explain`,
which must not crash or print a secret, `manifests` printing what the build wrote
(tests/fuzz/commands.py); every ``--import-every`` K-th case that builds has one unit's
output imported back (`skyspec import kubernetes`), which must round-trip and check
(tests/fuzz/reimport.py).
It writes only into its work folder (a temporary one by default) and the report.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "compiler"))
sys.path.insert(0, str(ROOT / "tests"))  # before benchmarks/, so `fuzz` is the package

from fuzz.gen import RandGen  # noqa: E402
from fuzz.harness import crash_site, run_case, write_case  # noqa: E402
from fuzz.known import known_problem, known_site  # noqa: E402
from fuzz.project import case  # noqa: E402


class Hang(BaseException):
    """Raised by the alarm inside a case that runs too long (not an Exception, so that
    click's runner does not catch it)."""


def _alarm(signum, frame):
    raise Hang()


def draw(seed: int, i: int):
    return case(RandGen(random.Random(f"{seed}:{i}")))


class Campaign:
    def __init__(self) -> None:
        self.cases = 0
        self.crashes = 0
        self.sites: dict[str, dict] = {}
        self.problems: dict[str, dict] = {}
        self.outcomes: Counter = Counter()
        self.missed: dict = {}   # cases `check` passed and `build` refused for no reason of the harness's
        self.determinism_checked = 0
        self.hashseed_checked = 0
        self.workers_checked = 0
        self.edits_checked = 0
        self.editor_checked = 0
        self.fmt_checked = 0      # cases formatted
        self.fmt_rewrote = 0      # of them, cases where fmt rewrote a file
        self.explained = 0        # cases whose every generated field was walked through `explain`
        self.commands_checked = 0
        self.reimported = 0       # cases whose build was imported back
        self.start = time.time()

    def record(self, i: int, out) -> None:
        self.cases += 1
        self.outcomes[f"check={out.check_exit} build={out.build_exit}" + (f" ({out.miss})" if out.miss else "")] += 1
        if out.miss == "missed":  # check passed what build refused, for no reason of the harness's
            self.missed.setdefault("first_case", i)
            self.missed["count"] = self.missed.get("count", 0) + 1
        self.determinism_checked += out.deterministic_checked
        self.hashseed_checked += out.hashseed_checked
        self.workers_checked += out.workers_checked
        self.edits_checked += out.edit_checked is not None
        self.editor_checked += out.editor_checked
        self.fmt_checked += out.fmt_changed is not None
        self.fmt_rewrote += bool(out.fmt_changed)
        self.explained += out.fields_explained is not None
        self.commands_checked += out.commands_checked
        self.reimported += out.reimported is not None
        if out.crash is not None or out.site:
            self.crashes += 1
            s = self.sites.setdefault(out.site, {"count": 0, "first_case": i, "known": known_site(out.site),
                                                 "message": out.trace.strip().splitlines()[-1][:300] if out.trace else "",
                                                 "trace": out.trace[-3000:]})
            s["count"] += 1
        for p in out.problems:
            key = p.split(":", 2)[0] + ":" + p.split(":", 2)[1][:70] if p.count(":") >= 2 else p[:80]
            e = self.problems.setdefault(key, {"count": 0, "first_case": i, "example": p[:400],
                                               "known": known_problem(p)})
            e["count"] += 1

    def summary(self) -> dict:
        wall = time.time() - self.start
        return {"cases": self.cases, "crashes": self.crashes, "distinct_crash_sites": len(self.sites),
                "unknown_crash_sites": sum(1 for s in self.sites.values() if not s["known"]),
                "violations": sum(p["count"] for p in self.problems.values()),
                "distinct_violations": len(self.problems), "determinism_checked": self.determinism_checked,
                "hashseed_checked": self.hashseed_checked, "workers_checked": self.workers_checked,
                "edits_checked": self.edits_checked, "editor_checked": self.editor_checked,
                "fmt_checked": self.fmt_checked, "fmt_rewrote": self.fmt_rewrote, "explained": self.explained,
                "commands_checked": self.commands_checked, "reimported": self.reimported,
                "wall_s": round(wall, 1), "cases_per_s": round(self.cases / wall, 2) if wall else 0,
                "outcomes": dict(self.outcomes.most_common()), "missed": self.missed, "sites": self.sites,
                "problems": self.problems}

    def print(self, final: bool = False) -> None:
        s = self.summary()
        print(f"cases {s['cases']}  crashes {s['crashes']}  distinct crash sites {s['distinct_crash_sites']} "
              f"({s['unknown_crash_sites']} not known)  violations {s['violations']} "
              f"({s['distinct_violations']} distinct)  {s['cases_per_s']} cases/s  {s['wall_s']} s", flush=True)
        if final:
            print("outcomes: " + ", ".join(f"{k}: {v}" for k, v in s["outcomes"].items()))
            if s["missed"]:
                print(f"  check passed, build refused, for no reason of the harness's: x{s['missed']['count']}  "
                      f"first case {s['missed']['first_case']} (replay it with --start)")
            for site, e in sorted(self.sites.items(), key=lambda kv: -kv[1]["count"]):
                tag = f" [known: {e['known']}]" if e["known"] else ""
                print(f"  crash {site}  x{e['count']}  first case {e['first_case']}{tag}\n      {e['message']}")
            for key, e in sorted(self.problems.items(), key=lambda kv: -kv[1]["count"]):
                tag = f" [known: {e['known']}]" if e["known"] else ""
                print(f"  violation x{e['count']}  first case {e['first_case']}{tag}\n      {e['example'][:300]}")
            sys.stdout.flush()


# the properties a campaign checks on every K-th case: (flag, default K, what the help says)
EVERY = (
    ("determinism", 20, "build twice every K-th case"),
    ("hashseed", 50, "build every K-th case again in another process, with other string hashes"),
    ("workers", 10, "check and build every K-th case again with its environments in workers"),
    ("edit", 10, "every K-th case: a cached check, a file edited, the cached check and build against cold ones"),
    ("editor", 10, "every K-th case: opened in the language server's workspace, one file cut as if half-typed, "
                   "every editor feature asked at random places"),
    ("fmt", 10, "every K-th case: `skyspec fmt` of the project, which must keep what check and build say and write"),
    ("explain", 5, "every K-th case that builds: every generated field through `explain`, which must end in "
                   "lines or documented defaults"),
    ("commands", 5, "every K-th case: cost, graph, diff, manifests and explain, which must not crash or print a "
                    "secret, and manifests must print what the build wrote"),
    ("import", 5, "every K-th case that builds: a unit's output imported back, which must round-trip and check"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of cases")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="index of the first case")
    for flag, k, what in EVERY:
        ap.add_argument(f"--{flag}-every", type=int, default=k, help=f"{what} (0: never)")
    ap.add_argument("--timeout", type=int, default=30, help="seconds before a case counts as a hang")
    ap.add_argument("--every", type=int, default=1000, help="print progress every K cases")
    ap.add_argument("--report", type=Path, help="write the summary as JSON here (also with each progress line)")
    ap.add_argument("--dump", type=Path, help="write each case's files under DIR/<index>/ (for replaying one)")
    ap.add_argument("--digest", type=Path, help="write each case's output hashes here (JSON), to compare two versions")
    ap.add_argument("--workdir", type=Path, help="where cases run (default: a temporary folder)")
    args = ap.parse_args(argv)

    shm = Path("/dev/shm")  # a case writes and deletes a few hundred files: in memory, 4x faster than on disk
    work = args.workdir or Path(tempfile.mkdtemp(prefix="skyspec-fuzz-", dir=shm if shm.is_dir() else None))
    camp = Campaign()
    digests: dict[int, list[str]] = {}
    signal.signal(signal.SIGALRM, _alarm)
    try:
        every = {flag: getattr(args, f"{flag}_every") for flag, _, _ in EVERY}
        for i in range(args.start, args.start + args.n):
            c = draw(args.seed, i)
            if args.dump:
                write_case(c, args.dump / str(i))
                (args.dump / str(i) / "CASE.txt").write_text(f"seed {args.seed} case {i}\n{c.describe()}\n",
                                                              encoding="utf-8", errors="backslashreplace")
            due = {flag: k > 0 and i % k == 0 for flag, k in every.items()}
            mine = args.seed * 1_000_003 + i   # the case's own seed, for the properties that draw
            signal.alarm(args.timeout)
            try:
                out = run_case(c, work / "case", determinism=due["determinism"],
                               hashseed=i % 1000 + 1 if due["hashseed"] else None, workers=due["workers"],
                               edit=(draw(args.seed, i + 1), i) if due["edit"] else None,
                               editor=mine if due["editor"] else None, fmt=due["fmt"], explained=due["explain"],
                               commands=mine if due["commands"] else None, reimport=mine if due["import"] else None)
            except Hang as h:
                from fuzz.harness import Outcome

                out = Outcome(crash=None, site=crash_site(h).replace("Hang", f"Hang>{args.timeout}s"),
                              trace="".join(traceback.format_exception(h)))
            finally:
                signal.alarm(0)
            camp.record(i, out)
            digests[i] = out.trail
            if camp.cases % args.every == 0:
                camp.print()
                if args.report:
                    args.report.write_text(json.dumps(camp.summary(), indent=1, default=str), encoding="utf-8")
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    camp.print(final=True)
    if args.digest:
        args.digest.write_text(json.dumps(digests, indent=0) + "\n", encoding="utf-8")
    if args.report:
        args.report.write_text(json.dumps(camp.summary(), indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
