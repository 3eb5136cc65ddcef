"""Generated documentation: `python -m skyspec.docgen` rewrites the generated pages of
`docs/` from the code: `diagnostics.md` (the code registry, :mod:`skyspec.codes`, and the rule
modules), `rules.md`, `limits.md` and `language.md` (the language reference,
:mod:`.language`, from the schemas and the tables of the layers and backends). Tests keep the
committed pages current and compile every example of the language reference. This package
only renders text: it must not write anywhere but the folder it is given."""

from __future__ import annotations

from pathlib import Path

from ..codes import anchor
from ..rules import all_codes, rules_md


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
    from ..limits import describe

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


def language_md() -> str:
    from .language import language_md as page

    return page()


PAGES = {"diagnostics.md": diagnostics_md, "rules.md": rules_md, "limits.md": limits_md, "language.md": language_md}


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[3] / "docs"
    root.mkdir(parents=True, exist_ok=True)
    for name, fn in PAGES.items():
        (root / name).write_text(fn(), encoding="utf-8")
        print(f"wrote {root / name}")
    return 0

