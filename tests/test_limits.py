"""Resource limits on hostile input (issue #11): file size, special files, nesting, YAML
aliases and the values they expand to, each at, just under and just over its limit; the
project file's `limits:`; and the attacks themselves through the CLI, timed and measured."""

import json
import os
import resource
import subprocess
import sys
import threading

import pytest

from conftest import ROOT

from skyspec.diagnostics import Diagnostics, Sources, render_text
from skyspec.frontend import load_file, load_text
from skyspec.limits import DEFAULT, Limits, LimitsError, describe

BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def load(text, file="t.yaml", **limits):
    d = Diagnostics()
    docs = load_text(text, file, d, Limits(**limits) if limits else DEFAULT)
    return docs, [(x.code, x.pos.line, x.pos.col) for x in d]


def codes(text, file="t.yaml", **limits):
    return [c for c, _, _ in load(text, file, **limits)[1]]


# --------------------------------------------------------------------------- the Limits value

def test_defaults_and_the_schema_agree():
    assert (DEFAULT.file_bytes, DEFAULT.aliases, DEFAULT.nodes, DEFAULT.depth) == (4 * 1024 * 1024, 1000, 200_000, 64)
    assert (DEFAULT.expr_chars, DEFAULT.expr_items, DEFAULT.expr_steps) == (1024 * 1024, 100_000, 100_000)
    from skyspec.schema.spec import project_schema

    props = project_schema()["properties"]["limits"]["properties"]
    for name, default, lo, hi, doc in describe():
        assert props[name] == {"type": "integer", "minimum": lo, "maximum": hi, "default": default,
                               "description": doc}
        assert getattr(DEFAULT, name) == default and doc
    assert set(props) == {n for n, *_ in describe()}


def test_from_mapping_validates():
    assert Limits.from_mapping(None) is DEFAULT and Limits.from_mapping({}) is DEFAULT
    lim = Limits.from_mapping({"depth": 100, "aliases": 0})
    assert (lim.depth, lim.aliases, lim.nodes) == (100, 0, DEFAULT.nodes)
    for bad, key in [({"dept": 3}, "dept"), ({"depth": "3"}, "depth"), ({"depth": True}, "depth"),
                     ({"depth": 257}, "depth"), ({"nodes": 0}, "nodes"), ({"file_bytes": 1.5}, "file_bytes")]:
        with pytest.raises(LimitsError) as e:
            Limits.from_mapping(bad)
        assert e.value.key == key
    with pytest.raises(LimitsError):
        Limits.from_mapping(["depth"])
    with pytest.raises(LimitsError):
        Limits(depth=0)


# --------------------------------------------------------------------------- nesting

def _flow(n):  # n nested lists in a mapping: the deepest list is at level n + 1
    return "v: " + "[" * n + "]" * n + "\n"


@pytest.mark.parametrize("pad", ["", "# " + " " * 120 + "\n"], ids=["walk", "scan"])
def test_yaml_depth_at_under_and_over(pad):
    """The document is level 1. A long run of spaces makes the loader scan events before
    composing: both paths agree on the limit and on the position."""
    assert load(pad + _flow(63))[1] == [] and load(pad + _flow(62))[1] == []
    line = 2 if pad else 1
    assert load(pad + _flow(64))[1] == [("SKY009", line, 67)]  # the 64th `[`, at level 65
    assert load(pad + _flow(9), depth=10)[1] == []
    assert load(pad + _flow(10), depth=10)[1] == [("SKY009", line, 13)]


def test_yaml_block_nesting_counts_like_flow_nesting():
    seqs = "- " * 63 + "x\n"      # 63 nested block sequences: levels 1..63
    assert load(seqs)[1] == []
    assert load("- " * 64 + "x\n")[1] == []
    assert load("- " * 65 + "x\n")[1] == [("SKY009", 1, 129)]
    maps = "".join(" " * i + f"k{i}:\n" for i in range(64)) + " " * 64 + "x: 1\n"  # 65 mappings
    assert load(maps, depth=65)[1] == []
    assert load(maps)[1] == [("SKY009", 65, 65)]


def test_100000_nested_brackets_end_fast_with_a_located_error():
    for text, where in [("v: " + "[" * 100_000, (1, 67)), ("- " * 100_000, (1, 129)),
                        ("v: " + "{a: " * 100_000, (1, 256))]:
        docs, diags = load(text)
        assert docs == [] and diags == [("SKY009", *where)], diags


def test_toml_depth_at_under_and_over():
    arr = lambda n: "v = " + "[" * n + "]" * n + "\n"  # noqa: E731
    assert load(arr(63), "t.toml")[1] == []
    assert load(arr(64), "t.toml")[1] == [("SKY009", 1, 68)]
    tables = lambda n: "v = " + "{a = " * n + "1" + "}" * n + "\n"  # noqa: E731
    assert load(tables(63), "t.toml")[1] == []
    assert load(tables(64), "t.toml")[1][0][0] == "SKY009"
    dotted = lambda n: ".".join(["a"] * n) + " = 1\n"  # noqa: E731  n - 1 tables under the document
    assert load(dotted(64), "t.toml")[1] == []
    assert load(dotted(65), "t.toml")[1] == [("SKY009", 1, 127)]
    headers = "[" + ".".join(["a"] * 64) + "]\nx = 1\n"
    assert load(headers, "t.toml")[1] == [("SKY009", 1, 1)]


def test_toml_nesting_beyond_the_parsers_is_refused_before_parsing(monkeypatch):
    """More brackets than the parsers safely nest: a flat scan (strings and comments skipped)
    refuses the file at the first bracket too deep; brackets in strings do not count."""
    many = "".join(f"[t{i}]\nk = 'x [[[[ {{'\n" for i in range(150))  # 300+ brackets, none nested
    assert load("v = " + "[" * 63 + "]" * 63 + "\n" + many, "t.toml")[1] == []
    from skyspec.frontend import tomlsrc

    def unparsed(text):
        raise AssertionError("parsed")

    monkeypatch.setattr(tomlsrc.tomli, "loads", unparsed)
    assert load('w = """ ]]]]\n"""\n' + "v = " + "[" * 64 + "]" * 64 + "\n" + many, "t.toml")[1] == \
        [("SKY009", 3, 68)]
    assert load("v = " + "[" * 100_000, "t.toml")[1] == [("SKY009", 1, 68)]
    monkeypatch.undo()
    assert load(".".join(["a"] * 5000) + " = 1\n", "t.toml")[1][0][0] == "SKY009"


def test_the_highest_depth_limit_compiles_through_every_stage(make_project, cli):
    """256 levels, the ceiling of `limits.depth`, go through every stage without a
    RecursionError (each stage recurses per level)."""
    manifest = "{a: [" * 126 + "1" + "]}" * 126  # levels 4..255 under the document, manifest, data
    # (a custom resource: a ConfigMap's data are strings, which SKY126 checks)
    make_project({"apps/deep.yaml": f"kind: Resource\nname: deep\nmanifest:\n  apiVersion: example.com/v1\n"
                                    f"  kind: Deep\n  metadata: {{name: deep}}\n  data: {{x: {manifest}}}\n"},
                 project="project: demo\nspecs: [apps/*]\nenvironments: {dev: {}}\nlimits: {depth: 256}\n")
    r = cli("check")
    assert r.exit_code == 0, r.output
    r = cli("build", "--format", "kubernetes,compose,helm,kustomize", "-o", "out")
    assert r.exit_code == 0, r.output


# --------------------------------------------------------------------------- aliases and values

def _aliases(n):
    return "a: &a {x: 1}\nb: [" + ", ".join(["*a"] * n) + "]\n"


def test_alias_count_at_under_and_over():
    assert load(_aliases(999))[1] == [] and load(_aliases(1000))[1] == []
    assert load(_aliases(1001))[1] == [("SKY015", 2, 5 + 4 * 1000)]  # the 1,001st alias
    assert load(_aliases(3), aliases=3)[1] == [] and load(_aliases(4), aliases=3)[1] == [("SKY015", 2, 17)]
    assert codes("a: &a 1\nb: *a\n", aliases=0) == ["SKY015"]
    two = _aliases(1000) + "---\n" + _aliases(1000)  # per document
    assert load(two)[1] == []


def test_merge_keys_count_as_aliases_and_share_values():
    docs, diags = load("base: &b {cpu: 1, env: {A: 1}}\napp:\n  <<: *b\n  memory: 2\n")
    assert diags == [] and docs[0].data["app"] == {"cpu": 1, "env": {"A": 1}, "memory": 2}
    assert docs[0].data["app"]["env"] is docs[0].data["base"]["env"]
    assert codes("base: &b {cpu: 1}\napp: {<<: *b}\n", aliases=0) == ["SKY015"]


def _values(n):  # the document, `v`, its list and n items: n + 3 values
    return "v: [" + ", ".join(["1"] * n) + "]\n"


def test_value_count_at_under_and_over():
    assert load(_values(97), nodes=100)[1] == [] and load(_values(96), nodes=100)[1] == []
    assert load(_values(98), nodes=100)[1] == [("SKY016", 1, 5 + 3 * 97)]  # the 98th item is the 101st value
    # the scanning path counts the same (an anchor forces it: `&x 1` is 2 more values)
    assert load("x: &x 1\n" + _values(95), nodes=100)[1] == []
    assert codes("x: &x 1\n" + _values(96), nodes=100) == ["SKY016"]
    # per file: documents add up
    assert load(_values(47) + "---\n" + _values(47), nodes=100)[1] == []
    assert codes(_values(48) + "---\n" + _values(48), nodes=100) == ["SKY016"]
    # TOML too
    toml = lambda n: "v = [" + ", ".join(["1"] * n) + "]\n"  # noqa: E731
    assert load(toml(97), "t.toml", nodes=100)[1] == []
    assert codes(toml(98), "t.toml", nodes=100) == ["SKY016"]


def test_texts_that_may_hold_too_many_values_are_scanned_before_composing():
    """libyaml composes a whole document before the walk can count: 2 million values of a
    4 MiB file took 11 s and 640 MB. Cheap bounds send such texts to the event scan, which
    stops at the first value over the limit; ordinary specs are not scanned."""
    from skyspec.frontend.yamlsrc import _needs_scan

    lim = Limits(nodes=1000)
    assert _needs_scan("v: [" + "a," * 600 + "]\n", lim)
    assert _needs_scan("- a\n" * 400, lim)
    assert _needs_scan("{" + ",".join(f"k{i}" for i in range(400)) + "}\n", lim)
    assert not _needs_scan("v: [" + "a," * 100 + "]\n", lim)
    spec = (ROOT / "examples" / "shop" / "apps" / "web.yaml").read_text()
    assert not _needs_scan(spec, DEFAULT) and "&" not in spec
    assert _needs_scan("a: &x 1\nb: *x\n", DEFAULT)  # aliases: always scanned
    assert _needs_scan("v: " + "[" * 900, DEFAULT)  # may nest deeper than the composer goes


TOML_DOC = """title = "x"
a.b.c = 1
a.b.d = [1, 2, {e = 3, f.g = [4]}]
[t]
u = 1
[t.v.w]
x = []
[[q]]
r = 1
[[q]]
s = {}
"""


@pytest.mark.parametrize("counted", [True, False], ids=["scanner", "builder"])
def test_toml_values_are_counted_alike_before_and_after_parsing(monkeypatch, counted):
    """The position scanner counts before tomli (for texts that may exceed), the builder
    after: the same number for the same document."""
    from skyspec.frontend import tomlsrc

    monkeypatch.setattr(tomlsrc, "_may_exceed", lambda text, limits: counted)
    # document 1; title, a, b, c, d: 2 each; d's 3 items; e, f, g: 2 each; g's item;
    # t, u, v, w, x: 2 each; q: 2, its 2 tables, r, s: 2 each
    total = 1 + 2 * 5 + 3 + 2 * 3 + 1 + 2 * 5 + 2 + 2 + 2 * 2
    assert load(TOML_DOC, "t.toml", nodes=total)[1] == []
    assert codes(TOML_DOC, "t.toml", nodes=total - 1) == ["SKY016"]


def test_a_dense_toml_file_is_counted_before_tomli_parses_it(monkeypatch):
    from skyspec.frontend import tomlsrc

    def unparsed(text):
        raise AssertionError("parsed")

    monkeypatch.setattr(tomlsrc.tomli, "loads", unparsed)
    assert load("v = [" + "1," * 200_000 + "]\n", "t.toml")[1] == [("SKY016", 1, 400_000)]
    assert load("".join(f"[t{i}]\n" for i in range(100_001)), "t.toml")[1] == [("SKY016", 100_000, 1)]


def test_aliases_count_as_the_copies_later_stages_make():
    # a: 1 + 9 values; b: 9 aliases of a's 10 -> 1 + 9 * 10; the document, two keys
    small = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [" + ", ".join(["*a"] * 9) + "]\n"
    total = 1 + 2 + 10 + 1 + 9 * 10
    assert load(small, nodes=total)[1] == []
    assert codes(small, nodes=total - 1) == ["SKY016"]


def test_the_billion_laughs_end_fast_with_a_located_error():
    docs, diags = load(BOMB)
    assert docs == [] and diags == [("SKY016", 6, 12)]
    many = "a: &a [x]\n" + "".join(f"k{i}: *a\n" for i in range(2000))
    assert load(many)[1] == [("SKY015", 1002, 8)]   # the 1,001st alias
    merges = "a: &a {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1}\n" + "".join(
        f"{c}: &{c} {{<<: [{', '.join(['*' + p] * 9)}]}}\n" for p, c in zip("abcdefgh", "bcdefghi"))
    assert codes(merges) == ["SKY016"]


def test_aliases_cannot_blow_up_the_text():
    big = "s: &s " + "x" * 60_000 + "\nl: [" + ", ".join(["*s"] * 80) + "]\n"
    assert codes(big) == ["SKY016"]
    assert load(big, file_bytes=8 * 1024 * 1024)[1] == []


def test_an_alias_inside_its_own_anchor_is_an_error_not_a_recursion():
    assert load("a: &a [1, *a]\n")[1] == [("SKY001", 1, 11)]
    assert codes("a: &a {b: *a}\n") == ["SKY001"]


# --------------------------------------------------------------------------- files

def test_file_size_at_and_over(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_bytes(b"k: " + b"x" * 97)  # 100 bytes
    d = Diagnostics()
    assert load_file(f, "a.yaml", d, None, Limits(file_bytes=100))[0].data == {"k": "x" * 97} and not d.items
    d = Diagnostics()
    assert load_file(f, "a.yaml", d, None, Limits(file_bytes=99)) == []
    assert [(x.code, str(x.pos)) for x in d] == [("SKY008", "a.yaml:1:1")]
    assert "limits: {file_bytes: N}" in d.items[0].hint
    assert codes("k: " + "é" * 50, file_bytes=100) == ["SKY008"]  # load_text counts UTF-8 bytes
    assert codes("k: " + "é" * 48, file_bytes=100) == []


def test_the_size_is_checked_before_reading(tmp_path):
    """A sparse 64 GiB file would take minutes to read: it is refused from its stat."""
    f = tmp_path / "huge.yaml"
    with open(f, "wb") as fh:
        fh.truncate(64 * 1024 ** 3)
    d, sources = Diagnostics(), Sources()
    assert load_file(f, "huge.yaml", d, sources) == []
    assert [x.code for x in d] == ["SKY008"]
    assert "huge.yaml:1:1: error[SKY008]" in render_text(d.items, sources)


def _promptly(fn, seconds=10):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    t.join(seconds)
    assert out, "blocked"
    return out[0]


def test_special_files_are_refused_without_opening_them(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    d, sources = Diagnostics(), Sources()
    assert _promptly(lambda: load_file(fifo, "pipe.yaml", d, sources)) == []
    assert [(x.code, x.message) for x in d] == [("SKY007", "pipe.yaml is a FIFO (named pipe), not a regular file")]
    _promptly(lambda: render_text(d.items, Sources()))  # a code frame never opens it either
    d = Diagnostics()
    assert load_file(ROOT / "..", "x.yaml", d) == [] and "a directory" in d.items[0].message
    if os.path.exists("/dev/null"):
        d = Diagnostics()
        assert load_file(__import__("pathlib").Path("/dev/null"), "null.yaml", d) == []
        assert "a character device" in d.items[0].message


def test_a_fifo_spec_or_overlay_is_reported_by_check(tmp_path):
    from conftest import write_tree

    root = write_tree(tmp_path / "p", {"skyspec.yaml": "project: p\nenvironments: {dev: {overlays: [ov.yaml]}}\n",
                                       "apps/api.yaml": "kind: App\nname: api\nimage: nginx:1.25\n"})
    os.mkfifo(root / "apps" / "pipe.yaml")
    os.mkfifo(root / "ov.yaml")
    r = subprocess.run([sys.executable, "-m", "skyspec", "check", str(root)], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT / "compiler")}, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    # reported where the project names them: the default glob (the project file) and the overlay entry
    assert 'p/skyspec.yaml:1:1: error[SKY007]: spec file "apps/pipe.yaml" is a FIFO' in r.stderr
    assert 'p/skyspec.yaml:2:33: error[SKY007]: overlay file "ov.yaml" is a FIFO' in r.stderr
    assert "Traceback" not in r.stderr


# --------------------------------------------------------------------------- the project file

def test_limits_in_the_project_file_raise_and_lower(make_project, cli):
    deep = "kind: ConfigMap\nname: deep\ndata: {x: " + "{a: " * 70 + "1" + "}" * 70 + "}\n"
    make_project({"apps/deep.yaml": deep}, project="project: demo\nenvironments: {dev: {}}\n")
    r = cli("check")
    assert r.exit_code == 1 and "error[SKY009]" in r.stderr
    assert "`limits: {depth: N}`" in r.stderr
    make_project({"apps/deep.yaml": deep}, project="project: demo\nenvironments: {dev: {}}\nlimits: {depth: 80}\n")
    r = cli("check")
    assert "SKY009" not in r.output
    # lower: the project file itself (3 levels here) is read with the defaults
    make_project({"apps/a.yaml": "kind: App\nname: a\nimage: nginx:1.25\nports: {http: 8080}\n"},
                 project="project: demo\nenvironments: {dev: {overlays: []}}\nlimits: {depth: 1, file_bytes: 20}\n")
    r = cli("check")
    assert r.exit_code == 1
    assert "apps/a.yaml:1:1: error[SKY008]" in r.stderr and "skyspec.yaml" not in r.stderr.split("error")[0]
    make_project({"apps/a.yaml": "kind: App\nname: a\nimage: nginx:1.25\nports: {http: 8080}\n"},
                 project="project: demo\nenvironments: {dev: {overlays: []}}\nlimits: {depth: 1}\n")
    r = cli("check")
    assert r.exit_code == 1 and "apps/a.yaml:4:8: error[SKY009]" in r.stderr


def test_an_unknown_or_bad_limit_is_a_located_error(make_project, cli):
    make_project({}, project="project: demo\nenvironments: {dev: {}}\nlimits:\n  dept: 10\n")
    r = cli("check")
    assert r.exit_code == 1
    assert 'skyspec.yaml:4:3: error[SKY102]: unknown key "dept" in limits' in r.stderr
    assert 'did you mean "depth"?' in r.stderr
    make_project({}, project="project: demo\nenvironments: {dev: {}}\nlimits: {depth: 1000}\n")
    r = cli("check", "--diagnostics-format", "json")
    items = json.loads(r.stdout)
    assert r.exit_code == 1 and [(i["line"], i["column"]) for i in items if i["severity"] == "error"] == [(3, 17)]


def test_limits_reach_overlays_and_templates(make_project, cli):
    make_project({"apps/a.yaml": "kind: App\nname: a\nimage: nginx:1.25\nuse: ./t.yaml\n",
                  "t.yaml": "kind: App\nspec: {labels: {x: " + "y" * 100 + "}}\n",
                  "overlays/prod.yaml": "all: {labels: {z: " + "z" * 100 + "}}\n"},
                 project="project: demo\nspecs: [apps/*]\nenvironments: {prod: {overlays: [overlays/prod.yaml]}}\n"
                         "limits: {file_bytes: 100}\n")
    r = cli("check")
    assert r.exit_code == 1
    assert "t.yaml:1:1: error[SKY008]" in r.stderr and "overlays/prod.yaml:1:1: error[SKY008]" in r.stderr


# --------------------------------------------------------------------------- the attacks, measured

_MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.returncode, wall, u.ru_utime + u.ru_stime, u.ru_maxrss)
sys.stderr.write(r.stderr)
"""


def _check_measured(project):
    """`skyspec check` in a fresh process, measured by a parent of its own (so that the
    rusage of other children of the test run does not count): (exit, cpu s, rss MB, stderr)."""
    r = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "skyspec", "check", str(project)],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "compiler")}, cwd=project)
    code, wall, cpu, rss_kb = r.stdout.split()
    return int(code), float(cpu), int(rss_kb) / 1024, r.stderr


def test_a_dense_4mib_file_stays_in_bounded_memory(tmp_path):
    """The densest file under the size limit (2 million values): refused by the event scan
    at the 200,001st value, never composed."""
    from conftest import write_tree

    root = write_tree(tmp_path / "p", {"skyspec.yaml": "project: p\nspecs: [apps/*]\nenvironments: {dev: {}}\n"})
    (root / "apps").mkdir()
    (root / "apps" / "x.yaml").write_text("v: [" + "a," * (2 * 1024 * 1024 - 8) + "]\n")
    code, cpu, rss, err = _check_measured(root)
    assert code == 1 and "apps/x.yaml:1:399999: error[SKY016]" in err, err
    assert rss < 200, rss
    assert cpu < 5, cpu  # ~0.5 s: 200,000 events through Python


@pytest.mark.parametrize("attack", ["bomb", "50mb", "brackets"])
def test_attacks_end_in_under_a_second_and_200mb(tmp_path, attack):
    from conftest import write_tree

    root = write_tree(tmp_path / "p", {"skyspec.yaml": "project: p\nspecs: [apps/*]\nenvironments: {dev: {}}\n"})
    spec = root / "apps" / "x.yaml"
    spec.parent.mkdir()
    if attack == "bomb":
        spec.write_text(BOMB)
        expect = "apps/x.yaml:6:12: error[SKY016]"
    elif attack == "50mb":
        with open(spec, "w") as fh:
            fh.write("kind: ConfigMap\nname: big\ndata:\n")
            line = "  k{}: a value with a little text in it\n"
            i = 0
            while fh.tell() < 50_000_000:
                fh.write("".join(line.format(i + j) for j in range(1000)))
                i += 1000
        expect = "apps/x.yaml:1:1: error[SKY008]"
    else:
        spec.write_text("kind: App\nname: x\nreplicas: " + "[" * 100_000 + "\n")
        expect = "apps/x.yaml:3:74: error[SKY009]"
    code, cpu, rss, err = _check_measured(root)
    assert code == 1 and expect in err and "Traceback" not in err, err
    assert cpu < 1.0, cpu
    assert rss < 200, rss


def test_a_built_in_profile_is_read_with_the_project_limits_and_never_as_python(make_project, monkeypatch):
    """The profile overlay was loaded with the project's limits passed as its `python` flag
    (by position): default limits, and the Python builders' loader imported for a YAML file."""
    import skyspec.layers.stack as stack
    from skyspec.pipeline import Session

    root = make_project({"apps/web.yaml": "kind: App\nname: web\nimage: nginx:1.27.0\nport: 8080\n"},
                        project="project: demo\nnamespace: demo\nspecs: ['apps/*']\nlimits: {depth: 40}\n"
                                "environments:\n  prod: {}\n")
    seen = []
    real = stack.load_file

    def spy(path, shown, diags, sources, limits=DEFAULT, python=None):
        seen.append((shown, limits.depth, python))
        return real(path, shown, diags, sources, limits, python=python)

    monkeypatch.setattr(stack, "load_file", spy)
    monkeypatch.setattr(stack, "python_loader", lambda: pytest.fail("the Python loader was asked for"))
    s = Session(root / "skyspec.yaml")
    assert s.compile("prod") is not None
    assert [(depth, python) for shown, depth, python in seen if shown.endswith("prod.yaml")] == [(40, None)], seen
