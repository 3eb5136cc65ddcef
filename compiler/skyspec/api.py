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
  every builder created in it is a spec document (see :mod:`skyspec.frontend.pybuild`).

Celestra features that the language does not have raise ``NotImplementedError`` saying
why and what to use instead; nothing is silently dropped. docs/python-api.md has the
whole surface.
"""

from __future__ import annotations

import copy
import difflib
import functools
import inspect
import linecache
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any, Iterable

__all__ = [
    "App", "StatefulApp", "Job", "CronJob", "ConfigMap", "Secret", "ServiceAccount", "Role", "ClusterRole",
    "NetworkPolicy", "SecurityPolicy", "Observability", "Resource", "Volume", "AppGroup", "Generated",
    "SpecError", "SkyspecWarning", "Plugin", "CostOptimization", "CustomResource", "Service",
]

_PKG = os.path.dirname(os.path.abspath(__file__))
_DNS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUANTITY = re.compile(r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")


class SpecError(Exception):
    """The specs built in Python have errors. ``str(e)`` is the rendered diagnostics (with
    the user's Python lines as code frames); ``e.diagnostics`` holds them one by one."""

    def __init__(self, message: str, diagnostics: list | None = None):
        super().__init__(message)
        self.diagnostics = list(diagnostics or [])


class SkyspecWarning(UserWarning):
    """A compiler warning about a Python-built spec, issued at the user's line."""


# ---------------------------------------------------------------------------- positions
#
# A position is recorded raw, as (filename, line, col, end) with the code object's file
# name; it becomes a diagnostics Pos (with the file as shown to the user) only when a
# document is made.

_tls = threading.local()
_INTERNAL: dict[str, bool] = {}
_POSITIONS: dict = {}


def _internal(filename: str) -> bool:
    r = _INTERNAL.get(filename)
    if r is None:
        a = os.path.abspath(filename)
        r = _INTERNAL[filename] = a == _PKG or a.startswith(_PKG + os.sep)
    return r


def _span(code, lasti: int, line: int) -> tuple[int, int, int] | None:
    """The instruction's (start col, end col or -1, end line), 0-based UTF-8 byte columns,
    when it starts on ``line`` (Python 3.11+); None otherwise."""
    try:
        table = _POSITIONS.get(code)
        if table is None:
            if len(_POSITIONS) > 512:
                _POSITIONS.clear()
            table = _POSITIONS[code] = list(code.co_positions())
        l0, l1, c0, c1 = table[lasti // 2]
    except (AttributeError, IndexError, TypeError):
        return None
    if l0 != line or c0 is None:
        return None
    return c0, (c1 if l1 == line and c1 is not None else -1), l1


def _chars(text: str, byte_col: int) -> int:
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


def _frame_pos(code, lasti: int, line: int, name: str | None = None, ctor: bool = False) -> tuple:
    """(file, line, col, end) of the call executing at ``lasti``; with ``name``, the column
    of that method (or class) name in the line, else the column the instruction starts at."""
    file = code.co_filename
    sp = _span(code, lasti, line)
    if sp is None:
        return (file, line, 1, 0)
    c0, c1, _ = sp
    text = linecache.getline(file, line)
    if not text:
        return (file, line, c0 + 1, c1 + 1 if c1 >= 0 else 0)
    start, stop = _chars(text, c0), (_chars(text, c1) if c1 >= 0 else len(text.rstrip("\r\n")))
    if name:
        needle = f"{name}(" if ctor else f".{name}("
        i = text.rfind(needle, max(0, start - 1), stop)
        if i >= 0:
            col = i if ctor else i + 1
            return (file, line, col + 1, stop + 1 if c1 >= 0 else col + len(name) + 1)
    return (file, line, start + 1, stop + 1 if c1 >= 0 else 0)


def _capture(name: str | None, ctor: bool = False, frame=None) -> tuple:
    """The position of the user's call: the first frame outside the skyspec package."""
    f = frame if frame is not None else sys._getframe(1)
    while f is not None and _internal(f.f_code.co_filename):
        f = f.f_back
    if f is None:  # pragma: no cover - only skyspec on the stack
        return ("<python>", 1, 1, 0)
    return _frame_pos(f.f_code, f.f_lasti, f.f_lineno, name, ctor)


def _here() -> tuple:
    """The position of the public call being executed (set by the method wrapper)."""
    pos = getattr(_tls, "pos", None)
    return pos if pos is not None else _capture(None)


def _recorded(fn, name: str):
    """A public builder method: the values it sets get the position of the user's call. A
    call made by skyspec itself (one method using another) keeps the outer call's position."""

    @functools.wraps(fn)
    def call(self, *args, **kwargs):
        old = getattr(_tls, "pos", None)
        caller = sys._getframe(1)
        if old is not None and _internal(caller.f_code.co_filename):
            return fn(self, *args, **kwargs)
        _tls.pos = _capture(name, frame=caller)
        try:
            return fn(self, *args, **kwargs)
        finally:
            _tls.pos = old

    call._sky_wrapped = True  # type: ignore[attr-defined]
    return call


def _recorded_init(fn):
    """A constructor: the document's position is where the user created it (``App("api")``);
    the constructors of base classes run under the same position."""

    @functools.wraps(fn)
    def init(self, *args, **kwargs):
        if getattr(_tls, "init_of", None) is self:
            return fn(self, *args, **kwargs)
        old, old_self = getattr(_tls, "pos", None), getattr(_tls, "init_of", None)
        caller = sys._getframe(1)
        if old is None or not _internal(caller.f_code.co_filename):
            _tls.pos = _capture(type(self).__name__, ctor=True, frame=caller)
        _tls.init_of = self
        try:
            return fn(self, *args, **kwargs)
        finally:
            _tls.pos, _tls.init_of = old, old_self

    init._sky_wrapped = True  # type: ignore[attr-defined]
    return init


def _unrecorded(fn):
    """Methods that set nothing (output, inspection): no position capture."""
    fn._sky_wrapped = True
    return fn


class _Recorder:
    """Wraps every public method (and the constructor) of a subclass so that what it sets
    records the user's call position."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for attr, fn in list(vars(cls).items()):
            if not inspect.isfunction(fn) or getattr(fn, "_sky_wrapped", False):
                continue
            if attr == "__init__":
                setattr(cls, attr, _recorded_init(fn))
            elif not attr.startswith("_"):
                setattr(cls, attr, _recorded(fn, attr))

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(attr)
        names = [n for n in dir(type(self)) if not n.startswith("_")]
        close = difflib.get_close_matches(attr, names, n=1, cutoff=0.7)
        hint = f'; did you mean "{close[0]}"?' if close else "; see docs/python-api.md for the supported methods"
        raise AttributeError(f"{type(self).__name__} has no method {attr!r}{hint}")


# ---------------------------------------------------------------------------- data with positions

def _plain(value: Any, what: str) -> Any:
    """A copy of ``value`` made of plain data (what a YAML file could hold)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{what}: keys must be strings, got {k!r}")
            out[k] = _plain(v, f"{what}.{k}")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, what) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v, what) for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, _Doc):
        return value.name
    raise TypeError(f"{what}: a {type(value).__name__} cannot be part of a spec (use str, int, float, bool, "
                    f"list or dict)")


class _Tree:
    """A spec document under construction: plain data and, per path, the raw position of
    the call that set it. A value with no position of its own inherits its parent's."""

    __slots__ = ("data", "at")

    def __init__(self, data: dict, at: dict):
        self.data = data
        self.at = at

    def copy(self) -> "_Tree":
        return _Tree(copy.deepcopy(self.data), dict(self.at))

    def get(self, path: tuple, default: Any = None) -> Any:
        d: Any = self.data
        for k in path:
            if not isinstance(d, dict) or k not in d:
                return default
            d = d[k]
        return d

    def _forget(self, path: tuple) -> None:
        n = len(path)
        for p in [p for p in self.at if len(p) >= n and p[:n] == path]:
            del self.at[p]

    def _parent(self, path: tuple, pos: tuple) -> dict:
        d = self.data
        for i, k in enumerate(path[:-1]):
            nxt = d.get(k)
            if not isinstance(nxt, dict):
                nxt = d[k] = {}
                self._forget(path[:i + 1])
                self.at[path[:i + 1]] = pos
            d = nxt
        return d

    def set(self, path: tuple, value: Any, pos: tuple) -> None:
        self._parent(path, pos)[path[-1]] = value
        self._forget(path)
        self.at[path] = pos

    def setdefault_pos(self, path: tuple, pos: tuple) -> None:
        self.at.setdefault(path, pos)

    def append(self, path: tuple, item: Any, pos: tuple) -> None:
        parent = self._parent(path, pos)
        lst = parent.get(path[-1])
        if not isinstance(lst, list):
            lst = parent[path[-1]] = []
            self._forget(path)
            self.at[path] = pos
        lst.append(item)
        self.at[path + (len(lst) - 1,)] = pos

    def delete(self, path: tuple) -> None:
        parent = self.get(path[:-1])
        if isinstance(parent, dict) and path[-1] in parent:
            del parent[path[-1]]
            self._forget(path)

    def move(self, src: tuple, dst: tuple) -> None:
        """Re-key the positions under ``src`` to ``dst`` (data already moved by the caller)."""
        n = len(src)
        moved = {dst + p[n:]: v for p, v in self.at.items() if len(p) >= n and p[:n] == src}
        self._forget(src)
        self.at.update(moved)

    def loc(self, conv):
        from .frontend.loc import Loc

        def build(v: Any, path: tuple, inherited):
            raw = self.at.get(path)
            pos = conv(raw) if raw is not None else inherited
            if isinstance(v, dict):
                keys, kids = {}, {}
                for k, x in v.items():
                    kr = self.at.get(path + (k,))
                    keys[k] = conv(kr) if kr is not None else pos
                    kids[k] = build(x, path + (k,), pos)
                return Loc(pos, keys, kids)
            if isinstance(v, list):
                return Loc(pos, None, [build(x, path + (i,), pos) for i, x in enumerate(v)])
            return Loc(pos)

        return build(self.data, (), conv(self.at[()]))


# ---------------------------------------------------------------------------- registry (for pybuild)

_COLLECTORS: list[list] = []
_LOADING = [0]   # > 0 while pybuild runs a spec file: generate().to_*() write nothing


def _register(b: Any) -> None:
    if _COLLECTORS:
        _COLLECTORS[-1].append(b)


def _outside(what: str, why: str, instead: str) -> None:
    raise NotImplementedError(f"{what} is outside the skyspec language: {why}. Instead: {instead}")


def _name_of(x: Any, what: str) -> str:
    if isinstance(x, _Doc):
        return x.name
    if isinstance(x, str):
        return x
    raise TypeError(f"{what}: expected a name or a builder, got {type(x).__name__}")


def _listify(args: tuple) -> list:
    """``f([a, b])``, ``f(a, b)`` and ``f(a)`` alike."""
    if len(args) == 1 and isinstance(args[0], (list, tuple, set, frozenset)):
        return list(args[0])
    return list(args)


# ---------------------------------------------------------------------------- documents

class _Doc(_Recorder):
    """A builder of one spec document."""

    KIND = ""

    def __init__(self, name: str):
        pos = _here()
        self._pos0 = pos
        self._t = _Tree({"kind": self.KIND, "name": name}, {(): pos, ("kind",): pos, ("name",): pos})
        self._envs: list[tuple[str, tuple]] = []
        if not getattr(_tls, "internal", False):
            _register(self)

    @property
    def name(self) -> str:
        return self._t.data["name"]

    @property
    def kind(self) -> str:
        return self._t.data["kind"]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # -- helpers
    def _set(self, path: tuple | str, value: Any) -> "_Doc":
        path = (path,) if isinstance(path, str) else path
        self._t.set(path, _plain(value, ".".join(map(str, path))), _here())
        return self

    def _merge(self, path: tuple | str, mapping: dict | None, what: str) -> "_Doc":
        path = (path,) if isinstance(path, str) else path
        if mapping is None:
            return self
        if not isinstance(mapping, dict):
            raise TypeError(f"{what}() expects a dict, got {type(mapping).__name__}")
        pos = _here()
        for k, v in mapping.items():
            if not isinstance(k, str):
                raise TypeError(f"{what}(): keys must be strings, got {k!r}")
            self._t.set(path + (k,), _plain(v, f"{'.'.join(path)}.{k}"), pos)
        return self

    def _related(self) -> list["_Doc"]:
        return []

    def _document(self, members: set[int]) -> _Tree:
        return self._t.copy()

    # -- common to every kind
    def namespace(self, namespace: str) -> "_Doc":
        """Deploy into this namespace instead of the project's."""
        return self._set("namespace", namespace)

    def add_label(self, key: str, value: str) -> "_Doc":
        return self._merge("labels", {key: value}, "add_label")

    def add_labels(self, labels: dict) -> "_Doc":
        return self._merge("labels", labels, "add_labels")

    labels = add_labels

    def add_annotation(self, key: str, value: str) -> "_Doc":
        return self._merge("annotations", {key: value}, "add_annotation")

    def add_annotations(self, annotations: dict) -> "_Doc":
        return self._merge("annotations", annotations, "add_annotations")

    annotations = add_annotations

    def for_environment(self, *environments: str) -> "_Doc":
        """Only in these environments of ``generate()`` (each name becomes an environment of
        the synthetic project). A project build refuses it: environments differ by overlays."""
        names = _listify(environments)
        if not names:
            raise TypeError("for_environment() needs an environment name")
        pos = _here()
        for e in names:
            if not isinstance(e, str) or not _DNS.match(e) or len(e) > 63:
                raise ValueError(f"for_environment({e!r}): an environment name is a DNS-1123 label "
                                 "(lower-case letters, digits and '-'), e.g. 'production'")
            if e not in [n for n, _ in self._envs]:
                self._envs.append((e, pos))
        return self

    @_unrecorded
    def to_dict(self) -> dict:
        """This builder's spec document, as a YAML spec file would hold it."""
        members = {id(b) for b in _closure([self])}
        return self._document(members).data

    @_unrecorded
    def documents(self) -> list[dict]:
        """This builder's document and those of everything attached to it."""
        return _documents(_closure([self]))

    @_unrecorded
    def generate(self) -> "Generated":
        """Compile this builder and everything attached to it (secrets, configs, roles, the
        workloads it connects to as builders): see :class:`Generated`."""
        return Generated(self.name, [self])


class Resource(_Doc):
    """Escape hatch: any Kubernetes object, written as-is (``kind: Resource``)."""

    KIND = "Resource"

    def __init__(self, name: str, manifest: dict | None = None):
        super().__init__(name)
        if manifest is not None:
            self._set("manifest", manifest)

    def manifest(self, manifest: dict) -> "Resource":
        return self._set("manifest", manifest)


# ---------------------------------------------------------------------------- config and secrets

class _Mountable(_Doc):
    def __init__(self, name: str):
        super().__init__(name)
        self._mount: tuple | None = None   # (path, read_only, pos)

    def mount(self, path: str, read_only: bool | None = None) -> "_Mountable":
        """Mount it as files at ``path`` in the workloads it is added to (instead of loading
        its keys as environment variables)."""
        self._mount = (_plain(path, "mount"), read_only, _here())
        return self


class ConfigMap(_Mountable):
    """Configuration data: ``kind: ConfigMap``."""

    KIND = "ConfigMap"

    def add(self, key: str, value: Any) -> "ConfigMap":
        return self._merge("data", {key: value}, "add")

    def add_data(self, data: dict) -> "ConfigMap":
        return self._merge("data", data, "add_data")

    data = add_data

    def add_json(self, key: str, value: Any) -> "ConfigMap":
        """An entry rendered as JSON (a string is taken as JSON text already)."""
        if isinstance(value, str):
            return self._merge("data", {key: value}, "add_json")
        return self._merge("json", {key: value}, "add_json")

    def add_yaml(self, key: str, value: Any) -> "ConfigMap":
        """An entry rendered as YAML (a string is taken as YAML text already)."""
        if isinstance(value, str):
            return self._merge("data", {key: value}, "add_yaml")
        return self._merge("yaml", {key: value}, "add_yaml")

    def from_file(self, key: str, path: str | os.PathLike | None = None) -> "ConfigMap":
        """An entry read from a file at compile time: ``from_file("nginx.conf", "configs/nginx.conf")``,
        or ``from_file("configs/nginx.conf")`` (the key is the file name). Relative paths are
        relative to the project folder (``skyspec build``) or the working directory (``generate()``)."""
        if path is None:
            path, key = key, os.path.basename(os.fspath(key))
        return self._merge("files", {key: os.fspath(path)}, "from_file")


class Secret(_Mountable):
    """A reference to secret data: ``kind: Secret``. skyspec never writes secret values:
    ``.add(k, v)`` literal values compile with a warning (an error in protected
    environments) and must be supplied at deploy time; prefer ``.keys([...])``,
    ``.from_existing()`` or ``.external(store, data)``."""

    KIND = "Secret"

    def add(self, key: str, value: str) -> "Secret":
        return self._merge("data", {key: value}, "add")

    def add_data(self, data: dict) -> "Secret":
        return self._merge("data", data, "add_data")

    def from_file(self, key: str, path: str | os.PathLike | None = None) -> "Secret":
        """A literal value read from a file now (``from_file("password", "secrets/pw.txt")``
        or ``from_file("cert.pem")``): the same rules as ``.add``, never written to output."""
        if path is None:
            path, key = key, os.path.basename(os.fspath(key))
        with open(os.fspath(path), encoding="utf-8", errors="replace") as fh:
            value = fh.read()
        return self._merge("data", {key: value}, "from_file")

    def keys(self, *keys: str) -> "Secret":
        """Keys supplied at deploy time (the Secret is created outside skyspec)."""
        pos = _here()
        for k in _listify(keys):
            if k not in (self._t.get(("keys",)) or []):
                self._t.append(("keys",), _plain(k, "keys"), pos)
        return self

    add_keys = keys

    def from_existing(self) -> "Secret":
        """The Secret already exists in the cluster: nothing is generated."""
        return self._set("existing", True)

    existing = from_existing

    def external(self, store: str, data: dict, store_kind: str | None = None,
                 refresh: str | None = None) -> "Secret":
        """Fetched by the External Secrets operator from ``store``: ``data`` maps each key to
        its remote reference."""
        ext: dict = {"store": store, "data": data}
        if store_kind is not None:
            ext["store_kind"] = store_kind
        if refresh is not None:
            ext["refresh"] = refresh
        return self._set("external", ext)

    def type(self, secret_type: str) -> "Secret":
        return self._set("type", secret_type)

    secret_type = type


# ---------------------------------------------------------------------------- security kinds

class ServiceAccount(_Doc):
    KIND = "ServiceAccount"

    def automount_token(self, enabled: bool = True) -> "ServiceAccount":
        return self._set("automount_token", enabled)

    automount_service_account_token = automount_token


_VERB_GROUPS = {
    "read": ["get", "list", "watch"], "view": ["get", "list", "watch"],
    "write": ["create", "update", "patch", "delete"],
    "edit": ["get", "list", "watch", "create", "update", "patch", "delete"],
    "admin": ["*"], "all": ["*"],
}


class Role(_Doc):
    """RBAC rules (``kind: Role``), bound to the service accounts of the workloads it is
    added to (and to any named with ``.bind()``)."""

    KIND = "Role"

    def __init__(self, name: str):
        super().__init__(name)
        self._owners: list[tuple["_Workload", tuple]] = []

    def add_policy(self, verbs: str | list, resources: str | list, api_group: str | list = "",
                   names: list | None = None) -> "Role":
        """``add_policy("get", "pods")``, ``add_policy(["get", "list"], ["pods", "services"])``,
        ``add_policy("read", "deployments", api_group="apps")``. "read"/"view" mean get, list
        and watch; "write" create, update, patch and delete; "edit" both; "admin"/"all" ``*``."""
        vs: list = []
        for v in ([verbs] if isinstance(verbs, str) else list(verbs)):
            for x in _VERB_GROUPS.get(v, [v]) if isinstance(v, str) else [v]:
                if x not in vs:
                    vs.append(x)
        rule: dict = {}
        groups = [api_group] if isinstance(api_group, str) else list(api_group)
        if groups != [""]:
            rule["api_groups"] = groups
        rule["resources"] = [resources] if isinstance(resources, str) else list(resources)
        if names:
            rule["names"] = list(names)
        rule["verbs"] = vs
        self._t.append(("rules",), _plain(rule, "rules"), _here())
        return self

    add_rule = add_policy

    def bind(self, *service_accounts: str | ServiceAccount) -> "Role":
        """Grant this role to these service accounts."""
        pos = _here()
        for sa in _listify(service_accounts):
            self._t.append(("bind",), _name_of(sa, "bind"), pos)
        return self

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        have = list(t.get(("bind",)) or [])
        for w, pos in self._owners:
            if id(w) in members:
                sa = w._account_name()
                if sa is not None and sa not in have:
                    have.append(sa)
                    t.append(("bind",), sa, pos)
        return t


class ClusterRole(Role):
    KIND = "ClusterRole"


class NetworkPolicy(_Doc):
    """Which traffic may reach (or leave) pods: ``kind: NetworkPolicy``. Added to a
    workload, it selects that workload's pods."""

    KIND = "NetworkPolicy"

    def __init__(self, name: str):
        super().__init__(name)
        self._owner: tuple | None = None

    def deny_all(self) -> "NetworkPolicy":
        """Deny all traffic to and from the selected pods except what ``allow_*`` permits."""
        return self._set("deny_all", True)

    def select_app(self, app: "str | _Workload") -> "NetworkPolicy":
        return self._set("select", {"app": _name_of(app, "select_app")})

    def select_labels(self, labels: dict) -> "NetworkPolicy":
        return self._set("select", {"labels": labels})

    def _peer(self, direction: str, peer: dict) -> "NetworkPolicy":
        self._t.append((direction,), _plain(peer, direction), _here())
        return self

    def allow_pods_with_label(self, key: str, value: str) -> "NetworkPolicy":
        """Allow traffic from pods carrying this label. skyspec's pods are labelled
        ``app.kubernetes.io/name: <app>``: ``allow_from_app("api")`` matches them."""
        return self._peer("allow_from", {"labels": {key: value}})

    def allow_from_app(self, app: "str | _Workload") -> "NetworkPolicy":
        return self._peer("allow_from", {"app": _name_of(app, "allow_from_app")})

    def allow_namespace(self, namespace: str) -> "NetworkPolicy":
        return self._peer("allow_from", {"namespace": namespace})

    allow_from_namespace = allow_namespace

    def allow_cidr(self, cidr: str) -> "NetworkPolicy":
        return self._peer("allow_from", {"cidr": cidr})

    allow_from_cidr = allow_cidr

    def allow_to_app(self, app: "str | _Workload") -> "NetworkPolicy":
        return self._peer("allow_to", {"app": _name_of(app, "allow_to_app")})

    def allow_to_pods_with_label(self, key: str, value: str) -> "NetworkPolicy":
        return self._peer("allow_to", {"labels": {key: value}})

    def allow_to_namespace(self, namespace: str) -> "NetworkPolicy":
        return self._peer("allow_to", {"namespace": namespace})

    def allow_to_cidr(self, cidr: str) -> "NetworkPolicy":
        return self._peer("allow_to", {"cidr": cidr})

    def ports(self, *ports: int) -> "NetworkPolicy":
        """Limit the allowed traffic to these ports."""
        pos = _here()
        for p in _listify(ports):
            self._t.append(("ports",), _plain(p, "ports"), pos)
        return self

    allow_port = ports

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        if self._owner is not None and "select" not in t.data:
            w, pos = self._owner
            t.set(("select",), {"app": w.name}, pos)
        return t


class SecurityPolicy(_Doc):
    """Pod Security Standards for the namespace: ``kind: SecurityPolicy``."""

    KIND = "SecurityPolicy"

    def __init__(self, name: str, level: str | None = None):
        super().__init__(name)
        if level is not None:
            self._set("level", level)

    def pod_security_standards(self, level: str, mode: str | None = None) -> "SecurityPolicy":
        """"privileged", "baseline" or "restricted"; mode "enforce" (default), "audit" or "warn"."""
        self._set("level", level)
        if mode is not None:
            self._set("mode", mode)
        return self

    level = pod_security_standards

    def mode(self, mode: str) -> "SecurityPolicy":
        return self._set("mode", mode)


class Observability(_Doc):
    """Metrics scraping, logging and tracing settings for the workloads it is added to:
    ``kind: Observability``."""

    KIND = "Observability"

    def __init__(self, name: str):
        super().__init__(name)
        self._owners: list[tuple["_Workload", tuple]] = []

    def enable_metrics(self, port: int | str = "metrics", path: str = "/metrics", interval: str | None = None,
                       service_monitor: bool | None = None) -> "Observability":
        """Prometheus scraping of ``port`` (a port name of the workload, or a number) at ``path``;
        ``service_monitor=True`` adds a ServiceMonitor (prometheus-operator)."""
        m: dict = {"port": port, "path": path}
        if interval is not None:
            m["interval"] = interval
        if service_monitor is not None:
            m["service_monitor"] = service_monitor
        return self._set("metrics", m)

    def enable_logging(self, level: str = "info", format: str | None = None) -> "Observability":
        """``LOG_LEVEL`` (and ``LOG_FORMAT``) for the workloads."""
        lg: dict = {"level": level}
        if format is not None:
            lg["format"] = format
        return self._set("logging", lg)

    def enable_tracing(self, endpoint: str = "http://localhost:4317",
                       sample_rate: float | None = None) -> "Observability":
        """OpenTelemetry settings (``OTEL_EXPORTER_OTLP_ENDPOINT``...). The default endpoint is
        the OTLP default, a collector beside the pod."""
        tr: dict = {"endpoint": endpoint}
        if sample_rate is not None:
            tr["sample_rate"] = sample_rate
        return self._set("tracing", tr)

    def for_apps(self, *apps: "str | _Workload") -> "Observability":
        pos = _here()
        for a in _listify(apps):
            self._t.append(("apps",), _name_of(a, "for_apps"), pos)
        return self

    add_app = for_apps

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        have = list(t.get(("apps",)) or [])
        for w, pos in self._owners:
            if id(w) in members and w.name not in have:
                have.append(w.name)
                t.append(("apps",), w.name, pos)
        return t


# ---------------------------------------------------------------------------- volumes

class Volume(_Recorder):
    """A volume of a workload, mounted in its main container::

        Volume("cache").empty_dir(size="1Gi").mount("/cache")
        Volume("conf").config_map("app-config").mount("/etc/app", read_only=True)
        Volume("certs").secret("tls").mount("/etc/tls")
        Volume("uploads").persistent_volume_claim("uploads").mount("/srv/uploads")   # an existing claim
        Volume("data").persistent_volume_claim("20Gi").mount("/data")                # a new claim of 20Gi
    """

    def __init__(self, name: str, mount_path: str | None = None):
        pos = _here()
        self.name = name
        self._t = _Tree({}, {(): pos})
        self._source: Any = None     # a ConfigMap/Secret builder to include in the closure
        self._claim_size: tuple | None = None   # (size, class, access, pos)
        if mount_path is not None:
            self._t.set(("mount",), _plain(mount_path, "mount"), pos)

    def __repr__(self) -> str:
        return f"Volume({self.name!r})"

    def _clear(self) -> None:
        for k in ("empty", "config", "secret", "claim"):
            self._t.delete((k,))
        self._claim_size = None
        self._source = None

    def _kind(self, key: str, value: Any) -> "Volume":
        self._clear()
        self._t.set((key,), _plain(value, key), _here())
        return self

    def empty_dir(self, size: str | None = None, memory: bool = False) -> "Volume":
        e: dict = {}
        if memory:
            e["memory"] = True
        if size is not None:
            e["size"] = size
        return self._kind("empty", e or True)

    def config_map(self, config: "str | ConfigMap") -> "Volume":
        self._kind("config", _name_of(config, "config_map"))
        self._source = config if isinstance(config, ConfigMap) else None
        return self

    def secret(self, secret: "str | Secret") -> "Volume":
        self._kind("secret", _name_of(secret, "secret"))
        self._source = secret if isinstance(secret, Secret) else None
        return self

    def persistent_volume_claim(self, claim_or_size: str, storage_class: str | None = None,
                                access_mode: str | None = None) -> "Volume":
        """An existing claim by name, or a new claim of that size (``"20Gi"``): a
        StatefulApp gets it as ``storage``, other workloads get a PersistentVolumeClaim."""
        size = isinstance(claim_or_size, str) and _QUANTITY.match(claim_or_size) and not _DNS.match(claim_or_size) \
            or isinstance(claim_or_size, (int, float)) and not isinstance(claim_or_size, bool)
        if size:
            self._clear()
            self._claim_size = (claim_or_size, storage_class, access_mode, _here())
            return self
        if storage_class is not None or access_mode is not None:
            raise ValueError("persistent_volume_claim(name): storage_class and access_mode apply to a new claim "
                             "(give a size such as '20Gi'); an existing claim has its own")
        return self._kind("claim", claim_or_size)

    pvc = persistent_volume_claim

    def mount(self, path: str, read_only: bool | None = None, sub_path: str | None = None) -> "Volume":
        pos = _here()
        self._t.set(("mount",), _plain(path, "mount"), pos)
        if read_only is not None:
            self._t.set(("read_only",), read_only, pos)
        if sub_path is not None:
            self._t.set(("sub_path",), sub_path, pos)
        return self

    mount_path = mount

    def read_only(self, flag: bool = True) -> "Volume":
        self._t.set(("read_only",), flag, _here())
        return self


# ---------------------------------------------------------------------------- workloads

def _probe(path=None, port=None, *, tcp=None, exec=None, command=None, initial_delay=None, period=None,
           timeout=None, failure_threshold=None, success_threshold=None, initial_delay_seconds=None,
           period_seconds=None, timeout_seconds=None) -> dict:
    p: dict = {}
    command = exec if exec is not None else command
    if isinstance(path, int) and not isinstance(path, bool) and tcp is None:
        path, tcp = None, path
    if path is not None:
        p["http"] = path
    if tcp is not None:
        p["tcp"] = tcp
    if command is not None:
        p["exec"] = [command] if isinstance(command, str) else list(command)
    if port is not None:
        p["port"] = port
    for key, a, b in (("initial_delay", initial_delay, initial_delay_seconds), ("period", period, period_seconds),
                      ("timeout", timeout, timeout_seconds), ("failure_threshold", failure_threshold, None),
                      ("success_threshold", success_threshold, None)):
        v = a if a is not None else b
        if v is not None:
            p[key] = v
    return p


def _words(args: tuple, what: str) -> Any:
    if len(args) == 1 and isinstance(args[0], (list, tuple, str)):
        return args[0]
    if not args:
        raise TypeError(f"{what}() needs a command: a list of words or a string")
    return list(args)


def _container(name: str, image: str, command=None, args=None, ports=None, env=None, resources=None,
               health=None, mounts=None, lifecycle=None, **extra) -> dict:
    if extra:
        raise TypeError(f"unknown container field(s): {', '.join(sorted(extra))} (fields: command, args, ports, "
                        "env, resources, health, mounts, lifecycle)")
    c: dict = {"image": image}
    for k, v in (("command", command), ("args", args), ("ports", ports), ("env", env), ("resources", resources),
                 ("health", health), ("mounts", mounts), ("lifecycle", lifecycle)):
        if v is not None:
            c[k] = v
    if isinstance(c.get("ports"), int) and not isinstance(c["ports"], bool):
        c["ports"] = {"http": c["ports"]}
    return c


class _Workload(_Doc):
    """What every workload kind (App, StatefulApp, Job, CronJob) has."""

    def __init__(self, name: str):
        super().__init__(name)
        self._attached: list[tuple[_Doc, tuple]] = []          # secrets, configs, accounts, policies, ...
        self._env_from: list[tuple[str, Any, str | None, tuple]] = []   # ("config"|"secret", name or builder, prefix, pos)
        self._volumes: list[tuple[Volume, tuple]] = []
        self._roles: list[tuple[Role, tuple]] = []
        self._implicit_account: ServiceAccount | None = None
        self._claims: dict[int, Resource] = {}

    # -- container
    def image(self, image: str) -> "_Workload":
        return self._set("image", image)

    def command(self, *command) -> "_Workload":
        """``command(["python", "-m", "app"])``, ``command("python -m app")`` or ``command("python", "-m", "app")``."""
        return self._set("command", _words(command, "command"))

    def args(self, *args) -> "_Workload":
        return self._set("args", _words(args, "args"))

    def env(self, name: str, value: Any) -> "_Workload":
        return self._merge("env", {name: value}, "env")

    add_env = env

    def environment(self, variables: dict) -> "_Workload":
        return self._merge("env", variables, "environment")

    env_vars = environment

    def secret_env(self, variable: str, secret: "str | Secret", key: str) -> "_Workload":
        """One environment variable read from a Secret key (``secrets: {VAR: {secret, key}}``)."""
        if isinstance(secret, Secret):
            self._attach(secret)
        return self._merge("secrets", {variable: {"secret": _name_of(secret, "secret_env"), "key": key}}, "secret_env")

    def env_from_secret(self, secret: "str | Secret", prefix: str | None = None) -> "_Workload":
        """Every key of the Secret as an environment variable."""
        if isinstance(secret, Secret):
            self._attach(secret)
        self._env_from.append(("secret", _name_of(secret, "env_from_secret"), prefix, _here()))
        return self

    def env_from_config_map(self, config: "str | ConfigMap", prefix: str | None = None) -> "_Workload":
        """Every key of the ConfigMap as an environment variable."""
        if isinstance(config, ConfigMap):
            self._attach(config)
        self._env_from.append(("config", _name_of(config, "env_from_config_map"), prefix, _here()))
        return self

    env_from_configmap = env_from_config_map

    def resources(self, cpu: str | float | None = None, memory: str | None = None, cpu_limit: str | float | None = None,
                  memory_limit: str | None = None) -> "_Workload":
        """Requests (``cpu``, ``memory``) and limits (``cpu_limit``, ``memory_limit``)."""
        r = {k: v for k, v in (("cpu", cpu), ("memory", memory), ("cpu_limit", cpu_limit),
                               ("memory_limit", memory_limit)) if v is not None}
        return self._merge("resources", r, "resources")

    def lifecycle(self, post_start: list | None = None, pre_stop: list | None = None,
                  termination_grace: int | None = None) -> "_Workload":
        lc = {k: v for k, v in (("post_start", post_start), ("pre_stop", pre_stop),
                                ("termination_grace", termination_grace)) if v is not None}
        return self._merge("lifecycle", lc, "lifecycle")

    def post_start(self, *command) -> "_Workload":
        return self._merge("lifecycle", {"post_start": _words(command, "post_start")}, "post_start")

    def pre_stop(self, *command) -> "_Workload":
        return self._merge("lifecycle", {"pre_stop": _words(command, "pre_stop")}, "pre_stop")

    def termination_grace_period(self, seconds: int) -> "_Workload":
        return self._merge("lifecycle", {"termination_grace": seconds}, "termination_grace_period")

    # -- pod placement
    def node_selector(self, selector: dict) -> "_Workload":
        return self._merge("node_selector", selector, "node_selector")

    def tolerations(self, tolerations: list) -> "_Workload":
        """Kubernetes-style tolerations (``tolerationSeconds`` is accepted for ``seconds``)."""
        out = []
        for t in tolerations:
            t = dict(t)
            if "tolerationSeconds" in t:
                t["seconds"] = t.pop("tolerationSeconds")
            out.append(t)
        return self._set("tolerations", out)

    def add_toleration(self, key: str | None = None, operator: str | None = None, value: str | None = None,
                       effect: str | None = None, seconds: int | None = None) -> "_Workload":
        t = {k: v for k, v in (("key", key), ("operator", operator), ("value", value), ("effect", effect),
                               ("seconds", seconds)) if v is not None}
        self._t.append(("tolerations",), _plain(t, "tolerations"), _here())
        return self

    def affinity(self, affinity: dict) -> "_Workload":
        """A Kubernetes ``affinity`` (nodeAffinity, podAffinity, podAntiAffinity)."""
        return self._set("affinity", affinity)

    def spread(self, *over: str) -> "_Workload":
        """Spread pods over "nodes" and/or "zones"."""
        kinds = _listify(over)
        return self._set("spread", kinds[0] if len(kinds) == 1 else kinds)

    def priority_class(self, name: str) -> "_Workload":
        return self._set("priority_class", name)

    def image_pull_secret(self, *names: "str | Secret") -> "_Workload":
        pos = _here()
        for n in _listify(names):
            if isinstance(n, Secret):
                self._attach(n)
            self._t.append(("image_pull_secrets",), _name_of(n, "image_pull_secret"), pos)
        return self

    image_pull_secrets = image_pull_secret

    # -- containers of the pod
    def sidecar(self, name: str, image: str, **fields) -> "_Workload":
        """Another container of the pod: ``sidecar("proxy", "envoyproxy/envoy:v1.31.0",
        ports={"admin": 9901}, mounts={"conf": "/etc/envoy"})``."""
        return self._merge("sidecars", {name: _container(name, image, **fields)}, "sidecar")

    add_sidecar = sidecar

    def init_container(self, name: str, image: str, **fields) -> "_Workload":
        """A container run to completion before the others start."""
        return self._merge("init", {name: _container(name, image, **fields)}, "init_container")

    add_init_container = init_container

    # -- volumes
    def add_volume(self, volume: Volume) -> "_Workload":
        if not isinstance(volume, Volume):
            raise TypeError(f"add_volume() expects a Volume, got {type(volume).__name__}")
        self._volumes.append((volume, _here()))
        return self

    def add_volumes(self, volumes: list) -> "_Workload":
        for v in volumes:
            self.add_volume(v)
        return self

    def empty_dir(self, name: str, mount_path: str, size: str | None = None, memory: bool = False) -> "_Workload":
        return self.add_volume(Volume(name).empty_dir(size, memory).mount(mount_path))

    # -- attachments
    def _attach(self, doc: _Doc) -> None:
        if all(d is not doc for d, _ in self._attached):
            self._attached.append((doc, _here()))

    def add_secret(self, secret: "Secret | str", prefix: str | None = None) -> "_Workload":
        """Attach a Secret: its keys become environment variables (``env_from``), or, after
        ``secret.mount(path)``, files at that path."""
        if isinstance(secret, Secret):
            self._attach(secret)
        elif not isinstance(secret, str):
            raise TypeError(f"add_secret() expects a Secret, got {type(secret).__name__}")
        self._env_from.append(("secret", secret, prefix, _here()))
        return self

    def add_secrets(self, secrets: list) -> "_Workload":
        for s in secrets:
            self.add_secret(s)
        return self

    def add_config(self, config: "ConfigMap | str", prefix: str | None = None) -> "_Workload":
        """Attach a ConfigMap: its keys become environment variables (``env_from``), or,
        after ``config.mount(path)``, files at that path."""
        if isinstance(config, ConfigMap):
            self._attach(config)
        elif not isinstance(config, str):
            raise TypeError(f"add_config() expects a ConfigMap, got {type(config).__name__}")
        self._env_from.append(("config", config, prefix, _here()))
        return self

    add_config_map = add_config

    def add_configs(self, configs: list) -> "_Workload":
        for c in configs:
            self.add_config(c)
        return self

    def service_account(self, name: "str | ServiceAccount") -> "_Workload":
        if isinstance(name, ServiceAccount):
            self._attach(name)
        return self._set("service_account", _name_of(name, "service_account"))

    def add_service_account(self, account: "ServiceAccount | str") -> "_Workload":
        return self.service_account(account)

    def add_role(self, role: Role) -> "_Workload":
        """Attach a Role (or ClusterRole) bound to this workload's service account; a
        workload without one gets a ServiceAccount of its own name."""
        if not isinstance(role, Role):
            raise TypeError(f"add_role() expects a Role, got {type(role).__name__}")
        pos = _here()
        self._attach(role)
        self._roles.append((role, pos))
        role._owners.append((self, pos))
        return self

    add_cluster_role = add_role

    def add_network_policy(self, policy: NetworkPolicy) -> "_Workload":
        """Attach a NetworkPolicy; unless it selects pods itself, it selects this workload's."""
        if not isinstance(policy, NetworkPolicy):
            raise TypeError(f"add_network_policy() expects a NetworkPolicy, got {type(policy).__name__}")
        if policy._owner is not None and policy._owner[0] is not self and "select" not in policy._t.data:
            raise ValueError(f'NetworkPolicy "{policy.name}" already selects "{policy._owner[0].name}"; a policy '
                             "selects one app: give each workload its own")
        self._attach(policy)
        policy._owner = (self, _here())
        return self

    def add_security_policy(self, policy: SecurityPolicy) -> "_Workload":
        """Attach Pod Security Standards (they apply to the whole namespace)."""
        if not isinstance(policy, SecurityPolicy):
            raise TypeError(f"add_security_policy() expects a SecurityPolicy, got {type(policy).__name__}")
        self._attach(policy)
        return self

    def add_observability(self, observability: Observability) -> "_Workload":
        if not isinstance(observability, Observability):
            raise TypeError(f"add_observability() expects an Observability, got {type(observability).__name__}")
        self._attach(observability)
        observability._owners.append((self, _here()))
        return self

    def connect_to(self, *targets: "str | _Workload") -> "_Workload":
        """Workloads this one talks to: discovery variables (``POSTGRES_HOST``/``_PORT``),
        Compose ``depends_on``. Builders given here are compiled along with this one."""
        pos = _here()
        for t in _listify(targets):
            name = _name_of(t, "connect_to")
            if isinstance(t, _Doc):
                self._attach(t)
            if name not in (self._t.get(("connect_to",)) or []):
                self._t.append(("connect_to",), name, pos)
        return self

    depends_on = connect_to

    def k8s(self, kind: str, patch: dict) -> "_Workload":
        """Escape hatch: a patch merged into the generated objects of ``kind``."""
        return self._merge(("k8s", kind), patch, "k8s")

    # -- outside the language
    def build(self, *args, **kwargs):
        _outside("build()", "skyspec compiles deployment specs and does not build container images",
                 "build and push the image in CI, then use .image('registry/name:tag')")

    def from_dockerfile(self, *args, **kwargs):
        _outside("from_dockerfile()", "skyspec compiles deployment specs and does not build container images",
                 "build and push the image in CI, then use .image('registry/name:tag')")

    def add_plugin(self, *args, **kwargs):
        _outside("add_plugin()", "skyspec has no plugin hooks; every change must be visible in a spec's history",
                 "use an overlay (overlays/<env>.yaml: `all`, `match`, `apps`) or .k8s(kind, patch)")

    def add_service(self, *args, **kwargs):
        _outside("add_service()", "a workload's Service is generated from its ports and .expose()",
                 ".expose(type='NodePort', port='http'), or Resource(name).manifest({...}) for another Service")

    # -- documents
    def _account_name(self) -> str | None:
        sa = self._t.get(("service_account",))
        if sa is not None:
            return sa
        if self._roles:
            return self._implicit().name
        return None

    def _implicit(self) -> ServiceAccount:
        if self._implicit_account is None:
            _, pos = self._roles[0]
            old, oldi = getattr(_tls, "pos", None), getattr(_tls, "internal", False)
            _tls.pos, _tls.internal = pos, True
            try:
                self._implicit_account = ServiceAccount(self.name)
            finally:
                _tls.pos, _tls.internal = old, oldi
        return self._implicit_account

    def _claim(self, v: Volume) -> Resource:
        r = self._claims.get(id(v))
        if r is None:
            size, cls, access, pos = v._claim_size
            spec: dict = {"accessModes": [access or "ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
            if cls:
                spec["storageClassName"] = cls
            old, oldi = getattr(_tls, "pos", None), getattr(_tls, "internal", False)
            _tls.pos, _tls.internal = pos, True
            try:
                r = Resource(f"{self.name}-{v.name}", {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                                       "metadata": {"name": f"{self.name}-{v.name}"}, "spec": spec})
            finally:
                _tls.pos, _tls.internal = old, oldi
            self._claims[id(v)] = r
        return r

    def _related(self) -> list[_Doc]:
        out = [d for d, _ in self._attached]
        if self._roles and self._t.get(("service_account",)) is None:
            out.append(self._implicit())
        for v, _ in self._volumes:
            if v._source is not None:
                out.append(v._source)
            if v._claim_size is not None and not isinstance(self, StatefulApp):
                out.append(self._claim(v))
        return out

    def _document(self, members: set[int]) -> _Tree:
        t = self._t.copy()
        if self._roles and t.get(("service_account",)) is None:
            t.set(("service_account",), self._implicit().name, self._roles[0][1])
        for kind, target, prefix, pos in self._env_from:
            name = _name_of(target, kind)
            mount = getattr(target, "_mount", None) if isinstance(target, _Mountable) else None
            if mount is not None:
                path, ro, mpos = mount
                vol: dict = {kind: name, "mount": path}
                if ro is not None:
                    vol["read_only"] = ro
                t.set(("volumes", name), vol, pos)
                t.at[("volumes", name, "mount")] = mpos
                continue
            entry = {kind: name}
            if prefix:
                entry["prefix"] = prefix
            if entry not in (t.get(("env_from",)) or []):
                t.append(("env_from",), entry, pos)
        for v, pos in self._volumes:
            self._volume_into(t, v, pos)
        return t

    def _volume_into(self, t: _Tree, v: Volume, pos: tuple) -> None:
        base = ("volumes", v.name)
        data = copy.deepcopy(v._t.data)
        if v._claim_size is not None:
            claim = self._claim(v).name
            data["claim"] = claim
        t.set(base, data, pos)
        for p, raw in v._t.at.items():
            t.at[base + p] = raw
        if v._claim_size is not None:
            t.at[base + ("claim",)] = v._claim_size[3]


class _Served(_Workload):
    """Long-running workloads (App, StatefulApp): ports, replicas, probes, exposure."""

    def replicas(self, count: int) -> "_Served":
        return self._set("replicas", count)

    def port(self, port: int, name: str = "http", protocol: str | None = None,
             host_port: int | None = None) -> "_Served":
        """A named container port: ``port(8080)`` is ``ports: {http: 8080}``,
        ``port(5432, "postgres")`` is ``ports: {postgres: 5432}``."""
        value: Any = port
        if protocol is not None or host_port is not None:
            value = {"port": port}
            if protocol is not None:
                value["protocol"] = protocol.upper() if isinstance(protocol, str) else protocol
            if host_port is not None:
                value["host_port"] = host_port
        have = self._t.get(("ports", name))
        if have is not None and have != value:
            raise ValueError(f'port name "{name}" is already used for {have!r}: name this port, e.g. '
                             f'.port({port!r}, "{name}-2")')
        return self._merge("ports", {name: value}, "port")

    add_port = port

    def ports(self, ports: list | dict) -> "_Served":
        """``[{"port": 9092, "name": "kafka"}, ...]`` (Celestra) or ``{"kafka": 9092, ...}``."""
        if isinstance(ports, dict):
            for name, p in ports.items():
                if isinstance(p, dict):
                    self.port(p.get("port"), name, p.get("protocol"), p.get("host_port"))
                else:
                    self.port(p, name)
            return self
        for i, p in enumerate(ports):
            if isinstance(p, dict):
                name = p.get("name") or ("http" if i == 0 else f"port-{i}")
                self.port(p.get("port", p.get("container_port")), name, p.get("protocol"), p.get("host_port"))
            else:
                self.port(p, "http" if i == 0 else f"port-{i}")
        return self

    add_ports = ports

    def postgres_port(self, port: int = 5432) -> "_Served":
        return self.port(port, "postgres")

    def mysql_port(self, port: int = 3306) -> "_Served":
        return self.port(port, "mysql")

    def mongodb_port(self, port: int = 27017) -> "_Served":
        return self.port(port, "mongodb")

    def redis_port(self, port: int = 6379) -> "_Served":
        return self.port(port, "redis")

    def kafka_port(self, port: int = 9092) -> "_Served":
        return self.port(port, "kafka")

    def elasticsearch_port(self, port: int = 9200) -> "_Served":
        return self.port(port, "elasticsearch")

    # -- health
    def health_check(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        """Liveness and readiness probes: ``health_check("/healthz")``, ``health_check("/health",
        port=9092)``, ``health_check(tcp=5432)``, ``health_check(command=["pg_isready"])``; timing
        keywords ``initial_delay``, ``period``, ``timeout``, ``failure_threshold``, ``success_threshold``
        (Celestra's ``*_seconds`` spellings too)."""
        pos = _here()
        for k in ("http", "tcp", "exec", "port", "initial_delay", "period", "timeout", "failure_threshold",
                  "success_threshold"):
            self._t.delete(("health", k))
        h = self._t.get(("health",))
        if not isinstance(h, dict):
            self._t.set(("health",), {}, pos)
        for k, v in _probe(path, port, **probe).items():
            self._t.set(("health", k), _plain(v, f"health.{k}"), pos)
        return self

    def _one_probe(self, which: str, path, port, probe: dict) -> "_Served":
        pos = _here()
        if not isinstance(self._t.get(("health",)), dict):
            self._t.set(("health",), {}, pos)
        p = _probe(path, port, **probe)
        value: Any = p["http"] if list(p) == ["http"] else p
        self._t.set(("health", which), _plain(value, f"health.{which}"), pos)
        return self

    def liveness_probe(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        return self._one_probe("liveness", path, port, probe)

    def readiness_probe(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        return self._one_probe("readiness", path, port, probe)

    def startup_probe(self, path: str | int | None = None, port: int | str | None = None, **probe) -> "_Served":
        return self._one_probe("startup", path, port, probe)

    def _document(self, members: set[int]) -> _Tree:
        t = super()._document(members)
        h = t.get(("health",))
        if isinstance(h, dict) and list(h) == ["http"]:  # `health: /healthz`, the shorthand
            pos = t.at.get(("health", "http"))
            t.set(("health",), h["http"], pos or t.at[()])
        return t

    # -- exposure
    def expose(self, external: bool = False, host: str | None = None, tls: bool | str | None = None,
               path: str | None = None, port: int | str | None = None, type: str | None = None,
               ingress_class: str | None = None) -> "_Served":
        """A Service; ``external=True`` makes it a LoadBalancer, ``host=`` adds an Ingress
        (``tls=True`` for a TLS Secret named ``<app>-tls``, or the Secret's name)."""
        e: dict = {}
        if type is not None:
            e["type"] = type
        elif external and host is None:
            e["type"] = "LoadBalancer"
        for k, v in (("port", port), ("host", host), ("path", path), ("tls", tls), ("class", ingress_class)):
            if v is not None:
                e[k] = v
        return self._set("expose", e or True)

    # -- rollout
    _STRATEGIES = {"rollingupdate": "rolling", "rolling_update": "rolling", "rolling-update": "rolling",
                   "recreate": "recreate", "ondelete": "on-delete", "on_delete": "on-delete",
                   "bluegreen": "blue-green", "blue_green": "blue-green"}

    def deployment_strategy(self, strategy: str) -> "_Served":
        """"rolling", "recreate", "blue-green", "canary" (App) or "rolling", "on-delete" (StatefulApp)."""
        s = self._STRATEGIES.get(strategy.lower(), strategy.lower()) if isinstance(strategy, str) else strategy
        cur = self._t.get(("strategy",))
        if isinstance(cur, dict) and s in cur:
            return self
        return self._set("strategy", s)

    def rolling_update(self, max_surge: int | str | None = None, max_unavailable: int | str | None = None,
                       min_ready_seconds: int | None = None, partition: int | None = None) -> "_Served":
        r = {k: v for k, v in (("max_surge", max_surge), ("max_unavailable", max_unavailable),
                               ("partition", partition)) if v is not None}
        self._set("strategy", {"rolling": r})
        if min_ready_seconds is not None:
            kind = "StatefulSet" if isinstance(self, StatefulApp) else "Deployment"
            self._merge(("k8s", kind, "spec"), {"minReadySeconds": min_ready_seconds}, "rolling_update")
        return self

    def min_ready_seconds(self, seconds: int) -> "_Served":
        kind = "StatefulSet" if isinstance(self, StatefulApp) else "Deployment"
        return self._merge(("k8s", kind, "spec"), {"minReadySeconds": seconds}, "min_ready_seconds")

    def rollback_on_failure(self, *args, **kwargs):
        _outside("rollback_on_failure()", "a rollback is a deploy-time action of a controller, and skyspec writes "
                 "manifests", "`kubectl rollout undo`, or a progressive-delivery controller (Argo Rollouts, Flagger)")

    def promotion_criteria(self, *args, **kwargs):
        _outside("promotion_criteria()", "automated canary analysis needs a progressive-delivery controller; "
                 "skyspec's canary is a replica split", ".canary_percentage(n) and promote by changing the image "
                 "(or use Argo Rollouts / Flagger)")

    def cluster_mode(self, *args, **kwargs):
        _outside("cluster_mode()", "clustering is configured by the database itself, not by the Kubernetes "
                 "objects skyspec writes", ".replicas(n) and the database's own settings (e.g. .postgres_config({...}) "
                 "with a stdlib `use:` template, or an operator)")

    def quorum_size(self, *args, **kwargs):
        _outside("quorum_size()", "quorum is a setting of the clustered software, not of its Kubernetes objects",
                 ".replicas(n) and the software's own configuration")

    def replication_factor(self, *args, **kwargs):
        _outside("replication_factor()", "replication is a setting of the database or broker, not of its "
                 "Kubernetes objects", "its configuration, e.g. .kafka_config({'default.replication.factor': '3'})")


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

    def use(self, template: str, version: str | None = None) -> "StatefulApp":
        """A stdlib template (image, ports, probes, data path): ``use("postgres", "16")``."""
        self._set("use", template)
        if version is not None:
            self._set("version", version)
        return self

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


# ---------------------------------------------------------------------------- outside the language

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


# ---------------------------------------------------------------------------- groups and closures

class AppGroup:
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

    def generate(self) -> "Generated":
        return Generated(self.name, [self], self._namespace)


def _closure(roots: Iterable) -> list[_Doc]:
    """The builders reachable from ``roots`` (AppGroups expanded, attachments followed), in
    first-seen order, each once."""
    out: list[_Doc] = []
    seen: set[int] = set()
    stack = list(roots)[::-1]
    while stack:
        b = stack.pop()
        if id(b) in seen:
            continue
        seen.add(id(b))
        if isinstance(b, AppGroup):
            stack.extend(b._members[::-1])
            continue
        out.append(b)
        stack.extend(b._related()[::-1])
    return out


def _documents(builders: list[_Doc]) -> list[dict]:
    members = {id(b) for b in builders}
    return [b._document(members).data for b in builders]


def _namer(overrides: dict[str, str] | None = None):
    """raw position -> diagnostics Pos, with files shown as diagnostics show them."""
    from .diagnostics import Pos
    from .project import shown_path

    names: dict[str, str] = dict(overrides or {})
    cache: dict = {}

    def conv(raw: tuple):
        p = cache.get(raw)
        if p is None:
            file = raw[0]
            shown = names.get(file)
            if shown is None:
                shown = names[file] = file if file.startswith("<") else shown_path(Path(file))
            p = cache[raw] = Pos(shown, raw[1], raw[2], raw[3])
        return p

    return conv


def source_docs(builders: list[_Doc], conv) -> list:
    """SourceDocs of ``builders`` (a closure); documents of one file are numbered in order."""
    from .frontend.loc import SourceDoc

    members = {id(b) for b in builders}
    out = []
    counts: dict[str, int] = {}
    for b in builders:
        t = b._document(members)
        loc = t.loc(conv)
        file = loc.pos.file
        out.append(SourceDoc(file, counts.get(file, 0), t.data, loc))
        counts[file] = counts.get(file, 0) + 1
    return out


# ---------------------------------------------------------------------------- compiling

def _project_name(name: Any) -> str:
    s = re.sub(r"[^a-z0-9-]+", "-", str(name).lower()).strip("-")[:63].strip("-")
    return s or "skyspec"


class Generated:
    """The compiled output of builders (``builder.generate()``, ``AppGroup(...).generate()``).

    Compiled in memory by :mod:`skyspec.pipeline` with a synthetic project: named after the
    group or builder, namespace ``default`` (``AppGroup.namespace()`` changes it), one
    environment ``default`` - or, when builders use ``for_environment()``, one environment
    per name used (builders without it are in all of them). Relative paths (ConfigMap files)
    are relative to the working directory. Each ``to_*`` compiles once, raises
    :class:`SpecError` with the rendered diagnostics when the specs have errors, and issues
    warnings as :class:`SkyspecWarning` at the user's line.
    """

    def __init__(self, name: str, roots: list, namespace: str = "default"):
        self.name = _project_name(name)
        self._roots = list(roots)
        self.namespace = namespace
        self._result: tuple | None = None
        self.diagnostics: list = []

    # -- inspection
    def environments(self) -> list[str]:
        envs = sorted({e for b in _closure(self._roots) for e, _ in b._envs})
        return envs or ["default"]

    def _closure_for(self, env: str | None) -> list[_Doc]:
        if env is None:
            return _closure(self._roots)
        roots = []
        for r in self._roots:
            if isinstance(r, AppGroup):
                roots.extend(m for m in _closure([r]) if not m._envs or env in [e for e, _ in m._envs])
            elif not r._envs or env in [e for e, _ in r._envs]:
                roots.append(r)
        # attachments of a builder restricted to other environments are left out with it
        return [b for b in _closure(roots) if not b._envs or env in [e for e, _ in b._envs]]

    def documents(self, env: str | None = None) -> list[dict]:
        """The spec documents (plain dicts), of one environment or of all builders."""
        cl = self._closure_for(env)
        members = {id(b) for b in cl}
        return [b._document(members).data for b in cl]

    def _compile(self):
        """Compile once (each environment in a session of its own); warnings are issued once."""
        if self._result is None:
            import tempfile

            from .backends.yamlemit import dump
            from .diagnostics import Diagnostics, Sources
            from .pipeline import Session

            diags, sources = Diagnostics(), Sources()
            conv = _namer()
            compiled: dict = {}
            sessions = []
            cwd = Path.cwd().resolve()
            with tempfile.TemporaryDirectory(prefix="skyspec-") as tmp:
                for env in self.environments():
                    docs = source_docs(self._closure_for(env), conv)
                    folder = Path(tmp) / env
                    folder.mkdir()
                    pf = folder / "skyspec.yaml"
                    # the documents come from the builders; the one spec file is empty
                    (folder / "python-builders.yaml").write_text("# documents: from Python builders\n",
                                                                 encoding="utf-8")
                    pf.write_text(dump({"project": self.name, "namespace": self.namespace,
                                        "specs": ["python-builders.yaml"], "environments": {env: {}}}),
                                  encoding="utf-8")
                    s = Session(pf, diags, sources, extra_docs=docs)
                    sessions.append(s)
                    if s.project is None:
                        continue
                    # relative paths (config files, `use: ./templates/...`): from the working directory
                    s.project.root = cwd
                    if hasattr(getattr(s, "templates", None), "root"):
                        s.templates.root = cwd
                    c = s.compile(env)
                    if c is not None:
                        compiled[env] = c
            self._result = (compiled, diags, sources, sessions)
            self._report(0)
        return self._result

    def _report(self, start: int) -> None:
        """Warnings from ``start`` on become SkyspecWarnings at the user's lines; errors raise."""
        import warnings

        from .diagnostics import render_text

        compiled, diags, sources, sessions = self._result
        self.diagnostics = diags.sorted()
        for d in diags.items[start:]:
            if d.severity != "warning":
                continue
            msg = f"warning[{d.code}]: {d.message}" + (f" (help: {d.hint})" if d.hint else "")
            if d.pos is not None:
                warnings.warn_explicit(msg, SkyspecWarning, d.pos.file, d.pos.line)
            else:
                warnings.warn(msg, SkyspecWarning, stacklevel=4)
        if diags.has_errors:
            redact = _secret_lines(d for s in sessions for d in s.docs)
            raise SpecError(render_text(diags.sorted(), sources, redact).rstrip("\n"), diags.errors)

    def files(self, fmt: str) -> dict[str, str]:
        """The rendered files of one format ("kubernetes", "compose", "helm", "kustomize"),
        keyed by the pipeline's relative paths (``<env>/kubernetes/...``, ``helm/<name>/...``)."""
        from .pipeline import FORMATS, render

        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
        compiled, diags, _, _ = self._compile()
        if diags.has_errors:
            self._report(len(diags.items))
        start = len(diags.items)
        out = render(compiled, [fmt], diags)
        self._report(start)
        return out

    def objects(self, env: str | None = None) -> list[dict]:
        """The Kubernetes objects (of ``env``; of the only environment by default)."""
        import yaml

        env = env or self.environments()[0]
        out: list[dict] = []
        for rel, text in self.files("kubernetes").items():
            if rel.startswith(f"{env}/"):
                out.extend(d for d in yaml.safe_load_all(text) if d is not None)
        return out

    # -- writing
    def _single(self) -> bool:
        return len(self.environments()) == 1

    def _write_dir(self, directory, files: dict[str, str]) -> list[Path]:
        from .diagnostics import Diagnostics, render_text
        from .output import write_tree

        out = Path(directory)
        d = Diagnostics()
        if not write_tree(out, files, d, guard=Path.cwd()):
            raise OSError(render_text(d.sorted()).rstrip("\n"))
        return [out / rel for rel in files]

    def to_yaml(self, directory: str | os.PathLike = "./k8s/") -> list[Path] | None:
        """Kubernetes manifests: ``<directory>/<workload>.yaml`` and ``<kind>.<name>.yaml``
        (``<directory>/<env>/...`` with several environments). The directory is replaced
        atomically; files skyspec did not write are kept, never overwritten."""
        if _LOADING[0]:
            return None
        files = {}
        for rel, text in self.files("kubernetes").items():
            env, _, rest = rel.partition("/kubernetes/")
            files[rest if self._single() else f"{env}/{rest}"] = text
        return self._write_dir(directory, files)

    def to_helm_chart(self, directory: str | os.PathLike = "./charts/") -> list[Path] | None:
        """A Helm chart: ``<directory>/<name>/Chart.yaml``, values per environment, templates."""
        if _LOADING[0]:
            return None
        files = {rel.partition("/")[2]: text for rel, text in self.files("helm").items()}
        return self._write_dir(directory, files)

    def to_kustomize(self, directory: str | os.PathLike = "./kustomize/") -> list[Path] | None:
        """Kustomize: ``<directory>/base`` and ``<directory>/overlays/<env>``."""
        if _LOADING[0]:
            return None
        files = {rel.partition("/")[2]: text for rel, text in self.files("kustomize").items()}
        return self._write_dir(directory, files)

    def to_docker_compose(self, path: str | os.PathLike = "./docker-compose.yml") -> list[Path] | None:
        """A Compose file at ``path`` (``<stem>.<env><suffix>`` beside it with several
        environments). An existing file is replaced only if skyspec wrote it."""
        if _LOADING[0]:
            return None
        p = Path(path)
        written = []
        for rel, text in self.files("compose").items():
            env = rel.partition("/")[0]
            target = p if self._single() else p.with_name(f"{p.stem}.{env}{p.suffix}")
            _write_owned(target, _COMPOSE_MARK + text)
            written.append(target)
        return written

    def to_specs(self, directory: str | os.PathLike = "./specs/") -> list[Path] | None:
        """The spec documents as YAML, one file per document, with a ``skyspec.yaml`` project
        file: ``skyspec build <directory>`` gives the same output. Literal Secret values are
        not written: they become ``keys:`` (supplied at deploy time), which compiles to the
        same objects. ConfigMap files outside the directory are copied into ``files/``."""
        if _LOADING[0]:
            return None
        from .backends.yamlemit import dump

        if not self._single() or self.environments() != ["default"]:
            raise ValueError("to_specs(): builders restricted with for_environment() cannot be written as YAML "
                             "specs - the language expresses per-environment differences as overlays "
                             "(overlays/<env>.yaml); remove for_environment() and write those differences there")
        out = Path(directory)
        files: dict[str, str] = {"skyspec.yaml": dump({"project": self.name, "namespace": self.namespace,
                                                      "specs": ["*.yaml"], "environments": {"default": {}}})}
        for doc in self.documents():
            doc = copy.deepcopy(doc)
            if doc["kind"] == "Secret" and isinstance(doc.get("data"), dict):
                keys = list(doc.pop("data"))
                doc["keys"] = list(dict.fromkeys((doc.get("keys") or []) + keys))
            if doc["kind"] == "ConfigMap" and isinstance(doc.get("files"), dict):
                for key, rel in list(doc["files"].items()):
                    doc["files"][key] = _relocate(rel, out, doc["name"], key, files)
            kind = doc["kind"]
            fname = f"{doc['name']}.yaml" if kind in ("App", "StatefulApp", "Job", "CronJob") \
                else f"{kind.lower()}.{doc['name']}.yaml"
            files[fname] = dump(doc)
        return self._write_dir(out, files)


_COMPOSE_MARK = "# Generated by skyspec from Python builders; edits are overwritten.\n"


def _write_owned(target: Path, text: str) -> None:
    if target.exists():
        try:
            head = target.read_text(encoding="utf-8")[:len(_COMPOSE_MARK)]
        except (OSError, UnicodeDecodeError):
            head = ""
        if head != _COMPOSE_MARK:
            raise FileExistsError(f"{target} exists and was not written by skyspec; refusing to overwrite it "
                                  "(move it away or choose another path)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.skyspec-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def _relocate(rel: str, out: Path, cm: str, key: str, files: dict[str, str]) -> str:
    """A ConfigMap file path (relative to the working directory) as seen from ``out``."""
    src = (Path.cwd() / rel).resolve()
    r = os.path.relpath(src, out.resolve())
    if not r.startswith(".."):
        return r.replace(os.sep, "/")
    dest = f"files/{cm}/{key}"
    try:
        files[dest] = src.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return rel
    return dest


def _secret_lines(docs) -> set[tuple[str, int]]:
    from .frontend.loc import secret_value_lines

    return secret_value_lines(docs)
