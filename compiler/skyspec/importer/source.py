"""The input of `skyspec import`, read as the compiler reads a spec file, and where each of
its values was written. Manifests and Compose files come from the repository being adopted,
often from a pull request, so they get the compiler's guards: every file through
:func:`skyspec.frontend.load_file` (regular files only, the size, nesting and alias limits of
:mod:`skyspec.limits`, UTF-8, no YAML tags), every file found in a folder or named by a
Compose file through :func:`skyspec.contain.contained` (nothing behind a symlink leading out,
no FIFO or device). Problems are located diagnostics, collected: one run reports them all.
:class:`Inputs` keeps the position tree of every object, so later stages report at the
input's file:line:col (:meth:`Inputs.pos`), and registers the values of Secrets and of
credential-looking env entries with the redactor, so no diagnostic or code frame shows one.
It reads only files; it must not write, run or print anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..contain import contained
from ..diagnostics import Diagnostic, Diagnostics, Pos, Sources
from ..frontend import Loc, load_file
from ..limits import DEFAULT
from ..paths import shown_link, shown_path
from ..redact import credential_env

SUFFIXES = (".yaml", ".yml", ".json")
# the importer's codes (codes.py has their titles)
NOT_OBJECT = "SKY060"     # not a Kubernetes object / not a Compose file / inputs that do not form one system
WRONG = "SKY061"          # a field of the wrong type, a name a spec cannot have, an object given twice
RESOURCE = "SKY062"       # a kind no spec kind maps: kept as a Resource
INFERRED = "SKY063"       # connect_to inferred
SECRET = "SKY064"         # a secret value not written
# the keys whose values name something the import writes as it is (:meth:`Inputs.public_secrets`);
# and a Compose volume's short form (`name:/path`), read under `volumes`
NAMES = frozenset({"name", "image", "container_name", "hostname", "mountPath", "target", "source", "volumes"})
PATCHED = "SKY065"        # kept as a k8s: patch
NOT_CARRIED = "SKY066"    # a Compose setting the project does not carry over
UNEXPLAINED = "SKY067"    # a round-trip difference in no named category
HELM = "SKY068"           # the chart (or a Kustomize folder) could not be rendered
NOT_BUILT = "SKY069"      # the imported project does not build, or cannot be written
POLICY = "SKY070"         # a policy rule lowered for what the input runs
LEGACY = "SKY071"         # an API version no longer served: read as its successor, or refused
OPEN = "SKY072"           # traffic within the namespace admitted, as the input without NetworkPolicies did
ASSUMED = "SKY073"        # a ConfigMap the workloads use that the input does not hold: declared existing
NOT_OBJECT_HINT = ("`skyspec import kubernetes` reads Kubernetes objects (each document a mapping with `kind:`, "
                   "`apiVersion:` and `metadata:`), or `kind: List` with `items:`")


class Inputs:
    """The objects read, each with its position tree; the diagnostics and the texts for code
    frames of one import."""

    def __init__(self, diags: Diagnostics | None = None) -> None:
        self.diags = diags if diags is not None else Diagnostics()
        self.sources = _Sources()
        self.where: dict[int, tuple[str, Loc]] = {}   # id(object) -> (file, its Loc)
        self.lines = 0                                 # lines of input (not blank, not comments)
        self._keep: list = []                          # objects located (ids stay theirs)
        self.read: set[Path] = set()                   # real paths read (a file named twice is read once)
        self.names: dict[str, str] = {}                # a scratch file's path -> the name diagnostics show
        self.renamed: dict[int, str] = {}              # id(object) -> the name it is imported under
        self.reselected: dict[int, dict] = {}          # id(object) -> {path: a pod's term, reselected}
        self.secrets: dict[str, Pos | None] = {}       # a secret text -> where it was first registered
        self.unmoved: dict[int, dict] = {}             # id(object) -> it as written, before its credentials moved

    # ------------------------------------------------------------------ positions
    def locate(self, obj: Any, file: str, loc: Loc) -> None:
        self.where[id(obj)] = (file, loc)
        self._keep.append(obj)

    def pos(self, obj: Any, path: tuple = (), key: bool = False) -> Pos | None:
        """Where ``path`` of ``obj`` was written: the deepest part of it the input has (list
        items by index, or by a fidelity key such as `[name=api]`); the key's position rather
        than the value's with ``key``."""
        found = self.where.get(id(obj))
        if found is None:
            return None
        loc, data = found[1], obj
        for n, seg in enumerate(path):
            nxt, value = _step(data, loc, seg)
            if nxt is None:
                return loc.pos
            if key and n == len(path) - 1 and isinstance(data, dict) and loc.key_pos(seg):
                return loc.key_pos(seg)
            loc, data = nxt, value
        return loc.pos

    def note(self, code: str, message: str, pos: Pos | None, hint: str | None = None) -> None:
        self.diags.add(Diagnostic(code, message, pos, "note", hint))

    def count(self, text: str) -> None:
        self.lines += sum(1 for ln in text.splitlines()
                          if ln.strip() and not ln.lstrip().startswith("#") and ln.strip() != "---")

    # ------------------------------------------------------------------ secrets
    def secret(self, value: Any, file: str, loc: Loc | None) -> None:
        """Registers a secret value (a Secret's data, a credential env value) and hides the
        lines holding it from code frames."""
        before = set(self.diags.redactor.values)
        self.diags.redactor.add(value)
        for text in self.diags.redactor.values - before:
            self.secrets[text] = Pos(file, loc.pos.line, loc.pos.col) if loc else None
        if loc is None:
            return
        stack = [loc]
        while stack:
            x = stack.pop()
            self.diags.redactor.hide_line(file, x.pos.line)
            kids = x.kids.values() if isinstance(x.kids, dict) else x.kids or []
            stack += [k for k in kids if k is not None]

    def kept_holds_secret(self, obj: Any) -> bool:
        """Whether an object the import keeps as written holds a secret value (it is then
        refused: it would be written); but a public one (:meth:`public_secrets`) where the
        object gives a name (argo's ClusterRoleBinding of the account `argo-server`, an SSO
        client's id too), and a CRD's schemas (a `default: admin` is the API's, no deployment's
        value), hold none."""
        red = self.diags.redactor

        def holds(v: Any, key: Any = None) -> bool:
            if isinstance(v, dict):
                return any(holds(x, k) for k, x in v.items())
            if isinstance(v, list):
                return any(holds(x, key) for x in v)
            if isinstance(v, str) and key in NAMES and v in red.public:
                return False
            return red.holds(v)
        spec = obj.get("spec") if isinstance(obj, dict) and obj.get("kind") == "CustomResourceDefinition" else None
        if isinstance(spec, dict) and isinstance(spec.get("versions"), list):   # (its versions' schemas: not read)
            obj = {**obj, "spec": {**spec, "versions": [{k: x for k, x in ver.items() if k != "schema"}
                                                        if isinstance(ver, dict) else ver for ver in spec["versions"]]}}
        return holds(obj)

    def public_secrets(self, data: Any) -> None:
        """A credential of the input whose value is a word of the names the input gives (of a
        service, an object, a container, an image, a mount path: Airflow's, Sentry's and
        Penpot's files give their database the password of their own name) is not scrubbed
        from the messages: the import writes those names as they are, and
        `<redacted>-apiserver` shows where the password is and what it is. A warning at the
        credential says so. It is still never written (a kept object holding it is refused)."""
        red = self.diags.redactor
        if not self.secrets:
            return
        import re

        words: set[str] = set()
        seen: set[int] = set()
        todo = [(None, data)]
        while todo:   # (each map and list once: an alias shares one)
            key, v = todo.pop()
            if isinstance(v, dict) and v.get("kind") in ("Secret", "ConfigMap") and isinstance(v.get("metadata"), dict):
                v = {"metadata": v["metadata"]}   # (their values are no names, whatever their keys)
            if isinstance(v, (dict, list)):
                if id(v) not in seen:
                    seen.add(id(v))
                    if key == "services" and isinstance(v, dict):   # (Compose: the services' names)
                        words.update(w for k in v for w in re.split(r"[^a-z0-9]+", str(k).lower()))
                    todo.extend(v.items() if isinstance(v, dict) else ((key, x) for x in v))
            elif isinstance(v, str) and key in NAMES:
                words.update(re.split(r"[^a-z0-9]+", v.lower()))
                words.add(v.lower())   # (a whole name too: argo's account `argo-server`, an SSO client's id)
        for text, at in sorted(self.secrets.items(), key=lambda kv: kv[0]):
            if text in red.values and text not in red.public and text.lower() in words:
                red.publish(text)
                self.diags.warning(SECRET, "a credential's value is a word of the names the input gives (its "
                                   "services, objects, images or paths): it is no secret, and it is not masked "
                                   "in these messages, which name them", at,
                                   hint="give it a value of its own, supplied at deploy time (it is moved to a "
                                        "Secret, and never written, as the others)")

    def register_secrets(self, obj: dict) -> None:
        file, loc = self.where.get(id(obj), (None, None))
        if file is None:
            return
        if obj.get("kind") == "Secret":
            for key in ("data", "stringData"):
                if key in obj:
                    self.secret(obj[key], file, loc.child(key))
        meta = obj.get("metadata")
        ann = meta.get("annotations") if isinstance(meta, dict) else None
        last = "kubectl.kubernetes.io/last-applied-configuration"
        if isinstance(ann, dict) and last in ann:   # holds the object again, a Secret's values too
            self.secret(ann[last], file, loc.find(("metadata", "annotations", last)))
        _credentials(self, obj, loc, file)


class _Sources(Sources):
    """The texts for code frames, kept whole too (the input's line count, the Compose data)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}

    def register(self, file: str, text: str) -> None:
        super().register(file, text)
        self.texts[file] = text


def _step(data: Any, loc: Loc, seg: Any) -> tuple[Loc | None, Any]:
    if isinstance(data, dict):
        return loc.child(seg), data.get(seg)
    if isinstance(data, list):
        if isinstance(seg, int):
            i = seg
        elif isinstance(seg, str) and seg.startswith("[") and seg.endswith("]"):
            inner = seg[1:-1]
            if inner.isdigit():
                i = int(inner)
            else:
                k, _, v = inner.partition("=")
                i = next((n for n, x in enumerate(data) if isinstance(x, dict) and str(x.get(k)) == v), -1)
        else:
            return None, None
        if 0 <= i < len(data):
            return loc.child(i), data[i]
    return None, None


def _credentials(inputs: Inputs, obj: Any, loc: Loc | None, file: str) -> None:
    """Registers every `env:` value of a container that looks like a credential."""
    stack = [(obj, loc)]
    while stack:
        d, lc = stack.pop()
        if isinstance(d, dict):
            if isinstance(d.get("name"), str) and "value" in d and credential_env(d["name"], d.get("value")):
                inputs.secret(d["value"], file, lc.child("value") if lc else None)
            stack += [(v, lc.child(k) if lc else None) for k, v in d.items() if isinstance(v, (dict, list))]
        elif isinstance(d, list):
            stack += [(v, lc.child(i) if lc else None) for i, v in enumerate(d) if isinstance(v, (dict, list))]


def load(path: Path, inputs: Inputs, root: Path | None = None, rel: str | None = None,
         at: Pos | None = None, core: bool = False) -> list:
    """The documents of one file (``SourceDoc`` list), or [] (reported). With ``root`` the
    file is ``rel`` under it and must stay inside it; otherwise ``path`` is read as named,
    and a symlink must not lead out of the folder holding it. ``core``: `yes`, `no`, `on`,
    `off` are text, as Compose (YAML 1.2) reads them; manifests are read as the Kubernetes
    tools read them (YAML 1.1: booleans)."""
    diags = inputs.diags
    within = "the folder imported" if root is not None else "the folder it is in"
    if root is None:
        root, rel = path.parent, path.name
    real = contained(root, rel, at or Pos(shown_link(root / rel), 1, 1), diags, "input file", within=within)
    if real is None:
        return []
    shown = inputs.names.get(str(root / rel)) or shown_path(root / rel)
    if real in inputs.read:
        return []
    inputs.read.add(real)
    docs = load_file(real, shown, diags, inputs.sources, DEFAULT, core=core)
    if docs:
        inputs.count(inputs.sources.texts.get(shown, ""))
    return docs


def files_of(paths: list[Path], inputs: Inputs, scratch: Path | None = None) -> list[tuple[Path, Path | None, str | None]]:
    """(path, root, rel) of every manifest named: files as given, folders walked in name
    order without following symlinked folders (a symlink leading out is reported); a
    Kustomize folder is what it builds, rendered into ``scratch`` (:mod:`.kustomize`)."""
    from . import kustomize

    out: list[tuple[Path, Path | None, str | None]] = []
    for p in paths:
        if p.name in kustomize.NAMES and p.is_file():   # a kustomization named: its folder, as it builds
            p = p.parent
        if p.is_dir() and kustomize.kustomization(p) is not None and scratch is not None:
            built = kustomize.render(p, scratch, inputs)
            out += [(built, None, None)] if built is not None else []
        elif p.is_dir() and (p / "Chart.yaml").is_file():   # templates, not objects
            inputs.diags.error(NOT_OBJECT, f"{shown_path(p)} is a Helm chart: its templates are no objects as written",
                               Pos(shown_path(p / "Chart.yaml"), 1, 1),
                               hint=f"import it with its values: `skyspec import helm {shown_path(p)} -f values.yaml`")
        elif p.is_dir() and kustomize.nested(p, inputs):
            continue
        elif p.is_dir():
            for top, dirs, names in os.walk(p, followlinks=False):
                dirs.sort()
                for d in list(dirs):
                    rel = os.path.relpath(os.path.join(top, d), p)
                    if os.path.islink(os.path.join(top, d)):
                        contained(p, rel, Pos(shown_link(p / rel), 1, 1), inputs.diags, "input folder",
                                  folders=True, within="the folder imported")
                        dirs.remove(d)
                for n in sorted(names):
                    if n.endswith(SUFFIXES) and n != "kustomization.yaml":
                        out.append((p / os.path.relpath(os.path.join(top, n), p), p,
                                    os.path.relpath(os.path.join(top, n), p).replace(os.sep, "/")))
        elif p.exists() or p.is_symlink():
            out.append((p, None, None))
        else:
            inputs.diags.error("SKY003", f'input "{p}" not found', None,
                               hint="name manifest files or folders of them")
    return out


def read_objects(paths: list[Path], inputs: Inputs) -> list[dict]:
    """Every object of the manifests at ``paths``, `List`s flattened, empty documents
    skipped, each located in ``inputs``; what is not an object is reported (SKY060)."""
    import tempfile

    out: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="skyspec-kustomize-") as scratch:
        for path, root, rel in files_of(paths, inputs, Path(scratch)):
            for doc in load(path, inputs, root, rel):
                out += _flatten(doc.data, doc.loc, doc.file, inputs)
    return out


def _flatten(d: Any, loc: Loc, file: str, inputs: Inputs) -> list[dict]:
    if d is None:
        return []
    if not isinstance(d, dict) or not isinstance(d.get("kind"), str) or not d["kind"]:
        what = "a mapping without `kind:`" if isinstance(d, dict) else f"a {_typename(d)}"
        inputs.diags.error(NOT_OBJECT, f"this document is {what}, not a Kubernetes object", loc.pos,
                           hint=NOT_OBJECT_HINT)
        return []
    if d["kind"] == "List" or (d["kind"].endswith("List") and "items" in d):
        items = d.get("items")
        if items is None:
            return []
        if not isinstance(items, list):
            inputs.diags.error(NOT_OBJECT, f"`items` of a {d['kind']} is a {_typename(items)}, not a list",
                               (loc.child("items") or loc).pos, hint=NOT_OBJECT_HINT)
            return []
        return [o for i, item in enumerate(items) for o in _flatten(item, (loc.child("items").child(i) if loc.child("items") else None) or loc,
                                                                   file, inputs)]
    d = _no_nulls(d)
    if "metadata" not in d:
        d["metadata"] = {}
    inputs.locate(d, file, loc)
    inputs.register_secrets(d)
    return [d]


def _no_nulls(v: Any) -> Any:
    """The object as the API server stores it: a field set to null is no field."""
    if isinstance(v, dict):
        return {k: _no_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_no_nulls(x) for x in v]
    return v


def _typename(v: Any) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(v), type(v).__name__)


def read_text(base: Path, rel: str, inputs: Inputs, at: Pos | None, what: str, optional: bool = False,
              limit: int = DEFAULT.file_bytes) -> str | None:
    """The UTF-8 text of ``rel`` (written at ``at``), a regular file inside ``base``, of at
    most ``limit`` bytes; None when absent and ``optional``, or when refused (reported)."""
    p = base / rel
    if optional and isinstance(rel, str) and not (p.exists() or p.is_symlink()):
        return None
    real = contained(base, rel, at, inputs.diags, what, relative="the file that names it")
    if real is None:
        return None
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            chunks, total = [], 0
            while total <= limit:
                chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as exc:
        inputs.diags.error("SKY003", f'{what} "{rel}" cannot be read ({exc.__class__.__name__})', at,
                           hint="check that the file exists and is readable, or leave it out of the import")
        return None
    if len(data) > limit:
        inputs.diags.error("SKY008", f'{what} "{rel}" is larger than {limit:,} bytes', at,
                           hint="the importer reads files of this size at most")
        return None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        inputs.diags.error("SKY006", f'{what} "{rel}" is not UTF-8 text', at, hint="save it as UTF-8")
        return None
