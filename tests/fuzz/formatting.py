"""The formatting property: `skyspec fmt` of a fuzz case's project rewrites the user's own
files, so it must keep their meaning, whatever they hold.

After the case's `check` (and `build`, when it passed), `skyspec fmt proj` runs, then:

- it does not crash, exits 0, 1 or 2 and prints no traceback (as every command);
- it changed YAML files of the project only (TOML, Python, ConfigMap `files:` and anything
  else stay byte for byte), and created or removed none;
- when it exited 0, `fmt --check` finds nothing more to change (formatting is idempotent);
- `check`, as the case ran it, exits as before with the same diagnostics (code, severity
  and message; their lines may move, and so may the places a message names);
- a `build` that passed before writes, into ``out7``, exactly what it wrote into ``out1``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .harness import FORMATS, _judge, _snapshot, _tree


# a place a message names (`reference cycle: apps/a.yaml:18:3 ...`): formatting moves lines
# (from the start of a word only: tried at every character of a long word, it took minutes)
_PLACE = re.compile(r"(?<![\w./-])[\w./-]+?\.(?:ya?ml|toml|py):\d+(?::\d+)?")


def _diagnostics(r) -> list | None:
    """(code, severity, message) of what a JSON `check` printed, sorted, the places messages
    name left out; None for another format."""
    try:
        items = json.loads(r.stdout)
    except ValueError:
        return None
    return sorted((d.get("code"), d.get("severity"), _PLACE.sub("FILE:LINE", str(d.get("message"))))
                  for d in items if isinstance(d, dict))


def formatted(run, root: Path, check: list[str], checked, built: bool, extra: list[str], res) -> None:
    before = _snapshot(root / "proj", (".skyspec-cache",))
    r = run(["fmt", "proj"])
    if _judge(r, res, "fmt", "text"):
        return
    after = _snapshot(root / "proj", (".skyspec-cache",))
    if set(after) != set(before):
        res.problems.append(f"fmt created or removed files: {sorted(set(after) ^ set(before))[:5]}")
        return
    changed = sorted(k for k in before if before[k] != after[k])
    res.fmt_changed = len(changed)
    other = [k for k in changed if not k.endswith((".yaml", ".yml"))]
    if other:
        res.problems.append(f"fmt changed files that are not YAML: {other[:5]}")
    if r.exit_code == 0:
        again = run(["fmt", "--check", "proj"])
        if again.exit_code != 0:
            res.problems.append(f"fmt is not idempotent: after fmt, fmt --check exits {again.exit_code}: "
                                f"{again.output[:300]!r}")
    if not changed:
        return
    dfmt = check[check.index("--diagnostics-format") + 1]
    now = run(check)
    if _judge(now, res, "check after fmt", dfmt):
        return
    if now.exit_code != checked.exit_code or (dfmt == "json" and _diagnostics(now) != _diagnostics(checked)):
        res.problems.append(f"fmt changed what check says ({', '.join(changed[:3])}): exit {now.exit_code} "
                            f"(before: {checked.exit_code}), said {now.output[:300]!r} "
                            f"(before: {checked.output[:300]!r})")
        return
    if built:
        b = run(["build", "proj", "-o", "out7", "-f", ",".join(FORMATS), "--diagnostics-format", "json", *extra])
        if _judge(b, res, "build after fmt", "json"):
            return
        a, o = _tree(root / "out1"), _tree(root / "out7")
        if b.exit_code != 0 or a != o:
            diff = sorted(set(a) ^ set(o)) or sorted(k for k in a if a[k] != o[k])
            res.problems.append(f"fmt changed what build writes ({', '.join(changed[:3])}): exit {b.exit_code}, "
                                f"files {diff[:5]}, said {b.output[:300]!r}")
