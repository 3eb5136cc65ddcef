"""The Helm chart's values.schema.json writer writes what json.dumps(indent=2) writes."""

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from skyspec.backends.helm.jsontext import dumps

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
_keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4)
                     | st.tuples(inner, inner), max_leaves=30)


@given(_json)
@settings(max_examples=300, deadline=None)
def test_same_text_as_json_dumps(v):
    assert dumps(v) == json.dumps(v, indent=2, ensure_ascii=False)


def test_shared_maps_at_several_depths():
    shared = {"type": "string", "enum": ["a", "é", "\u2028", "\x00"]}
    empty: dict = {}
    v = {"a": shared, "b": {"c": shared, "d": [shared, empty, []]}, "e": [[shared]], "n": [math.inf, -math.inf, 1.5]}
    assert dumps(v) == json.dumps(v, indent=2, ensure_ascii=False)


def test_what_json_refuses_is_refused():
    for bad in ({"a": object()}, {(1, 2): 1}):
        try:
            dumps(bad)
        except TypeError:
            continue
        raise AssertionError(f"{bad!r} was written")
