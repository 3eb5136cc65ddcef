"""The benchmark of issue #14: whole processes, as users run them, timed in one run with the
repetitions interleaved (every command once, then every command again, ...) so a machine's
changing load falls on all of them alike, the variants of each (the build, the one it is
compared with, the floor) in an order that turns each repetition; each figure is the
median. It prints one table:
each measurement, its figure, and the goal beside it.

    python benchmarks/run.py                 # 100, 1,000 and 10,000 apps (corpora generated once)
    python benchmarks/run.py --quick         # without the 10,000-app build (CI, laptops)
    python benchmarks/run.py --base /work/main/compiler   # also time another checkout: before/after

The floor (benchmarks/floor.py) only starts Python, loads the same inputs with libyaml and
writes as many files of the same total size as the build wrote: the build's goal is a ratio
to it, measured in the same run. "cold" runs start without skyspec's caches (the validator
cache under $XDG_CACHE_HOME and the project's .skyspec-cache/), "warm" ones after a run made
them. Peak RSS is the child's (wait4). It imports nothing of skyspec: the command under test
runs as `python -m skyspec` with its compiler folder on PYTHONPATH, with bytecode as an
installed package has it (written once, to a PYTHONPYCACHEPREFIX beside the corpora).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


@dataclass
class Job:
    """One command measured: its argv per variant (``None`` runs the floor or Python alone),
    a setup run untimed before every repetition, and the goal shown beside it."""
    name: str
    argv: Callable[[str], list[str]]
    setup: Callable[[str], None] = lambda variant: None
    goal: str = ""
    check: Callable[[dict], str] | None = None  # figures -> "yes"/"no" against the goal
    variants: tuple = ()
    times: dict = field(default_factory=dict)  # variant -> [seconds]
    rss: dict = field(default_factory=dict)    # variant -> [KB]


def run_once(argv: list[str], env: dict) -> tuple[float, int]:
    t = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if p.stderr:
        p.stderr.close()
    if p.returncode != 0:
        raise SystemExit(f"benchmark command failed ({p.returncode}): {' '.join(argv)}\n{err[-2000:]}")
    return secs, usage.ru_maxrss


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", type=int, default=100, help="apps in the small project (default 100)")
    ap.add_argument("--large", type=int, default=1000, help="apps in the large project (default 1000)")
    ap.add_argument("--huge", type=int, default=10000, help="apps in the huge project (default 10000)")
    ap.add_argument("--quick", action="store_true", help="skip the huge project")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of each command (default 5)")
    ap.add_argument("--huge-reps", type=int, default=2, help="repetitions of the huge build (default 2)")
    ap.add_argument("--corpus-dir", type=Path, default=HERE / "corpus", help="where the corpora are generated")
    ap.add_argument("--compiler", type=Path, default=HERE.parent / "compiler", help="the skyspec under test")
    ap.add_argument("--base", type=Path, help="another compiler/ folder, timed alike (before/after)")
    args = ap.parse_args(argv)

    from gen_corpus import generate

    def corpus(n: int) -> Path:
        d = args.corpus_dir / f"n{n}"
        if not (d / "skyspec.yaml").exists():
            generate(n, d)
        return d

    work = args.corpus_dir / "tmp-bench"  # outputs and caches: beside the corpora (/tmp may be slow)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    variants = {"skyspec": args.compiler.resolve()}
    if args.base:
        variants["before"] = args.base.resolve()
    py = sys.executable
    envs: dict[str, dict] = {}
    for v, comp in variants.items():
        e = {k: val for k, val in os.environ.items() if not k.startswith("SKYSPEC_") and k != "CI"}
        e["PYTHONPATH"] = str(comp)
        e["XDG_CACHE_HOME"] = str(work / f"xdg-{v}")
        # as installed: with bytecode (pip compiles it); kept out of the source tree
        e.pop("PYTHONDONTWRITEBYTECODE", None)
        e["PYTHONPYCACHEPREFIX"] = str(args.corpus_dir / f"pycache-{v}")
        envs[v] = e

    def sky(v: str, *a: str) -> list[str]:
        return [py, "-m", "skyspec", *a]

    def fresh(*paths: Path) -> Callable[[str], None]:
        def setup(v: str) -> None:
            for p in paths:
                shutil.rmtree(p, ignore_errors=True)
        return setup

    def cold(c: Path, out: Path | None = None) -> Callable[[str], None]:
        def setup(v: str) -> None:
            shutil.rmtree(work / f"xdg-{v}", ignore_errors=True)
            shutil.rmtree(c / ".skyspec-cache", ignore_errors=True)
            if out is not None:
                shutil.rmtree(out, ignore_errors=True)
        return setup

    def build_setup(c: Path, out: Path) -> Callable[[str], None]:
        # the validator cache (machine-wide, made once) warm; the project's cache cold
        return fresh(out, c / ".skyspec-cache")

    def touched(c: Path) -> Callable[[str], None]:
        """One spec edited (a real change, never one seen before: no cache may hold its
        result), the caches warm from the last run."""
        f = c / "apps" / "app-2.yaml"
        edits = iter(range(1, 1 << 30))

        def setup(v: str) -> None:
            import re

            f.write_text(re.sub(r"LOG_LEVEL: \S+\n", f"LOG_LEVEL: edit{next(edits)}\n", f.read_text()))
        return setup

    small, large = corpus(args.small), corpus(args.large)
    jobs: list[Job] = []

    def out_of(label: str) -> Path:
        return work / f"out-{label}"

    # the floor needs the number and size of the files the build writes: one untimed build
    def files_of(c: Path, label: str, build: tuple = ("-e", "prod", "-f", "kubernetes")) -> tuple[int, int]:
        o = out_of(label + "-probe")
        e = envs["skyspec"]
        subprocess.run(sky("skyspec", "build", str(c), *build, "-o", str(o)), env=e,
                       check=True, stdout=subprocess.DEVNULL)
        sizes = [p.stat().st_size for p in o.rglob("*") if p.is_file()]
        shutil.rmtree(o)
        return len(sizes), sum(sizes)

    def ratio_ok(limit: float, of: str, base: str) -> Callable[[dict], str]:
        return lambda fig: "yes" if fig[of] <= limit * fig[base] else "no"

    def secs_ok(limit: float, of: str = "skyspec") -> Callable[[dict], str]:
        return lambda fig: "yes" if fig[of] <= limit else "no"

    jobs.append(Job("python -c pass (interpreter start)", lambda v: [py, "-c", "pass"], variants=("python",)))
    jobs.append(Job("skyspec --help", lambda v: sky(v, "--help"), goal="<= 60 ms", check=secs_ok(0.060)))
    for n, c in ((args.small, small), (args.large, large)):
        nfiles, nbytes = files_of(c, f"n{n}")
        fo = out_of(f"floor-{n}")
        jobs.append(Job(f"floor, {n} apps ({nfiles} files)",
                        lambda v, c=c, fo=fo, nf=nfiles, nb=nbytes: [py, str(HERE / "floor.py"), str(c), str(fo),
                                                                     str(nf), str(nb)],
                        setup=fresh(fo), variants=("floor",)))
        o = out_of(f"build-{n}")
        goal, chk = ("<= 0.2 s", secs_ok(0.2)) if n == args.small else \
            ("<= 1.3x the floor", None)
        jobs.append(Job(f"build {n} apps, prod, kubernetes",
                        lambda v, c=c, o=o: sky(v, "build", str(c), "-e", "prod", "-f", "kubernetes", "-o", str(o)),
                        setup=build_setup(c, o), goal=goal, check=chk))
    # the 4-format build writes ~9 files per app: its own floor writes as many (file creation
    # is most of a build's time on a slow disk, and varies with the disk)
    every = ("-f", "kubernetes,compose,helm,kustomize")
    nfiles, nbytes = files_of(large, "all", every)
    fo = out_of("floor-all")
    jobs.append(Job(f"floor, 4 formats of {args.large} apps ({nfiles} files)",
                    lambda v, fo=fo, nf=nfiles, nb=nbytes: [py, str(HERE / "floor.py"), str(large), str(fo), str(nf),
                                                            str(nb)],
                    setup=fresh(fo), variants=("floor",)))
    o = out_of("build-all")
    jobs.append(Job(f"build {args.large} apps, 3 environments, 4 formats",
                    lambda v: sky(v, "build", str(large), "-f", "kubernetes,compose,helm,kustomize", "-o", str(o)),
                    setup=build_setup(large, o), goal="<= 1.5 s", check=secs_ok(1.5)))
    # the checks run on a copy of the corpus per variant: one variant's cold run must not
    # empty another's warm cache
    mine = {v: work / f"check-{v}" for v in variants}
    for v, d in mine.items():
        shutil.copytree(large, d, ignore=shutil.ignore_patterns(".skyspec-cache", "peers.*"))

    def each(make: Callable[[Path], Callable[[str], None]]) -> Callable[[str], None]:
        made = {v: make(d) for v, d in mine.items()}
        return lambda v: made[v](v)

    def one(v: str) -> str:
        return str(mine[v] / "apps" / "app-2.yaml")

    jobs.append(Job(f"check FILE, {args.large} apps, cold caches", lambda v: sky(v, "check", one(v)),
                    setup=each(cold)))
    jobs.append(Job(f"check FILE after editing it, {args.large} apps, warm", lambda v: sky(v, "check", one(v)),
                    setup=each(touched), goal="<= 150 ms", check=secs_ok(0.150)))
    jobs.append(Job(f"check, {args.large} apps, all environments, unchanged, warm",
                    lambda v: sky(v, "check", str(mine[v])), goal="<= 150 ms", check=secs_ok(0.150)))
    huge_jobs = []
    if not args.quick:
        huge = corpus(args.huge)
        o = out_of("build-huge")
        huge_jobs.append(Job(f"build {args.huge} apps, 3 environments, kubernetes",
                             lambda v: sky(v, "build", str(huge), "-f", "kubernetes", "-o", str(o)),
                             setup=build_setup(huge, o), goal="<= 6 s, <= 600 MB",
                             check=lambda fig: "yes" if fig["skyspec"] <= 6 and fig["rss:skyspec"] <= 600 else "no"))

    for j in jobs + huge_jobs:
        j.variants = j.variants or tuple(variants)
    # warm the machine-wide validator caches once (untimed), as any second run finds them
    for v in variants:
        subprocess.run(sky(v, "check", str(small)), env=envs[v], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def rep(js: list[Job], i: int) -> None:
        for j in js:
            # the variants' order turns each repetition: the first to run after another job pays
            # for the disk flushing what that job wrote (9,000 files after the 4-format floor)
            k = i % len(j.variants)
            for v in j.variants[k:] + j.variants[:k]:
                e = envs.get(v, envs["skyspec"])
                j.setup(v)
                s, kb = run_once(j.argv(v), e)
                j.times.setdefault(v, []).append(s)
                j.rss.setdefault(v, []).append(kb)

    for i in range(args.reps):
        rep(jobs, i)
        if i < args.huge_reps:
            rep(huge_jobs, i)
    shutil.rmtree(work, ignore_errors=True)
    print_table(jobs + huge_jobs, list(variants), args)


def print_table(jobs: list[Job], variants: list[str], args) -> None:
    med = {(j.name, v): statistics.median(t) for j in jobs for v, t in j.times.items()}
    floor_of = {}
    for j in jobs:
        if "floor" in j.variants:
            floor_of[j.name.split(",")[1].split("(")[0].strip()] = med[(j.name, "floor")]
    cols = ["what", *[f"{v}" for v in variants], "vs floor", "peak RSS", "goal", "met"]
    rows = []
    for j in jobs:
        fig = {}
        cells = []
        for v in variants:
            m = med.get((j.name, v))
            if m is None and j.variants and j.variants[0] in ("floor", "python"):
                m = med.get((j.name, j.variants[0]))
                cells.append(f"{m * 1000:.0f} ms" if v == variants[0] else "")
                fig[v] = m
                continue
            cells.append(f"{m * 1000:.0f} ms" if m is not None else "")
            if m is not None:
                fig[v] = m
                fig[f"rss:{v}"] = max(j.rss[v]) / 1024
        size = j.name.split(" apps")[0].split()[-1] + " apps" if " apps" in j.name else ""
        floor = floor_of.get(size) if j.name.startswith("build") and "prod, kubernetes" in j.name else \
            floor_of.get(f"4 formats of {size}") if j.name.startswith("build") and "4 formats" in j.name else None
        vs = f"{fig[variants[0]] / floor:.2f}x" if floor and variants[0] in fig else ""
        if floor and "before" in fig:
            vs += f" (before {fig['before'] / floor:.2f}x)"
        rss = f"{max(j.rss[variants[0]]) / 1024:.0f} MB" if variants[0] in j.rss else ""
        met = ""
        if j.goal == "<= 1.3x the floor" and floor:
            met = "yes" if fig[variants[0]] <= 1.3 * floor else "no"
        elif j.check is not None and variants[0] in fig:
            met = j.check(fig)
        rows.append([j.name, *cells, vs, rss, j.goal, met])
    widths = [max(len(str(r[i])) for r in rows + [cols]) for i in range(len(cols))]
    print(f"skyspec benchmark: medians of {args.reps} interleaved runs, whole processes "
          f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end)")
    print(" | ".join(c.ljust(w) for c, w in zip(cols, widths)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    main()
