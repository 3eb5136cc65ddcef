"""What the corpus fixes of issue #11 still accept, on real output: the corpus
(tests/test_corpus.py) holds each refusal; these hold the legitimate inputs next to them
(plain YAML with implicit types and merge keys, a TLS Secret by name, template parameters
declared with the whole vocabulary, every stdlib template's declarations)."""

from __future__ import annotations

import pytest

from skyspec.diagnostics import Diagnostics, Sources
from skyspec.frontend.yamlsrc import load_yaml

DEMO = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  prod: {overlays: []}
"""


@pytest.mark.parametrize("text, value", [
    ("a: 2024-01-01", "2024-01-01"),        # an implicit timestamp stays text
    ("a: =", "="),                          # so does the implicit `value` tag
    ("a: !!str 5", "5"),                    # core tags are plain YAML
    ('a: !!int "12"', 12),
    ("a: !!float 1e3", 1000.0),
    ("a: !!null ''", None),
    ("a: !!map {b: 1}", {"b": 1}),
    ("a: !!seq [1]", [1]),
    ("a: ! 5", 5),                          # the non-specific tag resolves as untagged
    ("x: &x {b: 1}\na: {<<: *x, c: 2}", {"b": 1, "c": 2}),   # merge keys
])
def test_core_schema_yaml_loads_without_diagnostics(text, value):
    diags = Diagnostics()
    docs = load_yaml(text, "f.yaml", diags)
    assert not diags.items
    assert docs[0].data["a"] == value


def test_a_refused_tag_reads_the_value_as_untagged():
    diags = Diagnostics()
    docs = load_yaml("a: !!python/object:os.system 2\nb: !!int two\n", "f.yaml", diags)
    assert docs[0].data == {"a": 2, "b": "two"}
    assert [(d.code, str(d.pos)) for d in diags.items] == [("SKY019", "f.yaml:1:4"), ("SKY019", "f.yaml:2:4")]


def test_tls_names_a_declared_secret(build):
    docs = build({"apps/web.yaml": """
        kind: App
        name: web
        image: ghcr.io/acme/web:1.0.0
        port: 8080
        expose: {host: web.example.com, tls: web-cert}
        ---
        kind: Secret
        name: web-cert
        type: kubernetes.io/tls
        existing: true
    """}, project=DEMO)
    ing = docs[("Ingress", "web")]
    assert ing["spec"]["tls"] == [{"hosts": ["web.example.com"], "secretName": "web-cert"}]


def test_tls_secret_with_keys_must_hold_the_certificate(build):
    files = {"apps/web.yaml": """
        kind: App
        name: web
        image: ghcr.io/acme/web:1.0.0
        port: 8080
        expose: {host: web.example.com, tls: web-cert}
        ---
        kind: Secret
        name: web-cert
        keys: [tls.crt, tls.key]
    """}
    docs = build(files, project=DEMO)
    assert docs[("Ingress", "web")]["spec"]["tls"][0]["secretName"] == "web-cert"


def test_template_params_may_use_the_whole_vocabulary(make_project, cli):
    make_project({
        "templates/svc.yaml": """
            kind: App
            params:
              tier: {type: string, enum: [web, data], default: web, description: the tier}
              sizes:
                type: array
                items: {type: string, pattern: "^[a-z]+$"}
                minItems: 1
                uniqueItems: true
              extra:
                type: object
                properties: {a: {type: integer, minimum: 0, maximum: 9}}
                additionalProperties: false
                x-message: "{field} must be a map of small numbers"
              mode: {anyOf: [{const: fast}, {type: integer, multipleOf: 2}], $comment: either}
            spec:
              image: ghcr.io/acme/svc:1.0.0
              labels: {tier: "${self.tier}"}
        """,
        "apps/svc.yaml": """
            kind: App
            name: svc
            use: ./templates/svc.yaml
            tier: data
            sizes: [small]
            extra: {a: 3}
            mode: 4
        """}, project=DEMO)
    r = cli("check")
    assert r.exit_code == 0, r.output


def test_every_stdlib_template_declares_its_params_well():
    from pathlib import Path

    from skyspec.layers.templates import Templates, stdlib_names

    diags = Diagnostics()
    t = Templates(Path("."), diags, Sources())
    names = stdlib_names()
    assert names
    for name in names:
        assert t.get(name, None) is not None, name
    assert not diags.items, [str(d) for d in diags.items]
