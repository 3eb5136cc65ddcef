"""Python builders for skyspec spec documents, with Celestra's vocabulary.

Builders produce *spec documents* - the plain dicts a YAML spec file would hold - never
Kubernetes objects; they go through the same compiler (layers, schemas, IR, passes,
backends) as YAML and TOML specs::

    from skyspec import App, StatefulApp

    db = StatefulApp("postgres").image("postgres:16").port(5432, "postgres").storage("20Gi")
    api = (App("api").image("ghcr.io/acme/api:1.4.2").port(8080).replicas(2)
           .resources(cpu="250m", memory="256Mi").health_check("/healthz").connect_to([db]).expose())
    api.generate().to_yaml("./k8s/")

Every value a builder sets remembers the position of the user's call that set it (the
first frame outside skyspec: file, line and, on Python 3.11+, the column of the method
name), so a diagnostic points at the user's Python line, e.g. ``replicas("three")``.

Two ways to compile builders:

* ``builder.generate()`` / ``AppGroup(...).generate()`` compiles in memory, with a
  synthetic project (one environment, ``default``; namespace ``default``), and writes
  Kubernetes manifests, a Compose file, a Helm chart, Kustomize, or the spec documents;
* a ``.py`` file listed in a project's ``specs`` globs: ``skyspec build`` runs it and
  every builder created in it is a spec document (see :mod:`skyspec.builders.load`).

Celestra features that the language does not have raise ``NotImplementedError`` saying
why and what to use instead; nothing is silently dropped. docs/python-api.md has the
whole surface.

This module is the public facade and holds nothing else: the builders live in
:mod:`skyspec.builders` (one module per family of kinds), compiling and writing in
:mod:`skyspec.generate`. Their public classes are shown as ``skyspec.api.<name>``.
"""

from __future__ import annotations

from .builders._base import Resource
from .builders.access import ClusterRole, NetworkPolicy, Role, SecurityPolicy, ServiceAccount
from .builders.config import ConfigMap, Secret, Volume
from .builders.groups import AppGroup, CostOptimization, CustomResource, Plugin, Service
from .builders.observability import Observability
from .builders.workloads import App, CronJob, Job, StatefulApp
from .generate import Generated, SkyspecWarning, SpecError

__all__ = [
    "App", "StatefulApp", "Job", "CronJob", "ConfigMap", "Secret", "ServiceAccount", "Role", "ClusterRole",
    "NetworkPolicy", "SecurityPolicy", "Observability", "Resource", "Volume", "AppGroup", "Generated",
    "SpecError", "SkyspecWarning", "Plugin", "CostOptimization", "CustomResource", "Service",
]

# the public name of each class (reprs, tracebacks, help()) is the one users import
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
