"""Mutations of real manifests and Compose files for fuzzing `skyspec import`: a value replaced
by a hostile one (another type, huge, empty, a path out, a control character), a key deleted
or renamed, a list item doubled. Used by tests/test_import_hostile.py (a seeded run in CI) and
runnable alone for a longer campaign: `python3 tests/import_fuzz.py N`. It only writes into
the temporary folder it is given."""

from __future__ import annotations

import copy
import random
import sys
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
SEEDS = [DATA / "podinfo" / "deployment.yaml", DATA / "import" / "kinds.yaml", DATA / "sock-shop" / "complete-demo.yaml"]
COMPOSE_SEEDS = sorted((DATA / "awesome-compose").glob("*/compose.y*ml"))
HOSTILE = [None, 0, -1, 1.5, 2 ** 63, True, "", "x" * 300, [], {}, [1, {"a": None}], {"a": [1]}, "../../etc/passwd",
           "/proc/self/environ", "${HOME}", "$$", "a\x00b", "é\u2028", "9999999999999999999Gi", "-", ":", "{}",
           "http://db:5432", "UPPER_Case", "0x10", "1e309", "*", "~", "null", "- a", "a: b", "80-90", "0.0.0.0:1:2"]


def _paths(v, prefix=()):
    yield prefix
    if isinstance(v, dict):
        for k, x in v.items():
            yield from _paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _paths(x, prefix + (i,))


def _get(v, path):
    for k in path:
        v = v[k]
    return v


def mutate(docs: list, g: random.Random, n: int = 3) -> list:
    docs = copy.deepcopy(docs)
    for _ in range(n):
        d = g.randrange(len(docs))
        paths = [p for p in _paths(docs[d]) if p]
        if not paths:
            continue
        path = g.choice(paths)
        parent = _get(docs[d], path[:-1])
        key = path[-1]
        op = g.random()
        if op < 0.6:
            parent[key] = copy.deepcopy(g.choice(HOSTILE))
        elif op < 0.75:
            del parent[key]
        elif op < 0.85 and isinstance(parent, dict):
            parent[str(key) + g.choice(["x", "_", "Z"])] = parent.pop(key)
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        else:
            parent[key] = copy.deepcopy(_get(docs[g.randrange(len(docs))], ()))
    return docs


def case(g: random.Random, tmp: Path) -> tuple[str, Path]:
    """One mutated input written into ``tmp``: ("kubernetes" | "compose", its path)."""
    if g.random() < 0.3:
        src = g.choice(COMPOSE_SEEDS)
        kind = "compose"
    else:
        src = g.choice(SEEDS)
        kind = "kubernetes"
    docs = [d for d in yaml.safe_load_all(src.read_text()) if d is not None]
    out = tmp / ("compose.yaml" if kind == "compose" else "in.yaml")
    docs = mutate(docs, g, g.randint(1, 4))
    out.write_text(yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True))
    if kind == "compose":
        _bind_sources(docs, tmp, g)
    return kind, out


def _bind_sources(docs: list, tmp: Path, g: random.Random) -> None:
    """The project's files the Compose file's bind mounts name, made in ``tmp``, each one of:
    a config file, a folder of them, a folder holding a folder, a link out of the project, a
    FIFO, a key or a file setting a password, bytes that are no text."""
    import os

    top = docs[0] if docs and isinstance(docs[0], dict) else {}
    services = top.get("services") if isinstance(top.get("services"), dict) else {}
    for svc in services.values():
        vols = svc.get("volumes") if isinstance(svc, dict) else None
        for v in vols if isinstance(vols, list) else []:
            src = v.get("source") if isinstance(v, dict) else str(v).split(":")[0]
            if not isinstance(src, str) or not src.startswith("./") or ".." in src or "\0" in src:
                continue
            p = tmp / src[2:]
            try:
                if p.exists() or p.is_symlink():
                    continue
                p.parent.mkdir(parents=True, exist_ok=True)
                pick = g.randrange(7)
                if pick == 0:
                    p.write_text("listen 8080;\n")
                elif pick in (1, 2):
                    p.mkdir()
                    (p / "a.conf").write_text("a = 1\n")
                    (p / ("sub" if pick == 2 else "b.conf")).mkdir() if pick == 2 else (p / "b.conf").write_text("b\n")
                elif pick == 3:
                    os.symlink("/etc/passwd", p)
                elif pick == 4 and hasattr(os, "mkfifo"):
                    os.mkfifo(p)
                elif pick == 5:
                    p.write_text(g.choice(["password: fuzz-Pw-1\n", "-----BEGIN PRIVATE KEY-----\nx\n"]))
                else:
                    p.write_bytes(b"\xff\xfe\x00binary")
            except (OSError, ValueError):
                continue


def run(kind: str, path: Path):
    """The import's diagnostics; raises what escapes the importer."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.importer import import_compose, import_kubernetes

    diags = Diagnostics()
    if kind == "compose":
        import_compose(path, "fuzz", diags)
    else:
        import_kubernetes([path], "fuzz", diags)
    return diags


if __name__ == "__main__":  # a longer campaign
    import tempfile
    import traceback

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compiler"))
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    failures = 0
    for seed in range(n):
        g = random.Random(seed)
        with tempfile.TemporaryDirectory() as tmp:
            kind, path = case(g, Path(tmp))
            try:
                run(kind, path)
            except Exception:
                failures += 1
                print(f"seed {seed} ({kind}):")
                traceback.print_exc()
    print(f"{n} cases, {failures} crashes")
    sys.exit(1 if failures else 0)
