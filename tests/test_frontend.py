"""The YAML frontend: values and positions."""

import yaml


def test_the_frontend_resolves_scalars_exactly_like_pyyaml():
    """frontend/yamlsrc.py short-cuts PyYAML's tag resolver; it must read every scalar the
    way yaml.safe_load does."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from skyspec.diagnostics import Diagnostics
    from skyspec.frontend.yamlsrc import load_yaml

    words = st.one_of(st.sampled_from(["yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "~", "1", "0x1F",
                                       "0o17", "1e3", "1_000", ".5", "12:30", "2024-01-01", ".inf", "-.inf", ".nan",
                                       "<<", "=", "+1", "-2.5", "abc", "ghcr.io/a:1", "250m", "Infinity"]),
                      st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))

    @settings(max_examples=400, deadline=None)
    @given(words)
    def check(w):
        if w.lstrip()[:1] in ("!", "&", "*", "|", ">", "%", "@", "`"):
            return  # tags, anchors, block scalars: syntax, not plain scalars (explicit tags stay text)
        text = f"k: {w}\n"
        try:
            expected = yaml.safe_load(text)
        except yaml.YAMLError:
            return
        if not isinstance(expected, dict) or "k" not in expected:
            return
        docs = load_yaml(text, "t.yaml", Diagnostics())
        got = docs[0].data["k"] if docs else None
        exp = expected["k"]
        if not isinstance(exp, (str, int, float, bool, type(None))):
            exp = str(w).strip() if not isinstance(exp, (list, dict)) else exp  # dates stay text in the frontend
            if isinstance(exp, (list, dict)):
                return
            got = str(got)
        if isinstance(exp, float) and exp != exp:
            assert got != got
        else:
            assert got == exp and type(got) is type(exp), (w, got, exp)

    check()


def test_positions_of_values_and_keys():
    from skyspec.diagnostics import Diagnostics
    from skyspec.frontend.yamlsrc import load_yaml

    text = "kind: App\nname: api\nports:\n  http: 8080\nargs: [a, 'b']\n---\nkind: Job\n"
    docs = load_yaml(text, "f.yaml", Diagnostics())
    assert [d.index for d in docs] == [0, 1]
    loc = docs[0].loc
    assert tuple(loc.find(("ports", "http")).pos)[:3] == ("f.yaml", 4, 9)
    assert tuple(loc.child("ports").key_pos("http"))[:3] == ("f.yaml", 4, 3)
    assert tuple(loc.find(("args", 1)).pos)[:3] == ("f.yaml", 5, 11)
    assert docs[0].data["args"] == ["a", "b"] and docs[1].data == {"kind": "Job"}


# --------------------------------------------------------------------------- encodings (issue #11)

def _load_bytes(tmp_path, name, data):
    from skyspec.diagnostics import Diagnostics, Sources, render_text
    from skyspec.frontend import load_file

    f = tmp_path / name
    f.write_bytes(data)
    d, sources = Diagnostics(), Sources()
    docs = load_file(f, name, d, sources)
    return docs, d.items, render_text(d.items, sources)


def test_a_bom_is_accepted_and_shifts_no_column(tmp_path):
    for name, text in [("a.yaml", "kind: App\nname: api\n"), ("a.toml", 'kind = "App"\nname = "api"\n')]:
        docs, diags, _ = _load_bytes(tmp_path, name, b"\xef\xbb\xbf" + text.encode())
        assert not diags and docs[0].data == {"kind": "App", "name": "api"}
        assert tuple(docs[0].loc.key_pos("kind"))[1:3] == (1, 1)
        assert tuple(docs[0].loc.child("kind").pos)[1:3] == (1, 7 if name.endswith("yaml") else 8)


def test_an_error_after_a_bom_is_reported_where_it_is(tmp_path):
    _, diags, shown = _load_bytes(tmp_path, "b.toml", b"\xef\xbb\xbfkind = = 1\n")
    assert [(d.code, str(d.pos)) for d in diags] == [("SKY002", "b.toml:1:8")]
    assert " 1 | kind = = ****\n" in shown  # the frame shows no BOM (and masks values: the file did not parse)
    _, diags, _ = _load_bytes(tmp_path, "c.toml", b"\xef\xbb\xbfkind = 'App'\nname = [1,,]\n")
    assert [(d.code, str(d.pos)) for d in diags] == [("SKY002", "c.toml:2:11")]
    _, diags, _ = _load_bytes(tmp_path, "b.yaml", b"\xef\xbb\xbfkind: [App\nname: x: y\n")
    assert [d.code for d in diags] == ["SKY001"] and diags[0].pos.line == 2
    _, diags, _ = _load_bytes(tmp_path, "d.yaml", b"\xef\xbb\xbfkind: App\nkind: Job\n")
    assert [(d.code, str(d.pos)) for d in diags] == [("SKY005", "d.yaml:2:1")]


def test_bytes_that_are_not_utf8_are_a_located_error(tmp_path):
    docs, diags, shown = _load_bytes(tmp_path, "l.yaml", "kind: App\nname: caf".encode() + b"\xe9 \xe9\n")
    assert docs == [] and [(d.code, str(d.pos)) for d in diags] == [("SKY006", "l.yaml:2:10")]
    assert "byte 0xe9" in diags[0].message and "save the file as UTF-8" in diags[0].hint
    assert " 2 | name: caf\ufffd \ufffd\n" in shown and "   |          ^\n" in shown
    # after a BOM and multi-byte characters, the column still counts characters
    _, diags, _ = _load_bytes(tmp_path, "m.toml", b"\xef\xbb\xbfa = '\xc3\xa9\xc3\xa9\xff'\n")
    assert [(d.code, str(d.pos)) for d in diags] == [("SKY006", "m.toml:1:8")]
    _, diags, _ = _load_bytes(tmp_path, "u.yaml", "kind: App\n".encode("utf-16"))
    assert diags[0].code == "SKY006" and "UTF-16" in diags[0].hint


def test_code_frames_never_fail_on_what_they_read(tmp_path):
    """Sources reads files it was not given (a position in another file): bytes that are not
    UTF-8 are shown replaced, special files are never opened, long lines are cut."""
    from skyspec.diagnostics import Diagnostic, Pos, Sources, render_text

    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xef\xbb\xbfname: \xff\n")
    assert Sources().line(str(bad), 1) == "name: \ufffd"
    long = tmp_path / "long.yaml"
    long.write_text("v: " + "x" * 100_000 + "\n")
    out = render_text([Diagnostic("SKY104", "m", Pos(str(long), 1, 50_000, 50_003))], Sources())
    frame = out.splitlines()
    assert len(frame[1]) < 200 and frame[1].startswith(" 1 | ...x") and frame[1].endswith("x...")
    assert frame[2].index("^") == 5 + 43 and frame[2].endswith("^^^")  # 40 characters of context, "..."


def test_merge_keys_however_spelled_merge():
    """The walk looks for merge keys only in a text that can hold one (`<<`, a tag naming
    `merge`, or a %-escaped tag): every spelling still merges."""
    from skyspec.diagnostics import Diagnostics
    from skyspec.frontend.yamlsrc import load_yaml

    for key in ("<<", "!!merge <<", "!<tag:yaml.org,2002:merge> m", "!<tag:yaml.org,2002:%6Derge> m"):
        d = Diagnostics()
        docs = load_yaml(f"a: &x {{b: 1}}\nc: {{{key}: *x, d: 2}}\n", "t.yaml", d)
        assert docs[0].data["c"] == {"b": 1, "d": 2} and not d.items, key


def test_a_key_written_beside_a_merge_key_overrides_it_and_is_no_duplicate(tmp_path):
    # YAML's `<<`: the mapping's own keys override the merged ones, and of several merged
    # mappings the first wins; Sentry's self-hosted Compose file (`<<: *sentry_defaults` then
    # `command:`) was refused with 26 SKY005 errors
    text = ("base: &b {image: x, command: [run, web], team: a}\n"
            "more: &m {team: z, port: 1}\n"
            "svc:\n  <<: [*b, *m]\n  command: [run, worker]\n"
            "again:\n  <<: *b\n  team: c\n  team: d\n")
    docs, diags, _ = _load_bytes(tmp_path, "m.yaml", text.encode())
    assert docs[0].data["svc"] == yaml.safe_load(text)["svc"] == \
        {"image": "x", "command": ["run", "worker"], "team": "a", "port": 1}
    # a key written twice in one mapping is still a duplicate
    assert [(d.code, str(d.pos)) for d in diags] == [("SKY005", "m.yaml:9:3")]
    assert tuple(docs[0].loc.child("svc").child("command").pos)[1:3] == (5, 12)   # the value written here
