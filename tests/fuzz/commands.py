"""The commands property: the other commands that read a project (`cost`, `graph`, `diff`,
`manifests`, `explain`, `explain --why-not`) on a fuzz case, broken or not.

Each must hold what every command holds (no crash, exit 0, 1 or 2, no traceback) and print
no secret's value ("hunter2", the plaintext the generator gives a Secret's `data:` and a raw
Secret manifest). When the case built, `manifests -e UNIT` must print exactly the objects the
build wrote for that unit (``out1/UNIT/kubernetes``), the two being one backend.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from .fields import SECRET_VALUE as SECRET
from .harness import _judge
from .project import Case



def _units(root: Path, case: Case) -> list[str]:
    """The units the build wrote (its folders holding Kubernetes files), else the
    environments the project file names, else a guess."""
    out = root / "out1"
    if out.is_dir():
        got = sorted(p.name for p in out.iterdir() if (p / "kubernetes").is_dir())
        if got:
            return got
    for name in ("skyspec.yaml", "skyspec.yml"):
        text = case.files.get(name)
        if isinstance(text, str):
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                break
            envs = data.get("environments") if isinstance(data, dict) else None
            if isinstance(envs, dict) and envs:
                return [str(e) for e in envs]
    return ["dev"]


def _queries(case: Case, rng: random.Random) -> list[str]:
    """A few spec values of the case (`name.path.to.leaf`), as `explain` takes them."""
    leaves: list[str] = []
    for rel, text in sorted(case.files.items()):
        if not isinstance(text, str) or not rel.endswith((".yaml", ".yml")) or not rel.startswith("apps/"):
            continue
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            continue
        for d in docs:
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                for k, v in d.items():
                    if isinstance(k, str) and k.isidentifier():
                        sub = [f".{kk}" for kk in v if isinstance(kk, str) and kk.isidentifier()] \
                            if isinstance(v, dict) else []
                        leaves.append(f"{d['name']}.{k}{rng.choice(sub) if sub else ''}")
    return rng.sample(leaves, min(3, len(leaves)))


def _objects(*texts: str) -> list:
    """The objects of YAML streams, in a canonical order."""
    key = lambda d: yaml.safe_dump(d, sort_keys=True)  # noqa: E731
    return sorted((d for t in texts for d in yaml.safe_load_all(t) if d is not None), key=key)


def other_commands(run, root: Path, case: Case, extra: list[str], seed: int, res) -> None:
    rng = random.Random(seed)
    sets = [a for s in case.sets for a in ("--set", s)]
    units = _units(root, case)
    unit = rng.choice(units)
    asked: list[tuple[str, list[str]]] = [
        ("cost", ["cost", "proj", "-f", rng.choice(["table", "json", "markdown"]), *sets]),
        ("graph", ["graph", "proj", "-e", unit, "-f", rng.choice(["mermaid", "dot"])]),
        ("manifests", ["manifests", "proj", "-e", unit, *sets]),
        ("explain --why-not", ["explain", "--why-not", rng.choice(["Ingress", "HorizontalPodAutoscaler",
                                                                   "PodDisruptionBudget"]), "proj", "-e", unit]),
    ]
    if len(units) > 1:
        a, b = rng.sample(units, 2)
        asked.append(("diff", ["diff", "proj", "-e", a, "-e", b, *(["--objects"] if rng.random() < 0.5 else []),
                               "-f", rng.choice(["text", "json", "markdown"])]))
    asked += [("explain", ["explain", q, "proj", "-e", unit, "-f", rng.choice(["text", "json"]), *sets])
              for q in _queries(case, rng)]
    for what, args in asked:
        r = run(args)
        res.trail.append(f"{what} {r.exit_code}")
        if _judge(r, res, what, "text"):
            return
        if SECRET in r.output:
            res.problems.append(f"{what}: printed a secret's value")
        if what == "manifests" and res.build_exit == 0 and r.exit_code == 0 and (root / "out1" / unit).is_dir():
            written = [p.read_text(encoding="utf-8") for p in (root / "out1" / unit / "kubernetes").rglob("*.yaml")]
            if _objects(r.stdout) != _objects(*written):
                res.problems.append(f"manifests: the objects of {unit} are not those the build wrote")
