"""Problems lowering finds where a spec meets what another layer or spec wrote, reported at
the user's line with a hint that names the fix, in the language of that line (a builder call
at a Python line): a check of the user's merged beside the `use:` template's probe
(:func:`merged_checks`), a port the template already declares under another name
(:func:`template_port_hint`), and an Observability scraping a port its app does not have
(:func:`missing_metrics_port`). It only reports: it must not change the IR or the specs.
"""

from __future__ import annotations

from ..diagnostics import Diagnostics, did_you_mean, spelled
from ..layers.stack import Spec
from ..provenance import template_wrote


def merged_checks(diags: Diagnostics, spec: Spec, at: tuple, kinds: list[str]) -> bool:
    """A probe whose checks come from different layers: the spec's own (`health_check()`)
    merged beside its `use:` template's. Reported, once, at the user's check, never in the
    template (a stdlib file the user cannot edit); False when that is not the case."""
    mine = [k for k in kinds if not template_wrote(spec.prov, at + (k,))]
    theirs = [k for k in kinds if k not in mine]
    if len(mine) != 1 or not theirs:
        return False
    pos = spec.where(*at, mine[0])
    diags.error("SKY108", f"{'.'.join(at)}: this `{mine[0]}` check is merged into the `use:` template's "
                          f"`{theirs[0]}` probe, and a probe has exactly one check", pos,
                hint=spelled(pos, f"remove `{mine[0]}` to keep the template's probe, or replace the whole probe: "
                                  f"`{at[-1]}!: {{{mine[0]}: ...}}`",
                             f"remove this call to keep the template's `{theirs[0]}` probe (a probe has exactly "
                             "one check)"))
    return True


def template_port_hint(spec: Spec, at: tuple, port: int, first: str, again: str) -> str:
    """The hint of a port number declared twice (``first``, then ``again``): when the `use:`
    template declared it first, drop the user's or give it the template's name."""
    if not template_wrote(spec.prov, at + ("ports", first)):
        return "each port number may appear once per protocol"
    pos = spec.where(*at, "ports", again)
    return spelled(pos, f'the `use:` template declares port {port} as "{first}": drop "{again}", or name it "{first}"',
                   f'remove this call: the `use:` template declares port {port} as "{first}"')


def missing_metrics_port(diags: Diagnostics, spec: Spec, app: str, port: str, names: list[str]) -> None:
    """An Observability scraping ``port`` (a name) of ``app``, which has only ``names``."""
    pos = spec.where("metrics", "port")
    first = names[0] if names else None
    diags.error("SKY117", f'Observability "{spec.name}" scrapes the port "{port}" of "{app}", which has no port of '
                          "that name", pos,
                hint=did_you_mean(port, names) or spelled(
                    pos, f'declare it on "{app}" (`ports: {{{port}: 9090}}`)'
                    + (f", or scrape one of its ports: `metrics: {{port: {first}}}`" if first else ""),
                    f'declare it: `.port(9090, "{port}")` on "{app}"'
                    + (f', or scrape one of its ports: `enable_metrics(port="{first}")`' if first else "")))
