"""Provenance queries: where a value came from (`skyspec explain`).

- A spec value, `api.replicas` (or `App/api.env.LOG_LEVEL`, `api.labels["app.kubernetes.io/x"]`):
  its final value and its history through the layers, read from the
  :class:`~skyspec.layers.merge.Prov` tree (:mod:`.values`).
- A generated manifest field, `Deployment/api:spec.replicas`: the spec values it was lowered
  from (each with its history), or the rule that derived it (recorded by the lowering or a
  pass as a :class:`~skyspec.ir.why.Why`, or stated for the backend's structure by
  :mod:`.structure`), each input unfolded down to the lines people wrote and the documented
  defaults (:mod:`.fields`, :mod:`.pod`, :mod:`.other`, :mod:`.derive`).
- An absent object or field, `--why-not HorizontalPodAutoscaler/api`: the rule that would
  make it and the condition that was not met, with the value that decided it (:mod:`.whynot`).

:mod:`.path` spells paths, :mod:`.query` answers a query string, :mod:`.render` formats the
answer. This package sits above the pipeline and its backends and below the commands: it must
not import skyspec.commands, skyspec.cli, skyspec.api or skyspec.generate. This file only
names what callers use; it holds no code.
"""

from .derive import leaves, unfold
from .fields import GENERATED, Trace, trace
from .path import parse_path, show_path
from .query import QueryError, answer, explain_field
from .render import render_text
from .values import Answer, Step, explain_spec, spec_index

__all__ = ["GENERATED", "Answer", "QueryError", "Step", "Trace", "answer", "explain_field", "explain_spec", "leaves",
           "parse_path", "render_text", "show_path", "spec_index", "trace", "unfold"]
