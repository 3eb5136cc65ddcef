"""policy: run the policy rules (`skyspec/rules/`, one module each, listed in
`docs/rules.md`) and report each finding with the rule's code, its id in the message
(`[latest-image] image "nginx:latest" of App "web" is not pinned`), at the severity the
project asks for.

Severity, first match wins: the environment's `policy.rules` in the project file, the
project's `policy.rules`, the rule's `PROTECTED_SEVERITY` in a protected environment, the
rule's `SEVERITY`. `off` turns a rule off (`false` too: YAML 1.1
reads a bare `off` as false). A rule with `PROTECTED_ONLY` runs in protected
environments only. A rule id that does not exist is an error (SKY400) at the project file
line that names it. The pass runs last, on whatever IR the earlier stages produced: specs
with errors are absent from it, and rules never report on them.
"""

from __future__ import annotations

from ..diagnostics import Pos, did_you_mean
from ..ir.model import IR, Context

SEVERITIES = ("error", "warning", "off")


def _rules_config(data) -> dict:
    rules = ((data or {}).get("policy") or {}).get("rules") if isinstance(data, dict) else None
    return rules if isinstance(rules, dict) else {}


def _pos(project, path: tuple) -> Pos | None:
    """The position of a key in the project file (the key itself, not its value)."""
    prov = getattr(project, "prov", None)
    node = prov.find(path) if prov is not None else None
    if node is None:
        return project.pos(*path) if project is not None else None
    return node.key or node.pos


def policy(ir: IR, ctx: Context) -> IR:
    from ..rules import BY_ID, RULES, protected_severity

    project, env = ctx.project, ctx.env
    env_name = getattr(env, "name", ir.env)
    levels = [(_rules_config(getattr(project, "data", None)), (), "the project's `policy.rules`"),
              (_rules_config(getattr(env, "raw", None)), ("environments", env_name),
               f'`policy.rules` of environment "{env_name}"')]
    configured: dict[str, tuple[str, str]] = {}
    for rules, at, source in levels:
        for rid, sev in rules.items():
            if rid not in BY_ID:
                ctx.diags.error("SKY400", f'unknown policy rule "{rid}"', _pos(project, at + ("policy", "rules", rid)),
                                hint=did_you_mean(str(rid), BY_ID) or f"rules: {', '.join(BY_ID)}")
            elif sev in SEVERITIES or sev is False:  # YAML 1.1 reads a bare `off` as false
                configured[rid] = ("off" if sev is False else sev, source)
    for rule in RULES:
        if getattr(rule, "PROTECTED_ONLY", False) and not ir.protected:
            continue
        if rule.ID in configured:
            severity, source = configured[rule.ID]
            note = f"severity set by {source}"
        elif ir.protected and protected_severity(rule) != rule.SEVERITY:
            severity = protected_severity(rule)
            note = f'{"an" if severity == "error" else "a"} {severity} in protected environments such as "{env_name}"'
        else:
            severity, note = rule.SEVERITY, None
        if severity == "off":
            continue
        report = ctx.diags.error if severity == "error" else ctx.diags.warning
        for pos, message, hint in rule.check(ir, ctx):
            report(rule.CODE, f"[{rule.ID}] {message}", pos, hint=hint, notes=[note] if note else ())
    return ir
