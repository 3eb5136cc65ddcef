"""The policy rules' documentation, read from each rule module's docstring (see
:mod:`skyspec.rules`): its title, explanation and PASS/FAIL examples (:func:`doc`), the code
registry's entries of the rules (:func:`rule_codes`, :func:`all_codes`) and `docs/rules.md`
(:func:`rules_md`). Imported when one of these is first asked for (the tests, `docgen`, a
diagnostics format that names codes), never by a build; it must not run a rule.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from types import ModuleType

from . import MARK, RULES, UNKNOWN_RULE, protected_severity


@dataclass(frozen=True)
class Example:
    """A PASS or FAIL example of a rule's documentation."""

    verdict: str                 # PASS | FAIL
    heading: str                 # the line introducing it, e.g. "FAIL (in a protected environment):"
    yaml: str
    marked: tuple[int, ...]      # 1-based lines ending in a `# <-` comment

    @property
    def plain(self) -> str:
        """The YAML without the `# <-` markers."""
        return "\n".join(line.split(MARK)[0].rstrip() for line in self.yaml.splitlines())


@dataclass(frozen=True)
class RuleDoc:
    """A rule's documentation, read from its module's docstring."""

    title: str
    body: str                    # explanation and examples, markdown
    examples: tuple[Example, ...]


_EXAMPLE = re.compile(r"^((PASS|FAIL)\b[^\n]*:)[ \t]*\n[ \t]*\n?```yaml\n(.*?)^```[ \t]*$", re.M | re.S)


def doc(rule: ModuleType) -> RuleDoc:
    text = inspect.cleandoc(rule.__doc__ or "")
    title, _, body = text.partition("\n")
    examples = []
    for m in _EXAMPLE.finditer(body):
        yaml = m.group(3)
        marked = tuple(i for i, line in enumerate(yaml.splitlines(), 1) if MARK in line)
        examples.append(Example(m.group(2), m.group(1), yaml, marked))
    return RuleDoc(title.strip(), body.strip(), tuple(examples))


def rule_codes() -> list:
    """The registry entries (:class:`skyspec.codes.Code`) of the policy codes: SKY400 (the
    `policy` pass's own) and one per rule, its FAIL example as the example."""
    from ..codes import Code

    out = [Code(*UNKNOWN_RULE)]
    for r in sorted(RULES, key=lambda r: r.CODE):
        fail = next(e for e in doc(r).examples if e.verdict == "FAIL")
        out.append(Code(r.CODE, f"{r.ID}: {doc(r).title}", fail.plain))
    return out


def all_codes() -> dict:
    """Every registered code: the compiler's (:data:`skyspec.codes.CODES`) and the policy
    rules' own. The rules sit above the code registry, so the union is made here."""
    from ..codes import CODES

    merged = dict(CODES)
    for c in rule_codes():
        merged.setdefault(c.code, c)
    return merged


def rules_md() -> str:
    out = ["# Policy rules", "",
           "Generated from the rule modules in `compiler/skyspec/rules/` by `python -m skyspec.docgen`; "
           "do not edit by hand.", "",
           "The `policy` pass runs every rule on every environment, after the other passes (so defaults, "
           "profiles and overlays have been applied), and reports each finding at the line of the spec (or "
           "overlay) that wrote the offending value, with the rule's code and its id in the message: "
           "`warning[SKY401]: [latest-image] image \"nginx:latest\" of App \"web\" is not pinned`.", "",
           "## Severity", "",
           "Each rule has a default severity; some are stricter in protected environments (`prod`, or any "
           "environment with `protected: true`), and some run there only. A warning is shown and `check` and "
           "`build` still succeed (exit 0); an error fails them (exit 1), so no output is written. "
           "`policy.rules` in the project file sets a rule's severity (`error`, `warning`) or turns it `off`, "
           "for the whole project and per environment:", "",
           "```yaml",
           "policy:",
           "  rules: {single-replica: \"off\", missing-probes: error}",
           "environments:",
           "  dev:",
           "    policy:",
           "      rules: {latest-image: \"off\"}",
           "  prod: {}",
           "```", "",
           "An environment's setting wins over the project's, which wins over the rule's default (and its "
           "protected default). Quote `\"off\"` in YAML, which reads a bare `off` as the boolean false. "
           "A rule id that does not exist is an error (`SKY400`).", "",
           "| rule | code | default | protected environments | reports |",
           "|---|---|---|---|---|"]
    for r in RULES:
        prot = protected_severity(r)
        default = "— (not checked)" if getattr(r, "PROTECTED_ONLY", False) else r.SEVERITY
        out.append(f"| [`{r.ID}`](#{r.ID}) | `{r.CODE}` | {default} | {prot} | {doc(r).title} |")
    for r in RULES:
        d = doc(r)
        prot = protected_severity(r)
        if getattr(r, "PROTECTED_ONLY", False):
            sev = f"`{r.CODE}` · **{prot}** · protected environments only"
        else:
            sev = f"`{r.CODE}` · default **{r.SEVERITY}**" + (
                f" · in protected environments **{prot}**" if prot != r.SEVERITY else "")
        body = re.sub(r"^(PASS|FAIL)\b([^\n]*):[ \t]*$", r"**\1**\2:", d.body, flags=re.M)
        out += ["", f"## `{r.ID}`", "", sev, "", d.title[:1].upper() + d.title[1:] + ".", "", body]
    return "\n".join(out) + "\n"
