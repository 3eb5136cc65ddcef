"""Backends: one module (or package) per output format — kubernetes, compose, helm,
kustomize — each exposing `render(irs) -> {relative path: text}` and optionally `check(irs,
diags)`. A backend is a pure function of the IR: it must not read specs, files or the
environment, and it must not change the IR."""
