"""IR: typed model of the system for one environment, and the lowering from specs into it."""

from .model import IR, Container, Context, EnvVar, Exposure, Port, Probe, Resources, Workload

__all__ = ["IR", "Container", "Context", "EnvVar", "Exposure", "Port", "Probe", "Resources", "Workload"]
