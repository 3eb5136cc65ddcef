"""skyspec: a compiler for deployment specs.

Specs (YAML, TOML or Python builders) are layered per environment, checked against typed
schemas, lowered into an IR, optimized by passes and emitted as Kubernetes manifests,
a Compose file, a Helm chart and a Kustomize tree.
"""

__version__ = "0.1.0"
