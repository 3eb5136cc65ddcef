"""Benchmark the pipeline phase by phase on a generated corpus; prints wall time per phase
and the process's peak RSS.

    python benchmarks/run.py 1000            # generates benchmarks/corpus/n1000 if missing
    python benchmarks/run.py 10000 --envs prod
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "compiler"))
sys.path.insert(0, str(HERE))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--envs", default="dev,qa,prod")
    ap.add_argument("--formats", default="kubernetes")
    args = ap.parse_args()

    from gen_corpus import generate

    corpus = HERE / "corpus" / f"n{args.n}"
    if not (corpus / "skyspec.yaml").exists():
        generate(args.n, corpus)

    import gc

    gc.disable()  # as the CLI does
    t0 = time.perf_counter()
    from skyspec.diagnostics import Diagnostics, Sources
    from skyspec.ir.lower import lower
    from skyspec.ir.model import Context
    from skyspec.output import write_tree
    from skyspec.passes import run_passes
    from skyspec.pipeline import Compiled, Session, render
    phases: dict[str, float] = {"import": time.perf_counter() - t0}

    def timed(name, fn, *a):
        t = time.perf_counter()
        r = fn(*a)
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
        return r

    diags = Diagnostics()
    session = timed("load (parse + positions)", Session, corpus / "skyspec.yaml", diags, Sources())
    compiled = {}
    for env_name in args.envs.split(","):
        env = session.env(env_name)
        specs = timed("layers (overlays, provenance)", session.layered, env)
        valid = timed("typed checks (schema)", session.check, specs)
        ir = timed("lower to IR", lower, valid, session.project, env, diags, session.settings(env))
        ir = timed("passes", run_passes, ir, Context(session.project, env, diags))
        compiled[env_name] = Compiled(env, specs, ir)
    assert not diags.has_errors, [str(d) for d in diags.errors[:5]]
    files = timed("backends (render YAML)", render, compiled, args.formats.split(","))
    out = Path(tempfile.mkdtemp(dir=corpus)) / "out"  # beside the corpus: /tmp is slow to write here
    timed("write (staged, in place)", write_tree, out, files, diags)
    shutil.rmtree(out.parent)
    total = sum(phases.values())
    docs = sum(t.count("\n---\n") + 1 for t in files.values())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"skyspec benchmark: {args.n} apps x {len(compiled)} env(s) ({args.envs}), "
          f"{len(files)} files, {docs} documents, formats: {args.formats}")
    for name, secs in phases.items():
        print(f"  {name:32s} {secs * 1000:9.1f} ms")
    print(f"  {'total':32s} {total * 1000:9.1f} ms")
    print(f"  {'peak RSS':32s} {rss:9.1f} MB")


if __name__ == "__main__":
    main()
