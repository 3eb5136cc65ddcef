"""The Python builders, with Celestra's vocabulary (``App``, ``StatefulApp``, ``.image()``,
``.port()``...): each produces a *spec document*, the plain dict a YAML spec file holds,
positioned at the user's Python calls.

- :mod:`.positions`: the user's call position, captured by every builder method;
- :mod:`._base`: the document under construction, the builder base class, ``Resource``,
  closures and positioned documents;
- :mod:`.config` (ConfigMap, Secret, Volume), :mod:`.access` (ServiceAccount, Role,
  ClusterRole, NetworkPolicy, SecurityPolicy), :mod:`.observability` (Observability);
- :mod:`.pods` and :mod:`.served` (what workloads share), :mod:`.workloads` (App,
  StatefulApp, Job, CronJob);
- :mod:`.groups` (AppGroup, and the Celestra classes outside the language);
- :mod:`.load`: the front end of ``.py`` spec files.

The builders produce documents only: they import nothing above the frontend (never the
layers, schemas, project, pipeline, output or backends). Compiling them is
:mod:`skyspec.generate`'s; the public names are re-exported by :mod:`skyspec.api`.
"""
