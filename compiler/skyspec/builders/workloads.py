"""The workload kinds: ``App`` (stateless), ``StatefulApp`` (with storage), ``Job`` (run to
completion) and ``CronJob`` (a Job on a schedule).

Each adds its own fields to what :mod:`skyspec.builders.pods` (every workload) and
:mod:`skyspec.builders.served` (long-running ones) provide. Nothing here compiles or
reads a project.
"""

from __future__ import annotations

from typing import Any

from ._base import _outside, _plain, _Tree
from .config import Secret, Volume
from .pods import _Workload
from .served import _Served


class App(_Served):
    """A stateless workload: ``kind: App`` (a Deployment, a Service for its ports, an Ingress
    when exposed with a host)."""

    KIND = "App"

    def autoscale(self, min_replicas: int | None = None, max_replicas: int | None = None,
                  target_cpu: int | None = None, target_memory: int | None = None, *, min: int | None = None,
                  max: int | None = None, cpu: int | None = None, memory: int | None = None) -> "App":
        """A HorizontalPodAutoscaler: ``autoscale(2, 10, target_cpu=70)``."""
        a = {k: v for k, v in (("min", min_replicas if min_replicas is not None else min),
                               ("max", max_replicas if max_replicas is not None else max),
                               ("cpu", target_cpu if target_cpu is not None else cpu),
                               ("memory", target_memory if target_memory is not None else memory)) if v is not None}
        return self._set("autoscale", a)

    def canary_percentage(self, percent: int) -> "App":
        """A canary deployment getting ``percent`` of the replicas."""
        cur = self._t.get(("strategy",))
        c = dict(cur["canary"]) if isinstance(cur, dict) and isinstance(cur.get("canary"), dict) else {}
        c["percent"] = percent
        return self._set("strategy", {"canary": c})

    def canary(self, percent: int, image: str | None = None) -> "App":
        c: dict = {"percent": percent}
        if image is not None:
            c["image"] = image
        return self._set("strategy", {"canary": c})

    def blue_green(self, active: str | None = None, preview_image: str | None = None) -> "App":
        b = {k: v for k, v in (("active", active), ("preview_image", preview_image)) if v is not None}
        return self._set("strategy", {"blue-green": b} if b else "blue-green")

    def storage(self, *args, **kwargs):
        _outside("App.storage()", "an App is stateless (its replicas share nothing)",
                 "StatefulApp(...).storage(size), or .add_volume(Volume(name).persistent_volume_claim('20Gi').mount(path))")


class StatefulApp(_Served):
    """A stateful workload: ``kind: StatefulApp`` (a StatefulSet with its storage claims,
    a headless Service)."""

    KIND = "StatefulApp"
    _CONTROLLER = "StatefulSet"
    _CLAIMS_AS_STORAGE = True

    def storage(self, size: str, mount_path: str | None = None, storage_class: str | None = None,
                name: str = "data", access_mode: str | None = None) -> "StatefulApp":
        """A persistent volume per replica: ``storage("20Gi")``, ``storage("20Gi", "/var/lib/postgresql/data",
        "fast-ssd")``. ``name`` adds further claims."""
        s: dict = {"size": size}
        for k, v in (("mount", mount_path), ("class", storage_class), ("access", access_mode)):
            if v is not None:
                s[k] = v
        return self._merge("storage", {name: s}, "storage")

    add_storage = storage

    def mount_path(self, path: str, name: str = "data") -> "StatefulApp":
        """The mount path of the primary storage."""
        return self._merge(("storage", name), {"mount": path}, "mount_path")

    def storage_class(self, storage_class: str, name: str = "data") -> "StatefulApp":
        return self._merge(("storage", name), {"class": storage_class}, "storage_class")

    def pod_management(self, policy: str) -> "StatefulApp":
        """"OrderedReady" (default) or "Parallel"."""
        p = {"parallel": "Parallel", "orderedready": "OrderedReady", "ordered": "OrderedReady"}.get(
            policy.lower().replace("_", "").replace("-", ""), policy) if isinstance(policy, str) else policy
        return self._set("pod_management", p)

    def use(self, template: str, version: str | None = None, **params: Any) -> "StatefulApp":
        """A stdlib template (image, ports, probes, data path): ``use("postgres", "16")``;
        further keywords set the template's parameters (``use("postgres", database="shop")``)."""
        self._set("use", template)
        if version is not None:
            self._set("version", version)
        for k, v in params.items():
            self.credentials(v) if k == "credentials" else self._set(k, v)
        return self

    def credentials(self, secret: "Secret | str") -> "StatefulApp":
        """The Secret holding the server's password, for a `use:` template that takes
        `credentials` (its key `password`): ``credentials(Secret("pg").keys("password"))``;
        a Secret builder given here comes along."""
        if isinstance(secret, Secret):
            self._attach(secret)
        elif not isinstance(secret, str):
            raise TypeError(f"credentials() expects a Secret or its name, got {type(secret).__name__}")
        return self._set("credentials", secret)

    # `backup:` and `config:` are consumed by the stdlib `use:` templates; on a spec without
    # one the compiler reports the key at the line that set it.
    def backup_schedule(self, schedule: str) -> "StatefulApp":
        return self._merge("backup", {"schedule": schedule}, "backup_schedule")

    def backup_retention(self, days: int) -> "StatefulApp":
        return self._merge("backup", {"retention": days}, "backup_retention")

    def backup_location(self, location: str) -> "StatefulApp":
        return self._merge("backup", {"location": location}, "backup_location")

    def postgres_config(self, settings: dict) -> "StatefulApp":
        return self._merge("config", settings, "postgres_config")

    def mysql_config(self, settings: dict) -> "StatefulApp":
        return self._merge("config", settings, "mysql_config")

    def redis_config(self, settings: dict) -> "StatefulApp":
        return self._merge("config", settings, "redis_config")

    def kafka_config(self, settings: dict) -> "StatefulApp":
        return self._merge("config", settings, "kafka_config")

    def enable_point_in_time_recovery(self, *args, **kwargs):
        _outside("point-in-time recovery", "it needs a backup operator that archives the database's write-ahead "
                 "log", "an operator such as CloudNativePG (its Cluster object via Resource(...).manifest(...))")

    point_in_time_recovery = enable_point_in_time_recovery

    def _document(self, members: set[int]) -> _Tree:
        t = super()._document(members)
        st = t.get(("storage",))
        if isinstance(st, dict):
            for name, s in st.items():
                if isinstance(s, dict) and list(s) == ["size"]:
                    st[name] = s["size"]
                    if ("storage", name, "size") in t.at:
                        t.at[("storage", name)] = t.at[("storage", name, "size")]
                    t._forget(("storage", name, "size"))
        return t

    def _volume_into(self, t: _Tree, v: Volume, pos: tuple) -> None:
        if v._claim_size is None:
            return super()._volume_into(t, v, pos)
        size, cls, access, cpos = v._claim_size
        s: dict = {"size": size}
        mount = v._t.get(("mount",))
        for k, x in (("mount", mount), ("class", cls), ("access", access)):
            if x is not None:
                s[k] = x
        t.set(("storage", v.name), _plain(s, "storage"), pos)
        t.at[("storage", v.name, "size")] = cpos
        if ("mount",) in v._t.at:
            t.at[("storage", v.name, "mount")] = v._t.at[("mount",)]


class Job(_Workload):
    """A batch workload run to completion: ``kind: Job``."""

    KIND = "Job"

    def completions(self, n: int) -> "Job":
        return self._set("completions", n)

    def parallelism(self, n: int) -> "Job":
        return self._set("parallelism", n)

    def backoff_limit(self, n: int) -> "Job":
        return self._set("backoff_limit", n)

    retry_limit = backoff_limit

    def active_deadline(self, seconds: int) -> "Job":
        return self._set("active_deadline", seconds)

    active_deadline_seconds = active_deadline
    timeout = active_deadline

    def ttl(self, seconds: int) -> "Job":
        """Delete the finished Job after this many seconds."""
        return self._set("ttl", seconds)

    ttl_seconds_after_finished = ttl

    def restart_policy(self, policy: str) -> "Job":
        """"OnFailure" (default) or "Never"."""
        p = {"onfailure": "OnFailure", "never": "Never"}.get(policy.lower().replace("_", "").replace("-", ""), policy) \
            if isinstance(policy, str) else policy
        return self._set("restart", p)


class CronJob(Job):
    """A Job on a schedule: ``kind: CronJob``."""

    KIND = "CronJob"

    def __init__(self, name: str, schedule: str | None = None):
        super().__init__(name)
        if schedule is not None:
            self._set("schedule", schedule)

    def schedule(self, schedule: str) -> "CronJob":
        return self._set("schedule", schedule)

    def time_zone(self, tz: str) -> "CronJob":
        return self._set("time_zone", tz)

    timezone = time_zone

    def concurrency_policy(self, policy: str) -> "CronJob":
        """"Allow", "Forbid" or "Replace"."""
        return self._set("concurrency", policy.capitalize() if isinstance(policy, str) else policy)

    concurrency = concurrency_policy

    def history(self, successful: int | None = None, failed: int | None = None) -> "CronJob":
        h = {k: v for k, v in (("successful", successful), ("failed", failed)) if v is not None}
        return self._merge("history", h, "history")

    def successful_jobs_history_limit(self, n: int) -> "CronJob":
        return self._merge("history", {"successful": n}, "successful_jobs_history_limit")

    def failed_jobs_history_limit(self, n: int) -> "CronJob":
        return self._merge("history", {"failed": n}, "failed_jobs_history_limit")

    def suspend(self, suspended: bool = True) -> "CronJob":
        return self._set("suspend", suspended)

    def starting_deadline(self, seconds: int) -> "CronJob":
        return self._set("starting_deadline", seconds)

    starting_deadline_seconds = starting_deadline
