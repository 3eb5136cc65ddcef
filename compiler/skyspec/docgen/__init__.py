"""Generated documentation: `python -m skyspec.docgen` rewrites `docs/diagnostics.md`
from the code registry (:mod:`skyspec.codes` and the rule modules); a test keeps the committed file current."""

from __future__ import annotations

import sys
from pathlib import Path

from .codes import anchor
from .rules import all_codes, rules_md


def diagnostics_md() -> str:
    out = ["# Diagnostic codes", "",
           "Every problem skyspec reports has a stable code. Generated from `compiler/skyspec/codes.py` "
           "by `python -m skyspec.docgen`; do not edit by hand. Each code has a stable anchor, "
           "`diagnostics.md#sky104`, which SARIF output links to (`helpUri`).", "",
           "| code | meaning | example that triggers it |", "|---|---|---|"]
    for c in all_codes().values():
        example = c.example.replace("|", "\\|").replace("\n", "<br>")
        out.append(f'| <a id="{anchor(c.code)}"></a>`{c.code}` | {c.title} | `{example}` |')
    return "\n".join(out) + "\n"


def limits_md() -> str:
    from .limits import describe

    out = ["# Limits", "",
           "Bounds on what one project may cost skyspec, generated from `compiler/skyspec/limits.py` by "
           "`python -m skyspec.docgen`; do not edit by hand.", "",
           "Spec files come from pull requests and skyspec runs where credentials are, so every bound is on "
           "by default and exceeding one is a located error, reached in well under a second and in bounded "
           "memory. A project changes them under `limits:` in its project file (the project file itself is "
           "always read with the defaults):", "",
           "```yaml", "limits: {file_bytes: 8388608, depth: 100}", "```", "",
           "| limit | default | allowed | what it bounds |", "|---|---|---|---|"]
    for name, default, lo, hi, doc in describe():
        cell = doc.replace("|", "\\|")
        out.append(f"| `{name}` | {default:,} | {lo:,} to {hi:,} | {cell} |")
    return "\n".join(out) + "\n"


PAGES = {"diagnostics.md": diagnostics_md, "rules.md": rules_md, "limits.md": limits_md}


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "docs"
    root.mkdir(parents=True, exist_ok=True)
    for name, fn in PAGES.items():
        (root / name).write_text(fn(), encoding="utf-8")
        print(f"wrote {root / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
