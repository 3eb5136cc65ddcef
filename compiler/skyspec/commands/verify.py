"""`skyspec verify DIR`: the system check (`skyspec.syscheck`) on any folder of manifests.

Reads every `.yaml`/`.yml`/`.json` file under DIR (skyspec's output or anyone's) through the
front end, with its limits: no special file, no file reached through a symlink leading out of
DIR, no YAML tag beyond the core schema. Each finding is reported at the object's document in
its file, its message naming `Kind/name`. `--existing Kind/name` declares an object the
cluster already has (a Secret made by hand, a pre-provisioned claim). Exit status 1 on any
error. It writes nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click



@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--namespace", "-n", default="default", show_default=True,
              help="The namespace of objects that name none (as `kubectl apply -n`).")
@click.option("--existing", multiple=True, metavar="KIND/NAME",
              help="An object the cluster already has (`Secret/db-password`); repeatable.")
@click.option("--ingress-namespace", default="ingress-nginx", show_default=True,
              help="The ingress controller's namespace: Ingress traffic comes from there.")
@click.option("--diagnostics-format", "diagnostics_format", type=click.Choice(["text", "json", "sarif"]),
              default="text", show_default=True)
def verify(directory: Path, namespace: str, existing: tuple[str, ...], ingress_namespace: str,
           diagnostics_format: str) -> None:
    """Check that the manifests in DIRECTORY work together: Services reach pods and ports,
    probes and addresses name real ports, used ConfigMaps/Secrets/claims exist, and the
    NetworkPolicies admit every connection."""
    from ..diagnostics import Diagnostics, Sources
    from ..frontend import load_file
    from ..paths import shown_path
    from ..syscheck import System, check, label
    from ._common import emit_diags

    diags, sources = Diagnostics(), Sources()
    objects, where = [], {}
    root = directory.resolve()
    for path in _files(root):
        for doc in load_file(path, shown_path(path), diags, sources):
            items = doc.data.get("items") if isinstance(doc.data, dict) and doc.data.get("kind", "").endswith("List") \
                else [doc.data]
            for i, obj in enumerate(items if isinstance(items, list) else []):
                if isinstance(obj, dict) and isinstance(obj.get("kind"), str) and isinstance(obj.get("metadata"), dict):
                    objects.append(obj)
                    loc = doc.loc if obj is doc.data else (doc.loc.child("items") or doc.loc).child(i) or doc.loc
                    where[id(obj)] = loc.pos
    declared = set()
    for e in existing:
        kind, _, name = e.partition("/")
        ns = None
        if "/" in name:  # Kind/namespace/name
            ns, _, name = name.partition("/")
        if not kind or not name:
            diags.error("SKY164", f'--existing "{e}" is not KIND/NAME', None, hint="e.g. --existing Secret/db-password")
            continue
        declared.add((kind, ns, name))
    if not objects and not diags.has_errors:
        diags.error("SKY164", f"no Kubernetes object found in {shown_path(directory)}", None,
                    hint="point at a folder of manifests (.yaml, .yml or .json files)")
    if not diags.has_errors:
        for f in check(System(objects, namespace, declared, ingress_namespace)):
            report = diags.error if f.severity == "error" else diags.warning
            first = where.get(id(f.other)) if f.other is not None else None
            report(f.code, f"{label(f.obj)}: {f.message}", where.get(id(f.obj)), hint=f.hint,
                   notes=[f"the other one is at {first.file}:{first.line}"] if first else ())
    emit_diags(diags, diagnostics_format, sources)
    if diags.has_errors:
        sys.exit(1)
    if diagnostics_format == "text":
        click.echo(f"skyspec: {len(objects)} objects verified, no errors", err=True)


def _files(root: Path) -> list[Path]:
    """The manifest files under root, in a stable order, none through a link leading out."""
    out = []
    for d, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        for f in sorted(files):
            p = Path(d) / f
            if p.suffix not in (".yaml", ".yml", ".json") or f.startswith("."):
                continue
            if p.is_symlink() and not str(p.resolve()).startswith(str(root) + os.sep):
                continue
            out.append(p)
    return out
