"""Tests for skyspec.frontend.tomlpos: source positions of TOML values and keys."""

from __future__ import annotations

import math
import random
import re

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyspec.frontend.tomlpos import toml_positions


# --------------------------------------------------------------------------- helpers


def pos(text: str):
    return toml_positions(text)


def lc(span):
    """(line, col) of a (line, col, end_col) span."""
    return span[:2]


# --------------------------------------------------------------------------- explicit cases


def test_root_and_simple_pairs():
    text = 'port = 8080\nname = "x"\n  flag=true  # c\n'
    v, k = pos(text)
    assert v[()] == (1, 1, 1)
    assert v[("port",)] == (1, 8, 12)
    assert k[("port",)] == (1, 1, 5)
    assert v[("name",)] == (2, 8, 11)
    assert k[("name",)] == (2, 1, 5)
    assert v[("flag",)] == (3, 8, 12)
    assert k[("flag",)] == (3, 3, 7)
    assert () not in k


def test_empty_and_comment_only_documents():
    assert pos("") == ({(): (1, 1, 1)}, {})
    assert pos("# nothing\n\n   # here\n") == ({(): (1, 1, 1)}, {})


def test_table_header_and_implicit_parent():
    text = "# top\n[server.http]\nport = 8080\n"
    v, k = pos(text)
    assert v[("server", "http")] == (2, 1, 14)
    assert k[("server", "http")] == (2, 9, 13)
    # implicit parent: first mention, the key segment in the header
    assert v[("server",)] == (2, 2, 8)
    assert k[("server",)] == (2, 2, 8)
    assert v[("server", "http", "port")] == (3, 8, 12)
    assert k[("server", "http", "port")] == (3, 1, 5)


def test_header_with_spaces_and_quoted_segments():
    text = '[ a . "b.c" . \'d e\' ]\nx = 1\n'
    v, k = pos(text)
    assert lc(v[("a", "b.c", "d e")]) == (1, 1)
    assert k[("a", "b.c", "d e")] == (1, 15, 20)
    assert k[("a", "b.c")] == (1, 7, 12)
    assert lc(v[("a",)]) == (1, 3)
    assert lc(v[("a", "b.c", "d e", "x")]) == (2, 5)


def test_explicit_table_after_implicit_gets_its_header():
    text = "[a.b]\nx = 1\n[a]\ny = 2\n"
    v, k = pos(text)
    assert lc(v[("a",)]) == (3, 1)
    assert lc(k[("a",)]) == (3, 2)
    assert lc(v[("a", "y")]) == (4, 5)


def test_dotted_keys_create_implicit_tables():
    text = "a.b.c = 1\na . b . d = 2\n[t]\nx.y = 'z'\n"
    v, k = pos(text)
    assert v[("a",)] == (1, 1, 2)
    assert k[("a",)] == (1, 1, 2)
    assert v[("a", "b")] == (1, 3, 4)
    assert k[("a", "b", "c")] == (1, 5, 6)
    assert v[("a", "b", "c")] == (1, 9, 10)
    assert k[("a", "b", "d")] == (2, 9, 10)
    assert v[("a", "b", "d")] == (2, 13, 14)
    assert v[("t", "x")] == (4, 1, 2)
    assert v[("t", "x", "y")] == (4, 7, 10)


def test_array_of_tables():
    text = (
        "[[queues]]\n"
        'name = "a"\n'
        "[queues.opts]\n"
        "x = 1\n"
        "[[queues.sub]]\n"
        "y = 1\n"
        "\n"
        "[[ queues ]]\n"
        'name = "b"\n'
        "[[queues.sub]]\n"
        "y = 2\n"
    )
    v, k = pos(text)
    assert v[("queues",)] == (1, 1, 11)
    assert k[("queues",)] == (1, 3, 9)
    assert v[("queues", 0)] == (1, 1, 11)
    assert k[("queues", 0)] == (1, 3, 9)
    assert lc(v[("queues", 0, "name")]) == (2, 8)
    assert lc(k[("queues", 0, "name")]) == (2, 1)
    assert v[("queues", 0, "opts")] == (3, 1, 14)
    assert lc(v[("queues", 0, "opts", "x")]) == (4, 5)
    assert lc(v[("queues", 0, "sub")]) == (5, 1)
    assert lc(v[("queues", 0, "sub", 0)]) == (5, 1)
    assert lc(v[("queues", 0, "sub", 0, "y")]) == (6, 5)
    assert v[("queues", 1)] == (8, 1, 13)
    assert k[("queues", 1)] == (8, 4, 10)
    assert lc(v[("queues", 1, "name")]) == (9, 8)
    assert lc(v[("queues", 1, "sub")]) == (10, 1)
    assert lc(v[("queues", 1, "sub", 0, "y")]) == (11, 5)
    assert ("queues", 2) not in v


def test_inline_tables():
    text = "t = { a = 1, b = { c = 2 }, d.e = 'x' }\n"
    v, k = pos(text)
    assert v[("t",)] == (1, 5, 40)
    assert v[("t", "a")] == (1, 11, 12)
    assert k[("t", "a")] == (1, 7, 8)
    assert v[("t", "b")] == (1, 18, 27)
    assert k[("t", "b")] == (1, 14, 15)
    assert v[("t", "b", "c")] == (1, 24, 25)
    assert k[("t", "b", "c")] == (1, 20, 21)
    assert v[("t", "d")] == (1, 29, 30)
    assert k[("t", "d", "e")] == (1, 31, 32)
    assert v[("t", "d", "e")] == (1, 35, 38)
    assert pos("e = {}\n")[0][("e",)] == (1, 5, 7)


def test_multiline_inline_table_with_comments():
    text = "t = {  # open\n  a = 1,  # one\n  b = [2,\n 3],\n}\n"
    v, k = pos(text)
    assert v[("t",)] == (1, 5, 14)  # multi-line: ends at the end of the first line
    assert v[("t", "a")] == (2, 7, 8)
    assert k[("t", "a")] == (2, 3, 4)
    assert v[("t", "b")] == (3, 7, 10)
    assert v[("t", "b", 0)] == (3, 8, 9)
    assert v[("t", "b", 1)] == (4, 2, 3)


def test_arrays_nested_and_multiline():
    text = "a = [1, [2, 3], {x = 1}]\nb = [\n  'p',  # c ]\n  [ ],\n  \"q\",\n]\n"
    v, k = pos(text)
    assert v[("a",)] == (1, 5, 25)
    assert v[("a", 0)] == (1, 6, 7)
    assert v[("a", 1)] == (1, 9, 15)
    assert v[("a", 1, 0)] == (1, 10, 11)
    assert v[("a", 1, 1)] == (1, 13, 14)
    assert v[("a", 2)] == (1, 17, 24)
    assert v[("a", 2, "x")] == (1, 22, 23)
    assert k[("a", 2, "x")] == (1, 18, 19)
    assert ("a", 0) not in k
    assert v[("b",)] == (2, 5, 6)
    assert v[("b", 0)] == (3, 3, 6)
    assert v[("b", 1)] == (4, 3, 6)
    assert v[("b", 2)] == (5, 3, 6)
    assert ("b", 3) not in v


def test_quoted_keys():
    text = (
        '"args+" = ["x"]\n'
        "'key!' = 1\n"
        '"a.b" = 2\n'
        '"tab\\there\\u00e9\\U0001F600\\x41\\e" = 3\n'
        '"" = 4\n'
        "site.\"google.com\" = true\n"
    )
    v, k = pos(text)
    assert k[("args+",)] == (1, 1, 8)
    assert v[("args+",)] == (1, 11, 16)
    assert v[("args+", 0)] == (1, 12, 15)
    assert k[("key!",)] == (2, 1, 7)
    assert v[("key!",)] == (2, 10, 11)
    assert k[("a.b",)] == (3, 1, 6)
    esc = "tab\there\u00e9\U0001F600A\x1b"
    assert esc in tomli.loads(text)
    assert lc(k[(esc,)]) == (4, 1)
    assert lc(v[(esc,)]) == (4, 37)
    assert k[("",)] == (5, 1, 3)
    assert k[("site", "google.com")] == (6, 6, 18)
    assert v[("site", "google.com")] == (6, 21, 25)


def test_bare_keys_that_look_like_values():
    text = "1234 = 1\ntrue = false\ninf = nan\n3.14 = 'pi'\n-_- = 0\n"
    v, k = pos(text)
    assert v[("1234",)] == (1, 8, 9)
    assert v[("true",)] == (2, 8, 13)
    assert v[("inf",)] == (3, 7, 10)
    assert v[("3",)] == (4, 1, 2)
    assert k[("3", "14")] == (4, 3, 5)
    assert v[("3", "14")] == (4, 8, 12)
    assert k[("-_-",)] == (5, 1, 4)


def test_strings_hide_syntax():
    text = (
        's1 = "a # b ] } \\" c"  # real comment\n'
        "s2 = 'lit # ] \\' \n"
        's3 = """\n'
        'multi # [x]\n'
        'quote "" inside \\""" ok \\\n'
        '   cont"""""\n'
        "s4 = '''x ' '' ]] # y\n"
        "z'''''\n"
        "after = 1\n"
    )
    data = tomli.loads(text)
    assert data["s3"].endswith('ok cont""')
    v, k = pos(text)
    assert v[("s1",)] == (1, 6, 22)
    assert v[("s2",)] == (2, 6, 17)
    assert v[("s3",)] == (3, 6, 9)  # opening quotes; ends at the end of the first line
    assert v[("s4",)] == (7, 6, 22)
    assert v[("after",)] == (9, 9, 10)
    assert k[("after",)] == (9, 1, 6)
    text2 = "a = \"\"\"one line \\\"\"\" \"\"\"  # c\nb = '''x''' \n"
    v, _ = pos(text2)
    assert v[("a",)] == (1, 5, 25)
    assert v[("b",)] == (2, 5, 12)


def test_scalars_of_every_kind():
    text = (
        "i1 = +99\ni2 = -17\ni3 = 1_000\ni4 = 0xDEAD_beef\ni5 = 0o755\ni6 = 0b1101\n"
        "f1 = 3.1415\nf2 = -5e+22\nf3 = 6.626e-34\nf4 = inf\nf5 = -nan\nf6 = 224_617.445_991\n"
        "b1 = true\nb2 = false\n"
        "d1 = 1979-05-27T07:32:00Z\nd2 = 1979-05-27 07:32:00.999999-07:00\n"
        "d3 = 1979-05-27T07:32:00\nd4 = 1979-05-27\nd5 = 07:32:00\nd6 = 00:32:00.5\n"
        "d7 = 1979-05-27 07:32Z\n"
        "arr = [1979-05-27 07:32:00, 1979-05-27 ,07:32,]\n"
    )
    data = tomli.loads(text)
    v, _ = pos(text)
    lines = text.split("\n")
    for key, value in data.items():
        line, col, end = v[(key,)]
        if key == "arr":
            continue
        token = lines[line - 1][col - 1 : end - 1]
        assert token == lines[line - 1].split(" = ", 1)[1]
        parsed = tomli.loads("x = " + token)["x"]
        assert parsed == value or (math.isnan(parsed) and math.isnan(value))
    assert v[("arr", 0)] == (22, 8, 27)
    assert v[("arr", 1)] == (22, 29, 39)
    assert v[("arr", 2)] == (22, 41, 46)


def test_crlf_line_endings():
    text = "a = [1,\r\n  2]\r\n[t]\r\nb = '''x\r\ny'''\r\n"
    v, k = pos(text)
    assert v[("a",)] == (1, 5, 8)  # end of the first line, without the \r
    assert v[("a", 1)] == (2, 3, 4)
    assert v[("t",)] == (3, 1, 4)
    assert v[("t", "b")] == (4, 5, 9)


def test_end_col_is_end_of_first_line_for_multiline_values():
    text = 'x = """\nab"""\ny = [\n1]\n'
    v, _ = pos(text)
    assert v[("x",)] == (1, 5, 8)
    assert v[("y",)] == (3, 5, 6)


# --------------------------------------------------------------------------- property checks


def _walk(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, path + (i,))


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _header_keys(header: str) -> list:
    """The key segments of a ``[a.b]`` / ``[[a.b]]`` header, via tomli."""
    node = tomli.loads(header)
    out = []
    while node:
        ((key, node),) = node.items()
        out.append(key)
        if isinstance(node, list):
            node = node[-1]
    return out


def _is_aot(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, dict) for x in value)


def check_positions(text: str) -> None:
    """Every path reachable in tomli.loads(text) has a value (and key) position, and the text
    at each position is that value (or key)."""
    data = tomli.loads(text)
    values, keys = toml_positions(text)
    lines = text.split("\n")

    def segment(span):
        line, col, end = span
        assert 1 <= line <= len(lines)
        src = lines[line - 1]
        assert 1 <= col <= end <= len(src.rstrip("\r")) + 1, (span, src)
        return src[col - 1 : end - 1], src[col - 1 :], end == len(src.rstrip("\r")) + 1

    def check_key(path, name):
        seg, _, _ = segment(keys[path])
        assert tomli.loads(seg + " = 1") == {name: 1}, (path, seg)

    expected_keys = set()
    for path, value in _walk(data):
        assert path in values, path
        if not path:
            assert values[path] == (1, 1, 1)
            continue
        seg, rest, at_eol = segment(values[path])
        parent = _lookup(data, path[:-1])
        if isinstance(parent, dict):
            expected_keys.add(path)
            check_key(path, path[-1])
        elif _is_aot(parent) and rest.startswith("[["):
            expected_keys.add(path)
            check_key(path, path[-2])

        if isinstance(value, dict) and rest.startswith("["):  # table header
            assert _header_keys(seg) == [p for p in path if isinstance(p, str)], (path, seg)
            if isinstance(path[-1], int):
                assert seg.startswith("[[")
            else:
                assert not seg.startswith("[[")
        elif _is_aot(value) and rest.startswith("[["):  # array of tables: its first header
            assert _header_keys(seg) == [p for p in path if isinstance(p, str)], (path, seg)
            assert values[path] == values[path + (0,)]
        elif isinstance(value, dict) and not rest.startswith("{"):  # implicit table
            assert values[path] == keys[path], path
        else:  # an inline value
            try:
                parsed = tomli.loads("x = " + seg)["x"]
            except tomli.TOMLDecodeError:
                # only a value continuing on the next lines may be cut at the line end
                assert at_eol and rest[:1] in ("[", "{", '"', "'"), (path, seg)
                if isinstance(value, str):
                    assert rest.startswith(('"""', "'''")), (path, seg)
            else:
                assert _same_deep(parsed, value), (path, seg, parsed, value)

    assert set(values) == {p for p, _ in _walk(data)}
    assert set(keys) == expected_keys


def _lookup(data, path):
    for p in path:
        data = data[p]
    return data


def _same_deep(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_deep(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_deep(x, y) for x, y in zip(a, b))
    return _same(a, b)


DOCUMENTS = [
    "",
    "# only a comment",
    "a = 1",  # no trailing newline
    'title = "TOML Example"\n\n[owner]\nname = "Tom"\ndob = 1979-05-27T07:32:00-08:00\n\n'
    '[database]\nenabled = true\nports = [ 8000, 8001, 8002 ]\ndata = [ ["delta", "phi"], [3.14] ]\n'
    'temp_targets = { cpu = 79.5, case = 72.0 }\n\n[servers]\n\n[servers.alpha]\nip = "10.0.0.1"\n'
    'role = "frontend"\n\n[servers.beta]\nip = "10.0.0.2"\nrole = "backend"\n',
    # arrays of tables, nested, with sub-tables in between
    '[[fruits]]\nname = "apple"\n\n[fruits.physical]\ncolor = "red"\nshape = "round"\n\n'
    '[[fruits.varieties]]\nname = "red delicious"\n\n[[fruits.varieties]]\nname = "granny smith"\n\n'
    '[[fruits]]\nname = "banana"\n\n[[fruits.varieties]]\nname = "plantain"\n',
    # dotted keys mixed with sub-tables
    '[fruit]\napple.color = "red"\napple.taste.sweet = true\n\n[fruit.apple.texture]\nsmooth = true\n',
    # awkward strings
    'a = "# not a comment ] }"\nb = \'C:\\Users\\#x\'\nc = """\nRoses are red\n  # still string\n'
    'Violets are \\"blue\\" \\\n    and more"""\nd = \'\'\'\n[not.a.header]\n\'\' two quotes\'\'\'\n'
    'e = """""five quotes inside ""\\"\\"\\"\\"\\" ok"""""\nf = \'\'\'\'\'\'\nlast = "x"\n',
    # inline tables and arrays across lines (TOML 1.1), comments and trailing commas
    'cfg = {\n  # leading comment\n  name = "x", # trailing\n  nested = { deep = [1, 2,\n  3,], },\n'
    "  list = [\n    { a = 1 },\n    { b = [ ] },\n  ],\n}\n"
    "mixed = [ 1, 'two', 3.0, true, 1979-05-27, [ ], { }, \"\"\"x\"\"\" ]\n",
    # quoted keys of all sorts, including escapes and dotted mixes
    '"quoted.key" = 1\n\'literal.key\' = 2\n"esc\\n\\"key\\u0041" = 3\n"" = 4\n'
    'a."b.c".\'d\' = 5\n[ "h.1" . x ]\n"k=v" = 6\n[\'lit hdr\']\n"#" = 7\n',
    # numbers and dates in every form
    "int = [ +99, 42, 0, -17, 1_000, 5_349_221, 0xDEADBEEF, 0xdead_beef, 0o01234567, 0o755, 0b11010110 ]\n"
    "flt = [ +1.0, 3.1415, -0.01, 5e+22, 1e06, -2E-2, 6.626e-34, 224_617.445_991_228, inf, +inf, -inf, nan, +nan, -nan ]\n"
    "odt = [ 1979-05-27T07:32:00Z, 1979-05-27T00:32:00-07:00, 1979-05-27T00:32:00.999999-07:00, 1979-05-27 07:32:00Z ]\n"
    "ldt = [ 1979-05-27T07:32:00, 1979-05-27T00:32:00.999999, 1979-05-27 07:32 ]\n"
    "ld = 1979-05-27\nlt = [07:32:00, 00:32:00.999999, 07:32]\n"
    "bools = [true,false]\n",
    # CRLF line endings
    "a = 1\r\n[t]\r\nb = [\r\n 1,\r\n 2\r\n]\r\nc = '''x\r\ny'''\r\n[[q]]\r\nd = {e = 1}\r\n",
    # tabs and spaces everywhere
    "\t[\ttable\t.\tsub\t]\t# c\n\tkey\t=\t\"v\"\t\n\t[[\tarr\t]]\n\tk . j = [\t1\t,\t2\t]\n",
    # empty tables and arrays, tables defined after their children
    "[a.b.c]\n[a]\nx = []\ny = {}\n[a.b]\n[[a.b.c.d]]\n[[a.b.c.d]]\nz = [[], [[]], [{}]]\n",
    # array of tables inside an implicit table, then a table under its last element
    "[[x.y]]\nn = 1\n[[x.y]]\nn = 2\n[x.y.z]\nm = 3\n[x.w]\nk = 4\n",
    # unicode content
    'name = "Ünïcödé ☃ 😀"\n"ключ" = \'значение\'\n["таблица"]\n"ключ" = 1\n',
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_positions_on_documents(text):
    check_positions(text)


# --------------------------------------------------------------------------- generated documents

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _basic(s: str) -> str:
    out = []
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _literal_ok(s: str, multiline: bool = False) -> bool:
    allowed = "\t\n" if multiline else "\t"
    return "'" not in s and not any(
        (ord(c) < 0x20 and c not in allowed) or c == "\x7f" for c in s
    ) and "\r" not in s


def enc_key(k: str, rnd: random.Random) -> str:
    if _BARE.fullmatch(k) and rnd.random() < 0.8:
        return k
    if _literal_ok(k) and "\n" not in k and rnd.random() < 0.4:
        return "'" + k + "'"
    return _basic(k)


def _multiline_basic(s: str, rnd: random.Random) -> str:
    body = "\n".join(_basic(line)[1:-1] for line in s.split("\n"))
    if rnd.random() < 0.5:
        body += "\\\n  \n"  # a line-ending backslash trims the following whitespace
    return '"""\n' + body + '"""'  # the newline right after the quotes is trimmed


def enc_str(s: str, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.2 and _literal_ok(s):
        return "'" + s + "'"
    if r < 0.35 and _literal_ok(s, multiline=True):
        return "'''\n" + s + "'''"  # the newline right after the quotes is trimmed
    if r < 0.55:
        return _multiline_basic(s, rnd)
    return _basic(s)


def enc_int(i: int, rnd: random.Random) -> str:
    r = rnd.random()
    if i >= 0 and r < 0.15:
        return "0x%X" % i
    if i >= 0 and r < 0.25:
        return "0o%o" % i
    if i >= 0 and r < 0.3:
        return "0b{:b}".format(i)
    if r < 0.4 and abs(i) >= 1000:
        return "{:_}".format(i)
    if r < 0.45 and i > 0:
        return "+%d" % i
    return str(i)


def _sep(rnd: random.Random, multiline: bool) -> str:
    if not multiline:
        return rnd.choice(["", " ", "  ", "\t"])
    return rnd.choice(["", " ", "\n  ", "  # comment ] }\n    ", "\n\n", " \t"])


def enc_inline(value, rnd: random.Random, multiline: bool) -> str:
    """Serialize a value as an inline TOML value (arrays may span lines)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return enc_int(value, rnd)
    if isinstance(value, str):
        return enc_str(value, rnd)
    if isinstance(value, list):
        ml = multiline and rnd.random() < 0.5
        items = [_sep(rnd, ml) + enc_inline(x, rnd, multiline) + _sep(rnd, ml) for x in value]
        trailing = "," + _sep(rnd, ml) if items and ml and rnd.random() < 0.5 else ""
        return "[" + ",".join(items) + trailing + "]" if items else "[" + _sep(rnd, ml) + "]"
    if isinstance(value, dict):
        ml = multiline and rnd.random() < 0.3
        parts = [
            _sep(rnd, ml) + " " + line.strip() + _sep(rnd, ml)
            for line in enc_pairs(value, rnd, (), inline=True, multiline=multiline)
        ]
        trailing = "," + _sep(rnd, ml) if parts and ml and rnd.random() < 0.5 else ""
        return "{" + ",".join(parts) + trailing + "}"
    raise TypeError(value)


def enc_pairs(table: dict, rnd, key_prefix: tuple, inline: bool, multiline: bool) -> list[str]:
    """``key = value`` lines for the scalar/inline content of a table; nested dicts are
    written as inline tables or as dotted keys."""
    lines = []
    for key, value in table.items():
        full = key_prefix + (enc_key(key, rnd),)
        if isinstance(value, dict) and value and rnd.random() < 0.5:
            lines += enc_pairs(value, rnd, full, inline, multiline)  # dotted keys
            continue
        dot = rnd.choice([".", " . ", "\t.\t"])
        eq = rnd.choice(["=", " = ", "  =\t"])
        lines.append(dot.join(full) + eq + enc_inline(value, rnd, multiline and not inline))
    return lines


def enc_document(data: dict, rnd: random.Random, style: str) -> str:
    out: list[str] = []

    def comment():
        if rnd.random() < 0.2:
            out.append(rnd.choice(["# comment", "", "  # [fake.header]", "\t"]))

    def header(path, aot):
        sp = rnd.choice(["", " "])
        dot = rnd.choice([".", " . "])
        keys = dot.join(path)
        line = ("[[" + sp + keys + sp + "]]") if aot else ("[" + sp + keys + sp + "]")
        out.append(line + rnd.choice(["", "  # header"]))

    def table(t: dict, path: tuple, with_header: str | None):
        subs = []
        pairs = {}
        headers = style in ("headers", "mixed")
        for k, v in t.items():
            if headers and isinstance(v, dict) and rnd.random() < 0.7:
                subs.append((k, v, False))
            elif headers and _is_aot(v) and rnd.random() < 0.8:
                subs.append((k, v, True))
            else:
                pairs[k] = v
        implicit = with_header == "table" and not pairs and subs and rnd.random() < 0.5
        if with_header and not implicit:
            header(path, with_header == "aot")
        if style in ("dotted", "mixed"):
            lines = enc_pairs(pairs, rnd, (), inline=False, multiline=True)
        else:
            lines = []
            for k, v in pairs.items():
                lines.append(enc_key(k, rnd) + " = " + enc_inline(v, rnd, True))
        for line in lines:
            comment()
            out.append(rnd.choice(["", "  ", "\t"]) + line + rnd.choice(["", " # c", "\t"]))
        for k, v, is_aot in subs:
            sub_path = path + (enc_key(k, rnd),)
            if is_aot:
                for element in v:
                    table(element, sub_path, "aot")
            else:
                table(v, sub_path, "table")

    table(data, (), None)
    newline = "\r\n" if rnd.random() < 0.1 else "\n"
    return newline.join(out) + rnd.choice(["", newline])


_keys = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6) | st.from_regex(
    r"[a-z][a-z0-9_-]{0,6}", fullmatch=True
)
_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(_keys, inner, max_size=4)
    | st.lists(st.dictionaries(_keys, inner, max_size=3), min_size=1, max_size=3),
    max_leaves=20,
)
_documents = st.dictionaries(_keys, _values, max_size=6)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=_documents, style=st.sampled_from(["inline", "headers", "dotted", "mixed"]), seed=st.integers(0, 2**32))
def test_positions_on_generated_documents(data, style, seed):
    rnd = random.Random(seed)
    text = enc_document(data, rnd, style)
    assert tomli.loads(text) == data, text  # the serializer itself must be right
    check_positions(text)
