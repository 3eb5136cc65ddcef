"""skyspec: a compiler for deployment specs.

Specs (YAML, TOML or Python builders) are layered per environment, checked against typed
schemas, lowered into an IR, optimized by passes and emitted as Kubernetes manifests,
a Compose file, a Helm chart and a Kustomize tree.

The package imports nothing of itself: the public Python API (the builders of
:mod:`skyspec.api`) is loaded on first use of one of its names (PEP 562), so that
``import skyspec`` or importing any submodule stays cheap.
"""

__version__ = "0.1.0"

__all__ = [
    "App", "StatefulApp", "Job", "CronJob", "ConfigMap", "Secret", "ServiceAccount", "Role", "ClusterRole",
    "NetworkPolicy", "SecurityPolicy", "Observability", "Resource", "Volume", "AppGroup", "Generated",
    "SpecError", "SkyspecWarning", "Plugin", "CostOptimization", "CustomResource", "Service",
]
_API_NAMES = frozenset(__all__)


def __getattr__(name: str):
    if name in _API_NAMES:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'skyspec' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API_NAMES)
