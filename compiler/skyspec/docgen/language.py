"""`docs/language.md`, the language reference, generated: every field of every kind (from the
kinds' JSON Schemas, :mod:`skyspec.schema`), the project file and overlays (their schemas
too), the template format (:data:`skyspec.layers.templates.TEMPLATE_KEYS`), the expressions
(:mod:`skyspec.layers.expr`: roots, operators, the functions' own table) and what each backend
makes of each field (:data:`skyspec.backends.support.SUPPORT`). Every example is a document of
a project that compiles (:func:`examples` lists them with their projects; a test builds each
one). This module renders text only: it must not compile, read the project or write files.
"""

from __future__ import annotations

from typing import Any

from ..schema.kinds import KIND_SCHEMAS
from ..schema.project import overlay_schema, project_schema
from .examples import ENV, ROW_KIND, WORLD, Example, dump, field_example, files_for, flow, top_examples
from . import sections
from .fields import SHOWN_ONCE, Field, description, dotted, fields, follow, sample, type_words

WORKLOADS = ("App", "StatefulApp", "Job", "CronJob")
COMMON = ("name", "namespace", "labels", "annotations")
# kind schema -> the kinds it covers
COVERS = {"Role": "Role / ClusterRole"}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(v: Any) -> str:
    text = flow(v)
    return f"`{text}`" if "`" not in text else f"``{text}``"


class Page:
    """The reference, built section by section, with the examples it shows."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.examples: list[Example] = []
        self.schemas = {k: make() for k, make in KIND_SCHEMAS.items()}
        self.schemas.update(project=project_schema(), overlay=overlay_schema())

    def add(self, *lines: str) -> None:
        self.out.extend(lines)

    # ------------------------------------------------------------------ a field
    def field(self, kind: str, f: Field, rows: list[Field], kinds: list[str]) -> None:
        schema = self.schemas[kind]
        top = f.path[0]
        req = [k for k in kinds if top in self.schemas[k].get("required", ())]
        self.add(f"#### `{top}`", "")
        meta = type_words(f.node, schema)
        if req:
            meta += " · required" + ("" if req == kinds else f" in {', '.join(req)}")
        if len(kinds) < len(WORKLOADS) and kind in WORKLOADS:
            meta = ", ".join(kinds) + " · " + meta
        self.add(meta, "", description(f.node, schema) or "", "")
        if rows:
            self.add("| key | type | description | example |", "|---|---|---|---|")
            for r in rows:
                rel = dotted(r.path[1:])
                what = description(r.node, schema)
                if r.ref in SHOWN_ONCE:
                    what = (what + " " if what else "") + SHOWN_ONCE[r.ref][0].upper() + SHOWN_ONCE[r.ref][1:] + "."
                row_kind = ROW_KIND.get(r.path, kind)
                ex = self.example(row_kind, r.path, f"{row_kind}.{dotted(r.path)}")
                self.add(f"| `{rel}` | {_cell(type_words(r.node, schema))}{' (required)' if r.required else ''} "
                         f"| {_cell(what)} | {_code(ex)} |")
            self.add("")
        texts = []
        for i, value in enumerate(top_examples(kind, top, schema)):
            doc, _ = field_example(kind, f.path, schema, value)
            texts.append(self.compiled(f"{kind}.{top}" + (f".{i + 1}" if i else ""), dump(doc), kind))
        self.add("```yaml", "---\n".join(texts).rstrip("\n"), "```", "")

    def compiled(self, ex_id: str, text: str, kind: str = "App", files: dict | None = None, **kw: Any) -> str:
        """``text`` (a spec file, or the `project` file, or an `overlay`), recorded as an example
        that must compile (in ``files``, when given)."""
        self.examples.append(Example(ex_id, text, files or files_for(kind, text), **kw))
        return text

    def example(self, kind: str, path: tuple, ex_id: str) -> Any:
        doc, value = field_example(kind, path, self.schemas[kind])
        self.compiled(ex_id, dump(doc), kind)
        return value

    # ------------------------------------------------------------------ the kinds
    def kinds(self) -> None:
        self.add("## Spec documents", "",
                 "A spec file holds one or more documents (YAML `---`, TOML, or Python builders: "
                 "[python-api.md](python-api.md)). Every document has a `kind` and a `name`; these keys "
                 "are common to all kinds:", "")
        app = self.schemas["App"]
        rows = {f.path: f for f in fields(app)}
        self.add("| key | type | description | example |", "|---|---|---|---|")
        self.add("| `kind` | string (required) | The kind of the document: "
                 + ", ".join(f"`{k}`" for k in KIND_SCHEMAS) + ", `ClusterRole`. | `App` |")
        for key in COMMON:
            f = rows[(key,)]
            ex = self.example("App", (key,), f"common.{key}")
            self.add(f"| `{key}` | {_cell(type_words(f.node, app))}{' (required)' if f.required else ''} | "
                     f"{_cell(description(f.node, app))} | {_code(ex)} |")
        self.add("")
        self.workloads()
        for kind in KIND_SCHEMAS:
            if kind not in WORKLOADS:
                self.kind(kind)

    def workloads(self) -> None:
        self.add("### Workloads: App, StatefulApp, Job, CronJob", "")
        for k in WORKLOADS:
            self.add(f"- **{k}**: {self.schemas[k]['description']}")
        self.add("", "The four kinds share most fields; each field says which kinds have it when not all four "
                     "do. The examples compile as shown, beside the documents listed in "
                     "[the examples' project](#the-examples-project).", "")
        tops: dict[str, list[str]] = {}
        for k in WORKLOADS:
            for key in self.schemas[k]["properties"]:
                if key not in COMMON and key != "kind":
                    tops.setdefault(key, []).append(k)
        for key, kinds in tops.items():
            kind = kinds[0]
            all_fields = fields(self.schemas[kind])
            f = next(x for x in all_fields if x.path == (key,))
            rows = [x for x in all_fields if x.path[0] == key and len(x.path) > 1]
            self.field(kind, f, rows, kinds)

    def kind(self, kind: str, title: str | None = None, skip: tuple = COMMON) -> None:
        schema = self.schemas[kind]
        if title is not False:
            self.add(f"### {title or COVERS.get(kind, kind)}", "", schema["description"], "")
        all_fields = fields(schema)
        for f in all_fields:
            if len(f.path) == 1 and f.path[0] not in skip:
                rows = [x for x in all_fields if x.path[0] == f.path[0] and len(x.path) > 1]
                self.field(kind, f, rows, [kind])

    def world(self) -> None:
        self.add("## The examples' project", "",
                 "Every example on this page is a document of a project that compiles: a test builds each "
                 f"one in every format (`tests/test_language_doc.py`), in a project with one environment, `{ENV}` "
                 "(no built-in profile), beside these documents, which the examples refer to:", "", "```yaml",
                 "---\n".join(dump(d) for d in WORLD).rstrip("\n"), "```", "")

    def render(self) -> str:
        self.add("# The skyspec language", "",
                 "The reference of everything a spec, the project file, an overlay and a template can say, "
                 "generated from the language's JSON Schemas (`compiler/skyspec/schema/`) and the code's own "
                 "tables by `python -m skyspec.docgen`; do not edit by hand.", "")
        self.add("Contents: [spec documents](#spec-documents) ([workloads](#workloads-app-statefulapp-job-cronjob), "
                 + ", ".join(f"[{COVERS.get(k, k)}](#{_anchor(COVERS.get(k, k))})" for k in KIND_SCHEMAS
                             if k not in WORKLOADS)
                 + "), [the project file](#the-project-file), [overlays](#overlays), [templates](#templates), "
                   "[expressions](#expressions), [what each backend makes of each field](#backends), "
                   "[the examples' project](#the-examples-project). The porting guide is [porting.md](porting.md); the "
                   "Python builders are [python-api.md](python-api.md).", "")
        self.kinds()
        sections.project(self)
        sections.overlays(self)
        sections.templates(self)
        sections.expressions(self)
        sections.backends(self)
        self.world()
        return "\n".join(self.out).rstrip("\n") + "\n"


def _anchor(title: str) -> str:
    """GitHub's anchor of a heading."""
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c in "-_")


def language_md() -> str:
    return Page().render()


def examples() -> list[Example]:
    """Every example the reference shows, with the project it compiles in."""
    page = Page()
    page.render()
    return page.examples
