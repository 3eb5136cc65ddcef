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
