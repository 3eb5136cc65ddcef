"""`skyspec fmt`: the canonical layout (key order by the schemas, flow maps for short maps,
quotes only where YAML needs them), every comment kept, idempotence, meaning kept (the
compiled output of a formatted project is byte-identical), the guard that refuses a
rewrite that would change meaning, `--check`, and the pre-commit hook."""

from __future__ import annotations

import ast
import json
import re
import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT, write_tree

from skyspec.diagnostics import Diagnostics
from skyspec.fmt import format_text
from skyspec.frontend import load_text
from skyspec.schema.validate import load_schema


def fmt(text: str, role: str = "spec") -> str:
    out = format_text(textwrap.dedent(text).lstrip("\n"), role, "x.yaml")
    assert out.problem is None and out.note is None, (out.problem, out.note)
    return out.text


def data(text: str) -> list:
    d = Diagnostics()
    docs = load_text(text, "x.yaml", d)
    assert not d.has_errors, [x.message for x in d]
    return [(doc.index, doc.data) for doc in docs]


def same_data(a, b) -> bool:
    """Equal, types included (`1` is not `1.0` nor `true`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    return a == b or a != a and b != b


def comments(text: str) -> list[str]:
    """The comment of every line that has one (by skyspec fmt's own reading of the text)."""
    from skyspec.fmt import notes_of
    from skyspec.fmt.source import read

    return sorted(notes_of(read(text)).elements())


def check_all(text: str, role: str = "spec") -> str:
    """fmt(text): refused never, meaning kept, comments kept, idempotent."""
    out = format_text(text, role, "x.yaml")
    assert out.problem is None, (out.problem, out.pos, text)
    assert out.note is None, out.note
    assert same_data(data(text), data(out.text)), (text, out.text)
    assert Counter(comments(text)) == Counter(comments(out.text)), (text, out.text)
    again = format_text(out.text, role, "x.yaml")
    assert again.text == out.text, (text, out.text, again.text)
    return out.text


# ---------------------------------------------------------------- the layout


def test_keys_follow_the_schema_order_and_unknown_keys_stay_after_their_neighbour():
    out = fmt("""
        replicas: 2
        image: x/api:1
        version: "16.4"
        use: postgres
        database: shop
        labels: {tier: web}
        name: api
        kind: App
        env:
          ZED: a
          ALPHA: b
        """)
    keys = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    # `version` followed `image`, `database` followed `use`: each keeps its neighbour
    assert keys == ["kind", "name", "labels", "use", "database", "image", "version", "env", "replicas"]
    order = list(load_schema("app.json")["properties"])
    known = [k for k in keys if k in order]
    assert known == sorted(known, key=order.index)
    assert out.index("ZED") < out.index("ALPHA")  # a map keyed by names keeps its order


def test_nested_maps_follow_their_fields_schema():
    out = fmt("""
        kind: App
        name: api
        resources: {memory_limit: 1Gi, memory: 512Mi, cpu: 100m}
        volumes:
          data: {mount: /data, empty: true}
          conf: {read_only: true, config: c, mount: /etc/c}
        expose: {tls: true, host: a.example.com}
        """)
    assert "resources: {cpu: 100m, memory: 512Mi, memory_limit: 1Gi}" in out
    assert "data: {mount: /data, empty: true}" in out
    assert "conf: {mount: /etc/c, read_only: true, config: c}" in out
    assert out.index("  data:") < out.index("  conf:")
    assert "expose: {host: a.example.com, tls: true}" in out


def test_overlay_sections_and_patches_in_order_with_operator_suffixes_kept():
    out = fmt("""
        settings: {limits: {cpu: 2}}
        apps:
          web:
            replicas: 3
            env-: [DEBUG]
            args+: [--x]
            labels: {a: b}
          api:
            resources!: {memory: 1Gi, cpu: "1"}
        defaults:
          replicas: 1
          image: x
        match:
          - patch: {replicas: 4}
            optional: true
            where: {name: "w*", kind: App}
        all:
          labels: {env: prod}
        """, role="overlay")
    top = [line.split(":")[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert top == ["all", "match", "apps", "defaults", "settings"]
    web = out[out.index("  web:"):out.index("  api:")]
    assert [line.strip().split(":")[0] for line in web.splitlines()[1:]] == ["labels", "args+", "env-", "replicas"]
    assert out.index("  web:") < out.index("  api:")  # workloads keep their order
    assert 'resources!: {cpu: "1", memory: 1Gi}' in out
    assert "    patch: {replicas: 4}\n    optional: true" in out
    assert '  - where: {kind: App, name: w*}' in out
    assert "defaults: {image: x, replicas: 1}\nsettings:\n  limits: {cpu: 2}\n" in out


def test_project_file_follows_its_schema_and_keeps_environment_order():
    out = fmt("""
        outputs: [kubernetes]
        environments:
          prod: {protected: true, overlays: [overlays/prod.yaml]}
          dev: {}
        namespace: shop
        project: shop
        """, role="project")
    assert out == textwrap.dedent("""\
        project: shop
        namespace: shop
        environments:
          prod: {overlays: [overlays/prod.yaml], protected: true}
          dev: {}
        outputs: [kubernetes]
        """)


@pytest.mark.parametrize("value", ["on", "yes", "no", "off", "y", "1.0", "0755", "1e3", "1:30", "null", "~",
                                   "true", "2024-01-01", "0x1F", "=", "<<", "", " lead", "8080", ".inf"])
def test_strings_that_would_read_as_another_type_stay_quoted(value):
    out = fmt(f"kind: ConfigMap\nname: c\ndata:\n  K: {json.dumps(value)}\n  L: a\n  M: b\n  N: c\n  O: d\n")
    assert f"  K: {json.dumps(value)}\n" in out
    assert data(out)[0][1]["data"]["K"] == value


def test_quotes_go_where_yaml_does_not_need_them_and_plain_scalars_stay_as_written():
    out = fmt("""
        kind: App
        name: 'api'
        image: "x/api:1"
        command: ["a, b", 'c', "it's", 'back\\slash', "#not-a-comment", "x #y"]
        env: {A: on, B: 0755, C: "https://${self.expose.host}", D: "q\\"uote"}
        """)
    assert "name: api\n" in out and "image: x/api:1\n" in out
    assert 'command: ["a, b", c, it\'s, back\\slash, "#not-a-comment", "x #y"]' in out
    # `{` and `}` cannot stand bare in a flow map
    assert 'env: {A: on, B: 0755, C: "https://${self.expose.host}", D: q"uote}' in out
    assert "PUBLIC_URL: https://${self.expose.host}    # x\n" in fmt('kind: App\nname: a\nenv:\n  PUBLIC_URL: "https://${self.expose.host}"  # x\n')


def test_short_maps_flow_long_ones_and_maps_of_maps_are_blocks():
    out = fmt("""
        kind: App
        name: api
        labels:
          a: "1x"
          b: y
          c: z
          d: w
        annotations: {a: x, b: y, c: z, d: w, e: v}
        env:
          LONG: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        command:
          - python
          - -m
        health: {exec: [redis-cli, ping]}
        strategy: {canary: {percent: 10}}
        """)
    assert "labels: {a: 1x, b: y, c: z, d: w}\n" in out          # 4 entries: flow
    assert "annotations:\n  a: x\n  b: y\n" in out                 # 5: block
    assert "env:\n  LONG: aaaa" in out                             # over 88 columns: block
    assert "command: [python, -m]\n" in out
    assert "health: {exec: [redis-cli, ping]}\n" in out            # a list of scalars may sit in a flow map
    assert "strategy:\n  canary: {percent: 10}\n" in out           # a map in a map: block
    assert max(len(line) for line in out.splitlines() if "{" in line or "[" in line) <= 88


_TEXT = st.text(st.sampled_from("abcxyz019 -_:#,'\"\\[]{}*&!?%@`|>~\u00e9\t"), max_size=40) | \
    st.text(st.sampled_from("abcdefgh-"), min_size=0, max_size=80) | st.text(st.sampled_from("ab"), max_size=3)


@st.composite
def _flowables(draw):
    from skyspec.fmt.yamlio import CommentedMap, CommentedSeq

    if draw(st.booleans()):
        out = CommentedMap()
        for k in draw(st.lists(_TEXT.filter(bool), min_size=1, max_size=4, unique=True)):
            out[k] = CommentedSeq(draw(st.lists(_TEXT, max_size=3))) if draw(st.booleans()) else draw(_TEXT)
        return out
    return CommentedSeq(draw(st.lists(_TEXT, min_size=1, max_size=6)))


@settings(max_examples=400, deadline=None)
@given(_flowables(), st.one_of(st.none(), _TEXT.filter(bool)))
def test_a_flow_collection_fits_its_line_exactly_when_its_dumped_line_does(obj, key):
    """The layout's bounds (which spare dumping most collections to measure them) decide as
    measuring the dumped line does, at the columns where the answer turns."""
    from skyspec.fmt import layout
    from skyspec.fmt.yamlio import WIDTH, CommentedMap, CommentedSeq

    assume(layout._flowable(obj, (), set()))
    flow = layout._flow_copy(obj)
    line = layout._line(CommentedMap([(key, flow)]) if key is not None else CommentedSeq([flow]))
    for col in {0, 2, WIDTH - line - 1, WIDTH - line, WIDTH - line + 1} - {-1, -2}:
        if col >= 0:
            assert layout._fits(flow, key, col) == (col + line <= WIDTH), col


def test_lists_of_maps_are_blocks_with_indented_dashes():
    out = fmt("""
        kind: App
        name: api
        tolerations: [{key: a, operator: Exists}, {key: b, operator: Exists, effect: NoSchedule}]
        sidecars:
          log: {image: x/log:1, command: [tail, -f]}
        """)
    assert "tolerations:\n  - {key: a, operator: Exists}\n  - {key: b, operator: Exists, effect: NoSchedule}\n" in out


def test_block_scalars_keep_their_style():
    text = "kind: ConfigMap\nname: c\ndata:\n  run.sh: |\n    #!/bin/sh\n    echo hi   # not a comment\n\n    exit 0\n" \
           "  note: >-\n    folded\n    text\n"
    out = check_all(text)
    assert "  run.sh: |\n    #!/bin/sh\n    echo hi   # not a comment\n\n    exit 0\n" in out
    assert "  note: >-\n" in out


# ---------------------------------------------------------------- comments

TORTURE = """\
# file head

# second paragraph of the head
name: api    # the name
kind: App
# about image
image: "ghcr.io/x:1"


env:   # env key
  # before B
  B: "on"   # quoted on
  A: 'it''s'
  # trailing in env
# before resources
resources:
  memory: 1Gi
  cpu: "1.0"
command:
  - python   # the interpreter
  # a module
  - -m
  - x
args: [--a, "--b",
   --c]  # after a flow list over two lines
health: |   # literal header
  line 1
    # not a comment
  line 2
k8s:
  Deployment:
    spec: {minReadySeconds: 10}
    # trailing deep
# tail of the first document
---   # on the marker
# head of the second document
name: s
kind: Secret
keys: [password]
# tail of the second document
"""


def test_every_comment_is_kept_beside_what_it_describes():
    out = check_all(TORTURE)
    lines = out.splitlines()
    for line in TORTURE.splitlines():  # every comment line of the input appears in the output
        if line.lstrip().startswith("#"):
            assert line.strip() in {x.strip() for x in lines}, line
    assert out.startswith("# file head\n\n# second paragraph of the head\nkind: App\nname: api    # the name\n")
    assert "# about image\nimage: ghcr.io/x:1\n" in out
    assert "\nenv:   # env key\n  # before B\n  B: \"on\"   # quoted on\n  A: it's\n  # trailing in env\n" in out
    assert "# before resources\nresources: {cpu: \"1.0\", memory: 1Gi}\n" in out
    assert "command:\n  - python   # the interpreter\n  # a module\n  - -m\n" in out
    assert "args: [--a, --b, --c]  # after a flow list over two lines\n" in out
    assert "health: |   # literal header\n  line 1\n    # not a comment\n  line 2\n" in out
    assert "    spec: {minReadySeconds: 10}\n    # trailing deep\n# tail of the first document\n---" in out
    second = out.split("\n---", 1)[1]
    assert second.startswith(" # on the marker\n# head of the second document\nkind: Secret\nname: s\n")
    assert out.endswith("keys: [password]\n# tail of the second document\n")


def test_blank_lines_collapse_and_never_open_a_document_or_a_collection():
    out = fmt("\n\nkind: App\n\n\n\nname: a\nenv:\n\n  A: x\n\n\n  B: y\n  C: z\n  D: w\n  E: v\n")
    assert out == "kind: App\n\nname: a\nenv:\n  A: x\n\n  B: y\n  C: z\n  D: w\n  E: v\n"


def test_documents_keep_their_separators():
    text = "---\nkind: Secret\nname: a\nkeys: [p]\n---\n# second\nkind: Secret\nname: b\nkeys: [p]\n---\n"
    out = check_all(text)
    assert out.count("---\n") == 3 and out.startswith("---\nkind: Secret") and "---\n# second\nkind" in out


# ---------------------------------------------------------------- idempotence and meaning

_KEYS = list(load_schema("app.json")["properties"]) + ["zeta", "Alpha", "x-y", "on", "8080", "a b", "all", "apps",
                                                        "match", "defaults", "settings", "env+", "args-", "ports!"]
_TRICKY = ["on", "yes", "No", "1.0", "0755", "~", "null", "", " lead", "trail ", "a: b", "a #b", "#x", "x#y",
           "-x", "- x", "*a", "&a", "!x", "%x", "@x", "`x", "{x}", "[x]", "a, b", "1:30", "2024-01-01", "0x1F",
           "=", "<<", "'q'", '"dq"', "back\\slash", "multi\nline", "tab\tx", "ünïcødé", "${self.x}",
           "https://x/y?z=1#frag", "?", ":", "-", "a:", "1_000", ".5", "+1", "-.inf", "NaN", "0o17", "Y"]
_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=12)
_COMMENT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x85"),
                   max_size=20).map(lambda s: ("# " + s).rstrip())


def _plain_ok(s: str, flow: bool) -> bool:
    try:
        doc = yaml.safe_load(f"k: {{v: {s}}}" if flow else f"k: {s}")
    except yaml.YAMLError:
        return False
    got = doc["k"]["v"] if flow and isinstance(doc.get("k"), dict) else doc.get("k")
    return isinstance(got, str) and got == s and "\n" not in s


@st.composite
def scalar(draw, flow: bool = False) -> str:
    kind = draw(st.sampled_from(["tricky", "text", "int", "float", "bool", "null"]))
    if kind == "int":
        return str(draw(st.integers(-10 ** 6, 10 ** 12)))
    if kind == "float":
        return draw(st.sampled_from(["1.5", "-0.25", "1.0e+3", ".5", "3.14159"]))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false", "yes", "no", "on", "off", "True"]))
    if kind == "null":
        return draw(st.sampled_from(["null", "~"] + ([] if flow else [""])))
    s = draw(st.sampled_from(_TRICKY)) if kind == "tricky" else draw(_TEXT)
    styles = ["double"] + (["single"] if s.isprintable() and "\n" not in s else [])
    if _plain_ok(s, flow):
        styles.append("plain")
    style = draw(st.sampled_from(styles))
    if style == "plain":
        return s
    if style == "single":
        return "'" + s.replace("'", "''") + "'"
    return json.dumps(s, ensure_ascii=False)


class _Doc:
    def __init__(self, draw):
        self.draw = draw
        self.comments: list[str] = []

    def comment(self) -> str:
        c = self.draw(_COMMENT)
        self.comments.append(c)
        return c

    def maybe(self, p: float = 0.25) -> bool:
        """True with probability ``p`` (False in the smallest example, so loops end)."""
        return self.draw(st.integers(0, 99)) >= 100 - int(p * 100)

    def flow(self, depth: int) -> str:
        if self.maybe(0.5) or depth > 1:
            items = [self.draw(scalar(flow=True)) for _ in range(self.draw(st.integers(0, 5)))]
            return "[" + ", ".join(items) + "]"
        keys = self.draw(st.lists(st.sampled_from(_KEYS), unique=True, max_size=5))
        return "{" + ", ".join(f"{json.dumps(k)}: {self.flow(depth + 1) if self.maybe(0.2) else self.draw(scalar(flow=True))}"
                               for k in keys) + "}"

    def before(self, indent: int) -> list[str]:
        out = []
        if self.maybe(0.2):
            out.append("")
        while self.maybe(0.3):
            out.append(" " * self.draw(st.sampled_from([0, indent, indent + 2])) + self.comment())
        return out

    def eol(self) -> str:
        return f"{' ' * self.draw(st.integers(1, 6))}{self.comment()}" if self.maybe(0.3) else ""

    def block_map(self, indent: int, depth: int) -> list[str]:
        keys = self.draw(st.lists(st.sampled_from(_KEYS), unique=True, min_size=1, max_size=6))
        lines = []
        for k in keys:
            lines += self.before(indent)
            key = " " * indent + (k if _plain_ok(k, False) and k not in ("on", "8080") else json.dumps(k)) + ":"
            lines += self.value(key, indent, depth)
        return lines

    def block_seq(self, indent: int, depth: int) -> list[str]:
        lines = []
        for _ in range(self.draw(st.integers(1, 4))):
            lines += self.before(indent)
            if depth < 3 and self.maybe(0.3):
                sub = self.block_map(indent + 2, depth + 1)
                lines.append(" " * indent + "- " + sub[0].lstrip(" ") if sub[0].strip() else sub[0])
                lines += sub[1:]
            else:
                lines.append(" " * indent + "- " + self.draw(scalar()) + self.eol())
        return lines

    def value(self, key: str, indent: int, depth: int) -> list[str]:
        choice = self.draw(st.sampled_from(["scalar", "flow", "map", "seq", "literal"] if depth < 3 else ["scalar", "flow"]))
        if choice == "scalar":
            return [f"{key} {self.draw(scalar())}{self.eol()}"]
        if choice == "flow":
            return [f"{key} {self.flow(depth)}{self.eol()}"]
        if choice == "literal":
            body = self.draw(st.lists(st.sampled_from(["echo hi", "  indented", "# hash", "x: y", "", "a long line of"
                                                       " folded words"]), min_size=1, max_size=4))
            if not body[0].strip() or body[0].startswith(" "):
                body[0] = "first"
            style = self.draw(st.sampled_from(["|", ">"])) + self.draw(st.sampled_from(["", "-", "+"]))
            return [f"{key} {style}{self.eol()}"] + \
                [(" " * (indent + 2) + b) if b else "" for b in body]
        sub = self.block_map(indent + 2, depth + 1) if choice == "map" else self.block_seq(indent + 2, depth + 1)
        return [key + self.eol()] + sub


@st.composite
def documents(draw) -> tuple[str, list[str], str]:
    """A YAML text of 1 to 3 documents with comments and blank lines everywhere, the comments
    it holds, and the role to format it in."""
    d = _Doc(draw)
    out: list[str] = []
    for i in range(draw(st.integers(1, 3))):
        if i or d.maybe(0.3):
            out.append("---" + (" " + d.comment() if d.maybe(0.2) else ""))
        out += d.before(0)
        kind = draw(st.sampled_from(["App", "CronJob", "ConfigMap", "Secret", None]))
        if kind:
            out.append(f"kind: {kind}")
        out += d.block_map(0, 1)
        while d.maybe(0.2):
            out.append(" " * draw(st.sampled_from([0, 2, 4])) + d.comment())
    return "\n".join(out) + "\n", d.comments, draw(st.sampled_from(["spec", "overlay", "project"]))


def test_comments_closing_nested_entries_on_one_line_are_written_innermost_first():
    # found by the generated documents below: `env: [0]` becomes a block list, and the comments
    # after it close the item (col 4) and the key (col 2); written outer first, the key's one
    # came back at the margin as the document's tail, and a second run swapped them
    out = check_all("kind: App\nname: x\nenv: [0]\n  #\n    #\n")
    assert out == "kind: App\nname: x\nenv:\n  - 0\n  #\n#\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_fmt_is_idempotent_keeps_meaning_and_comments_on_generated_documents(doc):
    text, written, role = doc
    diags = Diagnostics()
    load_text(text, "x.yaml", diags)
    assume(not diags.has_errors)  # e.g. a key twice in a flow map
    out = check_all(text, role)
    kept = [line for line in out.splitlines() if "#" in line]
    for c in written:
        assert any(line.rstrip().endswith(c) for line in kept), (c, text, out)


def _yaml_texts() -> list[tuple[str, str, str]]:
    """(where, role, text) for every YAML file of the examples, the stdlib and the built-in
    profiles, and every YAML spec, overlay or project file the tests write."""
    out = []
    for base in (EXAMPLES, ROOT / "stdlib", ROOT / "overlays"):
        for p in sorted(base.rglob("*.y*ml")):
            role = "project" if p.name.startswith("skyspec.") else "overlay" if "overlays" in p.parts else "spec"
            out.append((str(p.relative_to(ROOT)), role, p.read_text()))
    seen = set()
    for src in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(src.read_text())):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            t = textwrap.dedent(node.value).lstrip("\n")
            if "\n" not in t or t in seen or not re.search(r"^(kind|apps|all|match|project):", t, re.M):
                continue
            seen.add(t)
            d = Diagnostics()
            load_text(t, "x.yaml", d)
            if d.has_errors:
                continue
            role = "project" if re.search(r"^project:", t, re.M) else \
                "overlay" if re.match(r"(apps|all|match|defaults|settings):", t) else "spec"
            out.append((f"{src.relative_to(ROOT)}:{node.lineno}", role, t))
    return out


def test_fmt_is_idempotent_on_every_example_and_test_project_file():
    texts = _yaml_texts()
    assert len(texts) > 200
    for where, role, text in texts:
        if format_text(text, role, "x.yaml").note:  # anchors, tags: left as written (tested below)
            continue
        try:
            check_all(text, role)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from None


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_shop_compiles_to_byte_identical_output_after_fmt(tmp_path, cli, monkeypatch):
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(EXAMPLES / "shop", before)
    shutil.copytree(EXAMPLES / "shop", after)
    monkeypatch.chdir(after)
    r = cli("fmt")
    assert r.exit_code == 0, r.output
    assert "reformatted apps/web.yaml" in r.stdout and "left as written: apps/api.toml (TOML)" in r.stderr
    assert _tree(after) != _tree(before)
    assert cli("fmt", "--check").exit_code == 0
    monkeypatch.chdir(tmp_path)
    for name in ("before", "after"):
        r = cli("build", name, "-o", str(tmp_path / f"out-{name}"))
        assert r.exit_code == 0, r.output
    out_before, out_after = _tree(tmp_path / "out-before"), _tree(tmp_path / "out-after")
    assert len(out_before) > 20
    assert out_before.keys() == out_after.keys()
    for rel in out_before:
        assert out_before[rel] == out_after[rel], rel


def test_the_corpus_baseline_compiles_identically_after_fmt(tmp_path, cli, monkeypatch):
    from corpus.base import BASE

    for name in ("before", "after"):
        write_tree(tmp_path / name, BASE)
    monkeypatch.chdir(tmp_path / "after")
    assert cli("fmt").exit_code == 0
    monkeypatch.chdir(tmp_path)
    for name in ("before", "after"):
        r = cli("build", name, "-o", str(tmp_path / f"out-{name}"))
        assert r.exit_code == 0, r.output
    assert _tree(tmp_path / "out-before") == _tree(tmp_path / "out-after")


# ---------------------------------------------------------------- the command

PROJECT = {
    "skyspec.yaml": "project: demo\nspecs: [apps/*]\nenvironments:\n  dev: {}\n  prod: {overlays: [overlays/prod.yaml]}\n",
    "apps/api.yaml": "name: api\nkind: App   # the API\nimage: \"x/api:1\"\nport: 80\n",
    "apps/ok.yaml": "kind: App\nname: ok\nimage: x/ok:1\nport: 80\n",
    "apps/db.toml": 'kind = "Secret"\nname = "db"\nkeys = ["p"]\n',
    "overlays/prod.yaml": "apps:\n  api:\n    replicas: 3\n",
    "notes.yaml": "zeta: 1\nalpha: 2\n",
}


def test_check_lists_files_that_would_change_and_writes_nothing(tmp_path, cli, monkeypatch):
    root = write_tree(tmp_path / "p", PROJECT)
    monkeypatch.chdir(root)
    before = _tree(root)
    r = cli("fmt", "--check")
    assert r.exit_code == 1
    assert r.stdout == "would reformat apps/api.yaml\nwould reformat overlays/prod.yaml\n"
    assert "2 files would be reformatted, 2 unchanged; left as written: apps/db.toml (TOML)" in r.stderr
    assert _tree(root) == before
    r = cli("fmt")
    assert r.exit_code == 0 and r.stdout == "reformatted apps/api.yaml\nreformatted overlays/prod.yaml\n"
    assert (root / "apps/api.yaml").read_text() == "kind: App   # the API\nname: api\nimage: x/api:1\nport: 80\n"
    assert (root / "overlays/prod.yaml").read_text() == "apps:\n  api: {replicas: 3}\n"
    assert (root / "notes.yaml").read_bytes() == before["notes.yaml"]  # not a file of the project
    assert (root / "apps/db.toml").read_bytes() == before["apps/db.toml"]
    r = cli("fmt", "--check")
    assert r.exit_code == 0 and r.stdout == "" and "0 files" not in r.stderr


def test_paths_select_files_of_their_project_only(tmp_path, cli, monkeypatch):
    root = write_tree(tmp_path / "p", PROJECT)
    monkeypatch.chdir(tmp_path)
    r = cli("fmt", "--check", "p/apps/ok.yaml", "p/notes.yaml")
    assert r.exit_code == 0 and r.stdout == ""
    r = cli("fmt", "--check", "p/apps")
    assert r.exit_code == 1 and r.stdout == "would reformat p/apps/api.yaml\n"
    (tmp_path / "loose.yaml").write_text("b: 1\na: 2\n")
    r = cli("fmt", "loose.yaml")
    assert r.exit_code == 0 and "nothing to format" in r.stderr
    assert cli("fmt", "missing.yaml").exit_code == 2
    monkeypatch.chdir(tmp_path / "p")
    assert root.exists()


def test_no_project_is_an_error(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("fmt")
    assert r.exit_code == 1 and "SKY010" in r.stderr


def test_files_with_anchors_or_tags_are_left_as_written(tmp_path, cli, monkeypatch):
    files = dict(PROJECT)
    files["apps/api.yaml"] = "name: api\nkind: App\nimage: x/api:1\nport: 80\nresources: &r {cpu: 1}\n" \
                             "sidecars:\n  log: {image: x/l:1, resources: *r}\n"
    files["apps/ok.yaml"] = "name: ok\nkind: App\nimage: !!str x/ok:1\nport: 80\n"
    root = write_tree(tmp_path / "p", files)
    monkeypatch.chdir(root)
    before = _tree(root)
    r = cli("fmt")
    assert r.exit_code == 0, r.output
    assert "apps/api.yaml:1:1: warning[SKY050]" in r.stderr and "anchors" in r.stderr
    assert "apps/ok.yaml:1:1: warning[SKY050]" in r.stderr and "tags" in r.stderr
    assert (root / "apps/api.yaml").read_bytes() == before["apps/api.yaml"]
    assert (root / "apps/ok.yaml").read_bytes() == before["apps/ok.yaml"]


def test_a_file_that_does_not_load_is_reported_and_not_touched(tmp_path, cli, monkeypatch):
    files = dict(PROJECT)
    files["apps/api.yaml"] = "kind: App\nname: api\nname: again\n"
    root = write_tree(tmp_path / "p", files)
    monkeypatch.chdir(root)
    r = cli("fmt")
    assert r.exit_code == 1 and "apps/api.yaml:3:1: error[SKY005]" in r.stderr
    assert (root / "apps/api.yaml").read_text() == files["apps/api.yaml"]
    assert (root / "overlays/prod.yaml").read_text() == "apps:\n  api: {replicas: 3}\n"  # the others are formatted


def test_the_guard_refuses_a_rewrite_that_would_change_meaning_or_lose_a_comment(tmp_path, cli, monkeypatch):
    import skyspec.fmt.weave as weave

    real = weave.write
    text = "kind: App\nname: api\nreplicas: 2   # two\nport: 80\n"
    monkeypatch.setattr(weave, "write", lambda docs, shapes: real(docs, shapes).replace("2", "3"))
    out = format_text(text, "spec", "a.yaml")
    assert out.text is None and "mean something else" in out.problem and out.pos.line == 3
    monkeypatch.setattr(weave, "write", lambda docs, shapes: real(docs, shapes).replace("   # two", ""))
    out = format_text(text, "spec", "a.yaml")
    assert out.text is None and "1 comment(s) would be lost" in out.problem
    monkeypatch.setattr(weave, "write", lambda docs, shapes: real(docs, shapes).replace("replicas: 2", "replicas: '2"))
    assert "would not load" in format_text(text, "spec", "a.yaml").problem
    files = dict(PROJECT)
    files["apps/api.yaml"] = "name: api\nkind: App\nimage: x/api:1\nport: 80\n"
    root = write_tree(tmp_path / "p", files)
    monkeypatch.chdir(root)
    monkeypatch.setattr(weave, "write", lambda docs, shapes: real(docs, shapes).replace("80", "81"))
    r = cli("fmt")
    assert r.exit_code == 1
    assert "apps/api.yaml:4:7: error[SKY950]: fmt refused to rewrite apps/api.yaml" in r.stderr
    assert (root / "apps/api.yaml").read_text() == files["apps/api.yaml"]


def test_never_writes_through_a_symlink_leading_out_of_the_project(tmp_path, cli, monkeypatch):
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: x\nkind: App\n")
    root = write_tree(tmp_path / "p", PROJECT)
    (root / "apps/link.yaml").symlink_to(outside)
    monkeypatch.chdir(root)
    cli("fmt")
    assert outside.read_text() == "name: x\nkind: App\n"
    assert (root / "apps/link.yaml").is_symlink()


def test_formatted_files_keep_their_permissions(tmp_path, cli, monkeypatch):
    root = write_tree(tmp_path / "p", PROJECT)
    (root / "apps/api.yaml").chmod(0o640)
    monkeypatch.chdir(root)
    assert cli("fmt").exit_code == 0
    assert (root / "apps/api.yaml").stat().st_mode & 0o777 == 0o640
    assert not [p for p in (root / "apps").iterdir() if p.name.startswith(".")]


# ---------------------------------------------------------------- the pre-commit hook


def run_fmt_hook(repo: Path, changed: list[str]):
    """The `skyspec-fmt` hook as pre-commit runs it: its entry with the staged files its
    `files` pattern matches (tests/test_precommit.py runs `skyspec-check` the same way)."""
    import shlex
    import subprocess
    import sys

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["skyspec-fmt"]
    assert hook["pass_filenames"] is True and hook["language"] == "python"
    files = [f for f in changed if re.search(hook["files"], f)]
    argv = shlex.split(hook["entry"])
    assert argv == ["skyspec", "fmt"]  # rewrites; CI runs `skyspec fmt --check`
    cmd = [sys.executable, "-m", "skyspec", *argv[1:], *files]
    env = {"PYTHONPATH": str(ROOT / "compiler"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=env, timeout=120)


def test_the_hook_rewrites_the_projects_changed_files_and_nothing_else(tmp_path):
    repo = write_tree(tmp_path / "repo", {
        ".github/workflows/ci.yml": "on: push\njobs: {b: {runs-on: x}}\n",
        **{f"deploy/{k}": v for k, v in PROJECT.items()},
    })
    before = _tree(repo)
    r = run_fmt_hook(repo, ["deploy/apps/api.yaml", "deploy/apps/db.toml", ".github/workflows/ci.yml",
                            "deploy/notes.yaml"])
    assert r.returncode == 0, r.stderr
    assert r.stdout == "reformatted deploy/apps/api.yaml\n"
    after = _tree(repo)
    assert [k for k in after if after[k] != before[k]] == ["deploy/apps/api.yaml"]
    assert b"# the API" in after["deploy/apps/api.yaml"]
    r = run_fmt_hook(repo, ["deploy/apps/api.yaml", "deploy/overlays/prod.yaml"])
    assert r.returncode == 0 and r.stdout == "reformatted deploy/overlays/prod.yaml\n"
    r = run_fmt_hook(repo, ["deploy/apps/api.yaml", "deploy/overlays/prod.yaml"])
    assert r.returncode == 0 and r.stdout == ""
    hook = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}["skyspec-fmt"]
    assert "--check" in hook["description"]


def test_no_secret_value_is_printed_when_a_rewrite_is_refused(tmp_path, cli, monkeypatch):
    import skyspec.fmt.weave as weave

    files = dict(PROJECT)
    files["apps/db.yaml"] = "name: db\nkind: Secret\ndata: {token: hunter2-very-secret}\n"
    files["overlays/prod.yaml"] = "apps:\n  db:\n    data: {token: prod-secret-value}\n"
    root = write_tree(tmp_path / "p", files)
    monkeypatch.chdir(root)
    real = weave.write
    monkeypatch.setattr(weave, "write", lambda docs, shapes: real(docs, shapes).replace("-secret", "-changed"))
    r = cli("fmt", "--check")
    assert r.exit_code == 1
    assert "apps/db.yaml:3:15: error[SKY950]" in r.stderr and "overlays/prod.yaml:3:19: error[SKY950]" in r.stderr
    assert "hunter2" not in r.output and "prod-secret" not in r.output and "-changed" not in r.output
    r = cli("fmt", "--check", "overlays/prod.yaml")  # the Secret is named in a file not passed
    assert r.exit_code == 1 and "overlays/prod.yaml:3:19: error[SKY950]" in r.stderr
    assert "prod-secret" not in r.output


def test_a_unicode_line_break_in_a_string_leaves_the_file_as_written():
    # found by fuzzing `skyspec import`: YAML breaks lines at U+2028 where the layout counts
    # "\n" only, and the index past the last line raised IndexError
    text = 'kind: App\nname: api\ncommand:\n  - "a\u2028"\n  - b\n  - c\n  - d\n'
    out = format_text(text, "spec", "x.yaml")
    assert out.text is None and "Unicode line break" in out.note


def test_a_question_mark_in_a_flow_collection_is_quoted_for_pyyaml():
    """libyaml reads `{http: /healthz?full=true}`; PyYAML's pure-Python loader
    (`yaml.safe_load`, what most scripts read a spec with) ends the scalar at the `?` and fails.
    Argo CD's liveness path, imported, came out so: such a scalar is quoted in a flow collection."""
    text = "kind: App\nhealth:\n  liveness: {http: /healthz?full=true, period: 30}\n  readiness: /ready?x\n" \
           "args: [--url=http://h/?a=1, plain]\n"
    out = check_all(text)
    assert '{http: "/healthz?full=true", period: 30}' in out and 'args: ["--url=http://h/?a=1", plain]' in out, out
    assert "readiness: /ready?x\n" in out   # a block map's value: plain for both loaders
    assert yaml.safe_load(out)["health"]["liveness"]["http"] == "/healthz?full=true"
