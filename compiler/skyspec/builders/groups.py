"""Builders compiled together, and the Celestra names outside the language.

- ``AppGroup``: a set of builders compiled together (``AppGroup("shop").add([...]).generate()``).
- ``Plugin``, ``CostOptimization``, ``CustomResource``, ``Service``: Celestra classes that
  skyspec does not have; creating one raises ``NotImplementedError`` saying why and what
  to use instead, so that nothing is silently dropped.

Nothing here compiles: ``generate()`` goes through :func:`skyspec.builders._base._generated`.
"""

from __future__ import annotations

from ._base import _closure, _Doc, _documents, _generated, _Group, _listify, _outside


class AppGroup(_Group):
    """A set of builders compiled together: ``AppGroup("shop").add([db, api, web]).generate()``."""

    def __init__(self, name: str):
        self.name = name
        self._members: list = []
        self._namespace = "default"

    def __repr__(self) -> str:
        return f"AppGroup({self.name!r}, {len(self._members)} members)"

    def add(self, *builders) -> "AppGroup":
        for b in _listify(builders):
            if not isinstance(b, (_Doc, AppGroup)):
                raise TypeError(f"AppGroup.add() expects builders, got {type(b).__name__}")
            if all(m is not b for m in self._members):
                self._members.append(b)
        return self

    add_app = add
    add_apps = add

    def namespace(self, namespace: str) -> "AppGroup":
        """The namespace of the generated objects (default ``default``)."""
        self._namespace = namespace
        return self

    @property
    def members(self) -> list:
        return list(self._members)

    def documents(self) -> list[dict]:
        return _documents(_closure([self]))

    def generate(self):
        """Compile the group: a :class:`skyspec.generate.Generated`."""
        return _generated(self.name, [self], self._namespace)


class Plugin:
    """Celestra plugins are outside the language: instantiating one raises NotImplementedError."""

    def __init__(self, *args, **kwargs):
        _outside("Plugin", "skyspec has no plugin hooks; every change must be visible in a spec's history",
                 "an overlay (overlays/<env>.yaml: `all`, `match`, `apps`) or a builder's .k8s(kind, patch)")


class CostOptimization:
    def __init__(self, *args, **kwargs):
        _outside("CostOptimization", "skyspec does not optimize a running cluster",
                 "`skyspec cost` reports the monthly cost per workload from the project's prices, and an "
                 "environment's `budget:` fails the build when it is exceeded")


class CustomResource:
    def __init__(self, *args, **kwargs):
        _outside("CustomResource", "a custom resource needs its apiVersion and full body, which field-by-field "
                 "builders cannot check", "Resource(name).manifest({'apiVersion': ..., 'kind': ..., 'spec': {...}})")


class Service:
    def __init__(self, *args, **kwargs):
        _outside("Service", "a workload's Service is generated from its ports and .expose()",
                 ".expose(type='NodePort', port='http'), or Resource(name).manifest({...}) for another Service")
