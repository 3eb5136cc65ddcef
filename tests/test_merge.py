"""The merge algebra: operators, provenance, and its laws (property tests)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from skyspec.diagnostics import Diagnostics, Pos
from skyspec.frontend import uniform_loc
from skyspec.provenance import MISSING, prov_from_loc
from skyspec.layers.merge import Merger


def merge(base, *patches):
    diags = Diagnostics()
    data, prov = base, prov_from_loc(base, uniform_loc(base, Pos("base.yaml", 1, 1)), "spec")
    for i, p in enumerate(patches):
        data, prov = Merger(f"layer{i}", diags).apply(data, prov, p, uniform_loc(p, Pos(f"p{i}.yaml", i + 1, 1)))
    return data, prov, diags


def test_maps_merge_scalars_and_lists_replace():
    base = {"env": {"A": "1", "B": "2"}, "args": ["x"], "replicas": 1}
    out, _, d = merge(base, {"env": {"B": "3", "C": "4"}, "args": ["y"], "replicas": 2})
    assert out == {"env": {"A": "1", "B": "3", "C": "4"}, "args": ["y"], "replicas": 2}
    assert not d.items
    assert base == {"env": {"A": "1", "B": "2"}, "args": ["x"], "replicas": 1}  # inputs untouched


def test_plus_extends_lists_maps_and_strings():
    out, _, _ = merge({"args": ["a"], "env": {"A": "1"}, "image": "repo"},
                      {"args+": ["b"], "env+": {"B": "2"}, "image+": ":1.0"})
    assert out == {"args": ["a", "b"], "env": {"A": "1", "B": "2"}, "image": "repo:1.0"}


def test_bang_replaces_instead_of_merging():
    out, _, _ = merge({"ports": {"http": 8080, "admin": 9000}}, {"ports!": {"http": 9090}})
    assert out == {"ports": {"http": 9090}}


def test_null_deletes_and_minus_removes():
    out, prov, _ = merge({"autoscale": {"min": 2}, "args": ["a", "b", "c"], "env": {"A": "1", "B": "2"}},
                         {"autoscale": None, "args-": ["b"], "env-": ["A"]})
    assert out == {"args": ["a", "c"], "env": {"B": "2"}}
    gone = prov.find(("autoscale",))
    assert gone.hist[-1].op == "delete" and gone.hist[-1].layer == "layer0"


def test_removing_an_absent_item_is_an_error_with_a_suggestion():
    _, _, d = merge({"args": ["--verbose"]}, {"args-": ["--verbos"]})
    assert [x.code for x in d] == ["SKY204"]
    assert 'did you mean "--verbose"' in d.items[0].hint


def test_extending_a_number_is_an_error():
    _, _, d = merge({"replicas": 1}, {"replicas+": 2})
    assert [x.code for x in d] == ["SKY203"]


def test_history_records_each_layer_and_the_replaced_value():
    _, prov, _ = merge({"replicas": 1}, {"replicas": 2}, {"replicas": 5})
    h = prov.find(("replicas",)).hist
    assert [e.layer for e in h] == ["spec", "layer0", "layer1"]
    assert [e.replaced for e in h] == [MISSING, 1, 2]
    assert h[-1].pos == Pos("p1.yaml", 2, 1)


# ------------------------------------------------------------------ laws

keys = st.sampled_from(["a", "b", "c", "d"])
scalars = st.one_of(st.integers(-5, 5), st.text("xyz", max_size=3), st.booleans())
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=3)), max_leaves=8)
docs = st.dictionaries(keys, values, max_size=4)
patches = st.dictionaries(keys, st.one_of(values, st.none()), max_size=4)


@settings(max_examples=300, deadline=None)
@given(docs)
def test_empty_overlay_is_identity(doc):
    out, _, d = merge(doc, {})
    assert out == doc and not d.items


# Associativity holds where layers agree on the shape of each key (a map stays a map):
# merging a map onto a scalar replaces it, so `a <- (b <- c)` and `(a <- b) <- c` differ when
# b turns a map into a scalar and c turns it back. Spec layers agree on shapes (the schema
# fixes them), so that is the law that matters.
inner_maps = st.dictionaries(st.sampled_from(["x", "y"]), st.one_of(scalars, st.lists(scalars, max_size=2)), max_size=2)
shaped = st.fixed_dictionaries({}, optional={"a": inner_maps, "b": inner_maps, "c": scalars,
                                             "d": st.lists(scalars, max_size=3)})


@settings(max_examples=300, deadline=None)
@given(shaped, shaped, shaped)
def test_merge_is_associative_for_plain_patches(a, b, c):
    # (a <- b) <- c  ==  a <- (b <- c), where b <- c is itself a merge of patches
    left, _, _ = merge(merge(a, b)[0], c)
    bc, _, _ = merge(b, c)
    right, _, _ = merge(a, bc)
    assert left == right


@settings(max_examples=300, deadline=None)
@given(docs, st.sampled_from(["a", "b"]), values)
def test_bang_equals_replacement(doc, key, value):
    out, _, _ = merge(doc, {f"{key}!": value})
    expected = dict(doc)
    expected[key] = value
    assert out == expected


@settings(max_examples=300, deadline=None)
@given(docs, st.sampled_from(["a", "b"]), values)
def test_delete_then_readd_equals_the_readded_value(doc, key, value):
    out, _, _ = merge(doc, {key: None}, {key: value})
    expected = dict(doc)
    expected[key] = value
    assert out == expected


@settings(max_examples=300, deadline=None)
@given(docs, patches)
def test_key_order_does_not_change_the_result(doc, patch):
    out1, _, _ = merge(doc, patch)
    out2, _, _ = merge(dict(reversed(list(doc.items()))), dict(reversed(list(patch.items()))))
    assert out1 == out2


@settings(max_examples=300, deadline=None)
@given(docs, patches, patches)
def test_history_ends_with_the_final_value(doc, p1, p2):
    out, prov, _ = merge(doc, p1, p2)
    for k, v in out.items():
        node = prov.find((k,))
        last = node.hist[-1]
        # the last writer is the last layer whose patch set this key (or the spec)
        writers = [i for i, p in enumerate((p1, p2)) if k in p and p[k] is not None]
        if writers and not (isinstance(v, dict) and isinstance(doc.get(k), dict)):
            assert last.layer == f"layer{writers[-1]}"


def test_a_section_applied_to_many_specs_shares_its_history_entries():
    # an overlay's `all` patches every spec alike: what it writes where nothing was replaced
    # is one Entry for all of them (immutable), with the content prov_from_loc would give
    from skyspec.frontend.loc import Loc
    from skyspec.provenance import Entry

    patch = {"labels": {"tier": "web"}, "env": {"A": "1"}, "args+": ["--x"]}
    ploc = uniform_loc(patch, Pos("overlay.yaml", 3, 1))
    m = Merger("overlay:o.yaml", Diagnostics(), "all")
    out = []
    for base in ({"env": {"A": "0"}}, {"env": {"B": "2"}, "args": ["a"]}):
        bprov = prov_from_loc(base, uniform_loc(base, Pos("spec.yaml", 1, 1)), "spec")
        out.append(m.apply(base, bprov, patch, ploc))
    (d1, p1), (d2, p2) = out
    assert d1 == {"env": {"A": "1"}, "labels": {"tier": "web"}, "args": ["--x"]}
    assert d2 == {"env": {"B": "2", "A": "1"}, "args": ["a", "--x"], "labels": {"tier": "web"}}
    pos = Pos("overlay.yaml", 3, 1)
    assert p1.hist[-1] is p2.hist[-1] == Entry("overlay:o.yaml", pos, "merge", MISSING, "all")
    assert p1.find(("labels", "tier")).hist[0] is p2.find(("labels", "tier")).hist[0]
    assert p1.find(("labels", "tier")).hist == [Entry("overlay:o.yaml", pos, "set", MISSING, "all")]
    assert p2.find(("env", "A")).hist == [Entry("overlay:o.yaml", pos, "set", MISSING, "all")]
    # a value replaced is each spec's own record
    assert p1.find(("env", "A")).hist == [Entry("spec", Pos("spec.yaml", 1, 1), "set"),
                                          Entry("overlay:o.yaml", pos, "set", "0", "all")]
    assert p2.find(("args",)).hist[-1] == Entry("overlay:o.yaml", pos, "extend", ["a"], "all")
    # the lists are each spec's own: a later layer's history does not leak into another spec
    assert p1.find(("labels",)).hist is not p2.find(("labels",)).hist
    assert isinstance(p1.kids["labels"].kids, dict) and p1.kids["labels"].kids is not p2.kids["labels"].kids
    assert isinstance(ploc, Loc)


def test_provenance_of_a_document_is_made_as_it_is_read_in_the_shape_it_had():
    # prov_from_loc makes a node's history and children when first read: the same content as
    # made at once, in the shape the data had then (validation later fills in defaults, in
    # place: those are no layer's), with keys that are not strings kept as written
    from skyspec.provenance import Entry, Prov

    data = {"env": {"A": "1"}, "args": ["x", {"k": 1}], "ports": {8080: "http", True: "on"}, "n": 3}
    loc = uniform_loc(data, Pos("spec.yaml", 2, 1))
    prov = prov_from_loc(data, loc, "spec", "set", "all")
    data["env"]["B"] = "filled in"  # as a schema default is, after the provenance was made
    data["health"] = {"period": 10}
    assert isinstance(prov, Prov) and list(prov.kids) == ["env", "args", "ports", "n"]
    assert list(prov.kids["env"].kids) == ["A"] and prov.find(("health",)) is None
    assert list(prov.kids["ports"].kids) == [8080, True]
    assert [type(k) for k in prov.kids["ports"].kids] == [int, bool]
    like = prov_from_loc({"ports": {1: "a"}}, None, "spec")  # 1 == True, but not the same key
    assert list(like.kids["ports"].kids) == [1] and type(next(iter(like.kids["ports"].kids))) is int
    leaf = prov.find(("args", 1, "k"))
    assert leaf.hist == [Entry("spec", Pos("spec.yaml", 2, 1), "set", MISSING, "all")] and leaf.kids is None
    assert leaf.key == Pos("spec.yaml", 2, 1) and prov.kids["args"].kids[0].key is None
    assert prov.find(("args",)).hist is prov.find(("args",)).hist  # made once, then kept
    leaf.hist = leaf.hist + [Entry("overlay", None, "set", 1)]  # written as any Prov's
    assert [e.layer for e in prov.find(("args", 1, "k")).hist] == ["spec", "overlay"]
