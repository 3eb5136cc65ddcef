"""Tests for the hand-written manifest YAML emitter (skyspec.yamlemit)."""

from __future__ import annotations

import collections
import enum
import math
import os
import re
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    from skyspec.yamlemit import dump, dump_all
except ImportError:  # package not installed: run from the source tree
    sys.path.insert(
        0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compiler")
    )
    from skyspec.yamlemit import dump, dump_all

LOADERS = [yaml.SafeLoader]
if getattr(yaml, "CSafeLoader", None) is not None:
    LOADERS.append(yaml.CSafeLoader)


def load(text, loader=yaml.SafeLoader):
    return yaml.load(text, Loader=loader)


def load_all(text, loader=yaml.SafeLoader):
    return list(yaml.load_all(text, Loader=loader))


def same(a, b) -> bool:
    """Type-strict structural equality (tuples compare as lists, True != 1)."""
    if isinstance(a, tuple):
        a = list(a)
    if isinstance(b, tuple):
        b = list(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def assert_roundtrip(value):
    text = dump(value)
    assert text.endswith("\n")
    for loader in LOADERS:
        back = load(text, loader)
        assert same(back, value), (loader.__name__, text, back)
    return text


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------

SPECIAL_WORDS = [
    "", " ", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "off", "OFF", "y", "Y",
    "n", "N", "true", "True", "FALSE", "null", "Null", "NULL", "~", "1", "-1", "+1",
    "1.0", "-1.5", "0x1F", "0o17", "017", "0b101", "1e3", "1E+3", "1.0e-5", "1_000",
    ".5", "+.5", "-.5", "12:30", "190:20:30.15", "2024-01-01",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", ".inf", "-.inf",
    "+.Inf", ".nan", ".NaN", "=", "<<", "-", "--", "---", "...", "?", ":", "#", "a: b",
    "a #b", "a:", "-a", "--flag=1", "- a", "? a", "[a]", "{a}", "*a", "&a", "!a",
    "|", ">", "'a'", '"a"', "%a", "@a", "`a", "a\tb", "\t", "a\nb", "a\n", "\n",
    "\n\n", "a\n\n", "  a\nb", "a \nb", "\x85", "\u2028", "\u2029", "\ufeff", "\x00",
    "\x7f", "\xa0", "\ufffe", "100m", "128Mi", "nginx:1.25", "http://x:80/y",
    ".dockerconfigjson", "a,b", "a[0]", "key=value", "${VAR}", "C:\\path",
    "\u00e9t\u00e9", "\U0001f600",
]

texts = st.one_of(
    st.text(),
    st.sampled_from(SPECIAL_WORDS),
    st.text(alphabet=st.sampled_from(list("ab1.:-# \n\t'\"|>yYnN0eE+x_")), max_size=12),
    st.lists(st.sampled_from(SPECIAL_WORDS), max_size=4).map("".join),
)
ints = st.one_of(st.integers(), st.integers(min_value=-(2**200), max_value=2**200))
scalars = st.one_of(
    texts,
    ints,
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)
data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(texts, children, max_size=5),
    ),
    max_leaves=30,
)


# ---------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data)
def test_roundtrip_property(value):
    assert_roundtrip(value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(data, max_size=5))
def test_dump_all_roundtrip_property(docs):
    text = dump_all(docs)
    if not docs:
        assert text == ""
        return
    for loader in LOADERS:
        back = load_all(text, loader)
        assert same(back, docs), (loader.__name__, text, back)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_string_as_key_and_value(s):
    assert_roundtrip({s: s})
    assert_roundtrip([s, {s: [s]}])
    assert_roundtrip(s)


# ---------------------------------------------------------------------------
# Explicit cases
# ---------------------------------------------------------------------------

TRICKY = [
    "", "yes", "No", "on", "off", "y", "n", "true", "null", "~", "1", "1.0", "0x1F",
    "0o17", "1e3", "1_000", ".5", "12:30", "2024-01-01", ".inf", ".nan", " a", "a ",
    "-", "- a", "?", "? a", ":", ": a", ",a", "[a", "]a", "{a", "}a", "#a", "&a", "*a",
    "!a", "|a", ">a", "'a", '"a', "%a", "@a", "`a", "a: b", "a #b", "a:", "a\tb",
    "a\x01b", "a\x7fb", "\x1b[0m", "=", "<<", "---", "...", "--- a", "... a",
]


@pytest.mark.parametrize("s", TRICKY)
def test_tricky_strings_roundtrip_and_are_quoted(s):
    assert_roundtrip(s)
    assert_roundtrip({"k": s})
    assert_roundtrip({s: "v"})
    assert_roundtrip([s])
    assert dump({"k": s}).startswith('k: "')


@pytest.mark.parametrize(
    "s", ["web", "nginx:1.25", "100m", "128Mi", "--port=8080", "-Xmx512m",
          "app.kubernetes.io/name", ".dockerconfigjson", "a b", "http://x:80/y",
          "key=value", "a,b", "v1.2.3", "\u00e9t\u00e9"]
)
def test_common_strings_stay_plain(s):
    assert dump({"k": s}) == "k: %s\n" % s
    assert_roundtrip({s: s})


def test_escapes():
    assert dump("a\tb") == '"a\\tb"\n'
    assert dump('q"\\') == 'q"\\\n'  # plain is fine mid-string
    assert dump('"q\\') == '"\\"q\\\\"\n'
    assert dump("\x00\x85\u2028") == '"\\x00\\x85\\u2028"\n'
    assert_roundtrip("\x00\x01\x1f\x7f\x85\x9f\u2028\u2029\ufeff\ufffe\uffff")


def test_scalars():
    assert dump(None) == "null\n"
    assert dump(True) == "true\n"
    assert dump(False) == "false\n"
    assert dump(42) == "42\n"
    assert dump(-(10**40)) == "-%d\n" % 10**40
    assert dump(1.5) == "1.5\n"
    assert dump(float("inf")) == ".inf\n"
    assert dump(float("-inf")) == "-.inf\n"
    assert dump(float("nan")) == ".nan\n"
    assert math.isnan(load(dump(float("nan"))))
    for f in [1e100, -1e100, 1e-5, 5e-324, 1.7976931348623157e308, 0.1, -0.0, 1e16, 123456789.0]:
        assert_roundtrip(f)
        assert_roundtrip({"f": [f]})


def test_empty_collections_and_documents():
    assert dump({}) == "{}\n"
    assert dump([]) == "[]\n"
    assert dump(()) == "[]\n"
    assert dump({"a": {}, "b": [], "c": [{}, []]}) == "a: {}\nb: []\nc:\n- {}\n- []\n"
    assert dump_all([]) == ""
    assert dump_all(iter([{"a": 1}])) == "a: 1\n"
    assert dump_all([{"a": 1}, {"b": 2}, "x"]) == "a: 1\n---\nb: 2\n---\nx\n"
    assert load_all(dump_all([{}, [], None, "", "a\nb"])) == [{}, [], None, "", "a\nb"]


def test_deployment_exact_output():
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "labels": {"app.kubernetes.io/name": "web", "tier": "frontend"},
            "annotations": {},
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.25",
                            "args": ["--port=8080", "--verbose"],
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "env": [
                                {"name": "DEBUG", "value": "false"},
                                {"name": "RATIO", "value": "0.5"},
                            ],
                            "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}},
                            "volumeMounts": [],
                            "readOnly": True,
                        }
                    ],
                    "tolerations": [["a", "b"], []],
                    "nodeSelector": None,
                },
            },
        },
    }
    expected = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
    tier: frontend
  annotations: {}
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        args:
        - --port=8080
        - --verbose
        ports:
        - containerPort: 8080
          protocol: TCP
        env:
        - name: DEBUG
          value: "false"
        - name: RATIO
          value: "0.5"
        resources:
          limits:
            cpu: 100m
            memory: 128Mi
        volumeMounts: []
        readOnly: true
      tolerations:
      - - a
        - b
      - []
      nodeSelector: null
"""
    assert dump(deployment) == expected
    assert load(expected) == deployment


def test_key_order_is_preserved():
    d = {"z": 1, "a": 2, "m": 3}
    assert dump(d) == "z: 1\na: 2\nm: 3\n"


def test_configmap_uses_literal_block():
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg"},
        "data": {
            "nginx.conf": "server {\n  listen 80;\n  # comment: here\n}\n",
            "script.sh": "#!/bin/sh\necho hi",
            "padded": "a\n\n",
            "indented": "  first\nsecond\n",
        },
    }
    text = assert_roundtrip(cm)
    assert (
        "  nginx.conf: |\n"
        "    server {\n"
        "      listen 80;\n"
        "      # comment: here\n"
        "    }\n"
        "  script.sh: |-\n"
        "    #!/bin/sh\n"
        "    echo hi\n"
        "  padded: |+\n"
        "    a\n"
        "\n"
        "  indented: |2\n"
        "      first\n"
        "    second\n"
    ) in text


def test_literal_blocks_in_sequences_and_nested_items():
    value = [
        "a\nb\n",
        " x\ny",
        {"k": "line1\nline2", "j": ["\nz\n"]},
        [["p\nq"]],
    ]
    text = assert_roundtrip(value)
    assert "- |\n  a\n  b\n" in text
    assert "- k: |-\n    line1\n    line2\n" in text


def test_multiline_fallbacks_to_double_quotes():
    for s in ["a \nb", "a\tb\nc", "a\r\nb", "\n", "\n\n", "a\x85b\nc", "a\nb "]:
        text = assert_roundtrip({"k": s})
        assert text.startswith('k: "'), text
    # multi-line keys and root scalars are always double-quoted
    assert dump({"a\nb": 1}) == '"a\\nb": 1\n'
    assert dump("a\nb\n") == '"a\\nb\\n"\n'


def test_long_keys_use_explicit_form():
    long_key = "k" * 1500
    quoted_long_key = "1" * 1500
    value = {
        long_key: "v",
        quoted_long_key: {"a": [1, {"b": None}]},
        "x" * 1200: ["p", "q"],
        "y" * 1100: "multi\nline\n",
        "z": [{("w" * 1300): {}}],
    }
    text = assert_roundtrip(value)
    assert "? " + long_key + "\n: v\n" in text


def test_subclasses_are_coerced():
    class Color(enum.IntEnum):
        RED = 1

    class Name(str):
        pass

    value = collections.OrderedDict(
        [("b", Color.RED), (Name("a"), Name("yes")), ("c", collections.OrderedDict(x=(1, 2)))]
    )
    assert dump(value) == 'b: 1\na: "yes"\nc:\n  x:\n  - 1\n  - 2\n'
    assert dump([Color.RED, (1,), Name("n")]) == '- 1\n- - 1\n- "n"\n'


@pytest.mark.parametrize(
    "bad, name",
    [(object(), "object"), (b"bytes", "bytes"), ({1: "a"}, "int"), ({None: 1}, "NoneType"),
     ([set()], "set"), ({"a": {"b": 1j}}, "complex"), ({"a": [(1, frozenset())]}, "frozenset")],
)
def test_unsupported_types_raise_type_error(bad, name):
    with pytest.raises(TypeError, match=name):
        dump(bad)


def test_type_error_names_type():
    with pytest.raises(TypeError, match="bytes"):
        dump({"a": b"x"})
    with pytest.raises(TypeError, match="int"):
        dump({1: "x"})
    with pytest.raises(TypeError, match="set"):
        dump_all([{}, {"a": [set()]}])


def test_repeated_dumps_are_stable():
    doc = {"metadata": {"name": "yes", "labels": {"on": "off"}}, "data": {"f": "a\nb\n"}}
    first = dump(doc)
    for _ in range(3):
        assert dump(doc) == first
    assert dump({"k": "yes"}) == 'k: "yes"\n'



# the character classes with their non-ASCII ranges, as one regex each (the emitter matches
# ASCII text with the classes without them, and compiles these only for non-ASCII text)
_WIDE = "\u00a1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_PLAIN_WIDE = re.compile(r"(?:[A-Za-z0-9_./$()<=~\\^;+" + _WIDE + r"]|--?[A-Za-z])"
                         r"[A-Za-z0-9_./$()<>=~\\^;+\-@%&*!?'\"`,\[\]{}|#: " + _WIDE + r"]*\Z")
_LITERAL_WIDE = re.compile("[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


@settings(max_examples=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(max_codepoint=0x2fff) | st.sampled_from("\u2028\ufeff\uffff\U0001f600-:# "),
               min_size=1, max_size=8))
def test_ascii_fast_classes_agree_with_the_wide_ones(s):
    from skyspec import yamlemit

    assert (yamlemit._plain_chars(s) is None) == (_PLAIN_WIDE.match(s) is None)
    literal = yamlemit._LITERAL_BAD_ASCII if s.isascii() else yamlemit._unicode("literal")
    assert (literal.search(s) is None) == (_LITERAL_WIDE.search(s) is None)


def test_ascii_documents_never_compile_the_wide_classes():
    import subprocess

    code = ("from skyspec import yamlemit as y; y.dump({'a': ['--port', 'x: y', 'multi\\nline\\n']}); "
            "print(y._unicode.cache_info().currsize); y.dump({'é': 'ü'}); print(y._unicode.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(os.path.dirname(
                             os.path.abspath(__file__))), "compiler")}).stdout.split()
    assert out == ["0", "1"]
