"""Configuration data and volumes: the ``ConfigMap`` and ``Secret`` builders (mountable as
files or loaded as environment variables) and ``Volume``, a volume of a workload.

They only describe data; how a workload uses them is the workload's business
(:mod:`skyspec.builders.pods`). Nothing here compiles or reads a project.
"""

from __future__ import annotations

import os
from typing import Any

from ._base import _DNS, _QUANTITY, _Doc, _listify, _name_of, _plain, _Tree
from .positions import _here, _Recorder


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

    def from_existing(self) -> "ConfigMap":
        """The ConfigMap already exists in the cluster: nothing is generated (Compose reads
        ``configs/<name>/`` and ``configs/<name>.env``, which you provide)."""
        return self._set("existing", True)

    existing = from_existing


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
