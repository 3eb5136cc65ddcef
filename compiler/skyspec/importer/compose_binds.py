"""Bind mounts of a Compose service: what each one is on Kubernetes.

A bind mount names a path of the machine Compose runs on. The importer carries two kinds:

- a folder the first run creates (:func:`first_run_folder`), or one in the home of the machine
  Compose runs on (:func:`home_folder`): the service's data, kept in a volume (:mod:`.compose_parts`
  says it);
- the project's own files (:func:`project_files`): a config file (`./nginx.conf:/etc/nginx/
  nginx.conf:ro`), a folder of them (`./conf.d:/etc/nginx/conf.d:ro`, `./initdb:/docker-
  entrypoint-initdb.d:ro`), held in a ConfigMap mounted where Compose mounts them; a file or
  folder that holds a credential (by its name, where it is mounted, or what it says: a private
  key, a `password:` with a value) is a Secret instead, whose values are supplied at deploy
  time and never read into the project.

Everything else (the host's paths, a writable folder of the project's files, which the
service may write into, unless it holds configuration files only, a file too big or not text)
is left out, with a hint by what it mounts (:func:`bind_hint`). Files are read only inside the Compose file's folder, every
symbolic link resolved and checked (a link leading out is left out, and what it leads to is
never named), never through a FIFO or device, and at most :data:`MAX_FILES` bytes in all.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..contain import escape
from ..redact import URL_PASSWORD, credential_env

MAX_FILES = 1 << 20           # a ConfigMap holds 1 MiB at most
# where an image keeps its own files (config, programs, a web root): a folder mounted there
# hides them, so an empty volume in its place would break the image, where leaving the
# mount out runs it with its own (`./prometheus:/etc/prometheus` without the folder at hand)
_IMAGE_OWN = ("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/opt/bitnami")
_CODE = frozenset({"/app", "/code", "/src", "/workspace", "/srv/app"})   # an image's program, itself
NOT_HERE = "it is not in the project"
_TOO_BIG = f"more than {MAX_FILES >> 20} MiB of files, more than a ConfigMap holds"
_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")   # a ConfigMap's or Secret's key
_SKIPPED = frozenset({".gitkeep", ".keep", ".gitignore", ".DS_Store"})
# the files of a folder of configuration, which a service reads (Kong's `./config:/opt/kong`,
# its declarative kong.yaml): carried, read-only, where the folder is mounted writable
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".conf", ".cfg", ".ini", ".properties", ".hcl", ".xml")
# a credential by the file's name: its words (`db_password.txt`, `api-token`), or what it is
_CRED_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "secrets", "token", "tokens", "credential",
                         "credentials", "apikey", "htpasswd", "netrc", "pgpass", "kubeconfig", "id_rsa", "id_ecdsa",
                         "id_ed25519", "private", "privkey", "key"})
_CRED_SUFFIXES = (".key", ".pem", ".p12", ".pfx", ".jks", ".keystore", ".env")
_CRED_PLACES = ("/run/secrets", "/var/run/secrets", "/etc/ssl/private", "/etc/letsencrypt", "/secrets")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
# `password: x`, `PASSWORD=x`, `"apiKey": "x"`, `<password>x</password>`: a setting and its value
# `key: value`, `key = value` on one line (a key alone on its line, a YAML map's, sets nothing: Temporal's
# dynamic config `testGetBoolPropertyKey:` above its list of values read as a credential)
_SETTING = re.compile(r"""^[ \t]*["']?([A-Za-z][-\w.]*)["']?[ \t]*[:=][ \t]*["']?([^\s"',#;]+)""", re.MULTILINE)
_ELEMENT = re.compile(r"<([A-Za-z][-\w]*)>\s*([^<\s][^<]*)</\1>")
# a setting inside a brace or after a comma (JSON on one line, hjson's `database: { password: "x" }`)
_INLINE = re.compile(r"""[{,][ \t]*["']?([A-Za-z][-\w.]*)["']?[ \t]*[:=][ \t]*["']?([^\s"',#;{}\[\]]+)""")


@dataclass
class Files:
    """A bind mount the project can hold: ``texts`` (key -> text) for a ConfigMap, or
    ``secret`` (the keys a Secret is to hold; nothing read is written out) with ``why``, and
    ``scanned``, its texts read for the addresses of services only (lemmy's `lemmy.hjson`, a
    Secret for its password, says where pict-rs listens)."""
    folder: bool
    texts: dict[str, str] = field(default_factory=dict)
    secret: list[str] | None = None
    why: str = ""
    scanned: dict[str, str] = field(default_factory=dict, repr=False)


def first_run_folder(base, src: str, dst: str) -> bool:
    """Whether the bind mount of ``src`` (relative to the Compose file's folder ``base``) at
    ``dst`` is of a folder Docker creates when the service first runs: a relative path inside
    ``base`` that is not there, or is an empty folder (a `.gitkeep` at most), mounted where an
    image keeps data rather than its own files (not under /etc or /usr, nor at a path named
    like a file). Data, then, not the project's files (`./src:/app` mounts code the image has
    too: left out as before)."""
    if not _data_target(dst):
        return False
    rel = PurePosixPath(str(src))
    if rel.is_absolute() or str(src).startswith("~") or ".." in rel.parts or not rel.parts or "$" in str(src):
        return False   # (a variable the .env lacks: Compose makes it empty, and the path absolute)
    path = os.path.join(base, *rel.parts)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    try:
        return all(name.startswith(".") for name in os.listdir(path))
    except OSError:
        return False


def home_folder(src: str, dst: str) -> bool:
    """Whether the bind mount of ``src`` at ``dst`` is of a folder in the home of the machine
    Compose runs on (`~/.jitsi-meet-cfg/prosody`, often by a variable of the `.env`) mounted
    where an image keeps data: the service's own data and config, written there, that no
    project holds. Decided by the paths alone: the importer's own home is never looked at."""
    rel = PurePosixPath(str(src))
    return str(src).startswith("~/") and ".." not in rel.parts and len(rel.parts) > 1 and "$" not in str(src) \
        and "." not in rel.name and not _credential_name(rel.name) and _data_target(dst)


def _data_target(dst: str) -> bool:
    """Whether ``dst`` is where an image keeps data, not its own files: not under /etc or /usr,
    nor its program's folder, nor a path named like a file."""
    target = PurePosixPath(str(dst))
    return not (_image_own(str(target)) or "." in target.name or str(target) in _CODE)


def _image_own(target: str) -> bool:
    if target.startswith("/usr/src/") and len(PurePosixPath(target).parts) >= 5:
        return False   # a folder in an app's own (paperless' /usr/src/paperless/consume), not the app itself
    return any(target == d or target.startswith(d + "/") for d in _IMAGE_OWN)


def project_files(base, src: str, dst: str, read_only: bool) -> Files | str:
    """The project's files a bind mount of ``src`` (relative to ``base``) at ``dst`` mounts,
    or why it cannot carry them (a phrase said after "... left out: "; '' for the host's paths).
    A folder is carried when mounted read-only or under /etc, where a service keeps its
    configuration (Temporal's dynamicconfig: left out, the server found no config file and
    exited); elsewhere a writable one may be where the service writes. A folder is carried
    with the regular files directly in it; a file either way (a ConfigMap is read-only: said
    by the caller), unless it is empty (a file the service fills: traefik's `acme.json`)."""
    s = str(src)
    if "$" in s or s.startswith("~") or escape(s) is not None:
        return ""   # the host's, or outside the project: not the project's files
    top = os.path.realpath(base)
    real = os.path.realpath(os.path.join(top, s))
    if not _inside(real, top):
        return "it leads outside the project (through a symbolic link)"
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return NOT_HERE
    except OSError:
        return "it cannot be read"
    if str(dst) in _CODE:
        return "the image's program (its code, in the image too)"
    if stat.S_ISREG(st.st_mode):
        if st.st_size == 0:
            return "an empty file, which the service fills"
        name = _key(PurePosixPath(s).name) or "file"
        got = _read(real, MAX_FILES)
        if isinstance(got, str):
            return got
        return _secret_or_text(False, {name: got}, s, str(dst))
    if not stat.S_ISDIR(st.st_mode):
        return "not a file or folder"
    if not read_only and not (str(dst) + "/").startswith("/etc/") and not _configuration(real):
        return "a writable folder of the project's files, where the service may write"
    texts: dict[str, str] = {}
    total = 0
    try:
        names = sorted(os.listdir(real))
    except OSError:
        return "a folder that cannot be read"
    for n in names:
        if n in _SKIPPED:
            continue
        path = os.path.realpath(os.path.join(real, n))   # (a link to a file of the project is that file)
        if not _inside(path, top):
            return "a file in it leads outside the project (through a symbolic link)"
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return "a file in it cannot be read"
        if stat.S_ISDIR(mode):
            return "it holds folders, which a ConfigMap cannot"
        if not stat.S_ISREG(mode):
            return "it holds something that is not a file"
        if not _key(n) or n != _key(n):
            return f"the file name {n!r} cannot be a ConfigMap key"
        total += len(n)   # (the keys count towards a ConfigMap's size too)
        got = _read(path, MAX_FILES - total) if total <= MAX_FILES else _TOO_BIG
        if isinstance(got, str):
            return got
        total += len(got)
        texts[n] = got
    if not texts:
        return "an empty folder"
    return _secret_or_text(True, texts, s, str(dst))


def _configuration(folder: str) -> bool:
    """Whether ``folder`` holds configuration files only (by their suffixes; at most 32)."""
    try:
        names = [n for n in os.listdir(folder) if n not in _SKIPPED]
    except OSError:
        return False
    return 0 < len(names) <= 32 and all(n.lower().endswith(CONFIG_SUFFIXES) for n in names)


def _inside(real: str, top: str) -> bool:
    return real == top or real.startswith(os.path.join(top, ""))


def _key(name: str) -> str:
    """``name`` as a ConfigMap key ('' when nothing of it is)."""
    k = re.sub(r"[^-._a-zA-Z0-9]", "-", name).strip("-")
    return k if k not in ("", ".", "..") and not k.startswith("..") and _KEY.match(k) else ""


def _read(path: str, limit: int) -> bytes | str:
    """The bytes of a regular file (never opened unless it is one, never followed through a
    link: the path is resolved), or why not."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return "it cannot be read"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "not a regular file"
        data = os.read(fd, limit + 1)
    finally:
        os.close(fd)
    return _TOO_BIG if len(data) > limit else data


def _secret_or_text(folder: bool, raw: dict[str, bytes], src: str, dst: str) -> Files | str:
    why = _credential(src, dst, raw)
    if why:
        return Files(folder, secret=sorted(raw), why=why,
                     scanned={k: data.decode("utf-8", "replace") for k, data in raw.items()})
    texts = {}
    for k, data in raw.items():
        try:
            texts[k] = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return f"{k} is not UTF-8 text, which a ConfigMap's files are"
    return Files(folder, texts=texts)


def _credential_name(name: str) -> bool:
    """Whether a file's name says it holds a credential (`db_password.txt`, `id_rsa`, `.env`)."""
    name = name.lower()
    words = set(re.split(r"[^a-z0-9]+", name)) | {name.lstrip(".")}
    return bool(words & _CRED_WORDS) or name.endswith(_CRED_SUFFIXES) or name == ".env"


def _credential(src: str, dst: str, raw: dict[str, bytes]) -> str:
    """Why the files are credentials ('' when nothing says so)."""
    if any(_credential_name(PurePosixPath(p).name) for p in (src, *raw)):
        return "its name says it holds a credential"
    if any(dst == p or dst.startswith(p + "/") for p in _CRED_PLACES):
        return f"it is mounted at {dst}, where credentials go"
    for data in raw.values():
        text = data.decode("utf-8", "replace")
        if _PRIVATE_KEY.search(text):
            return "it holds a private key"
        if any(URL_PASSWORD.match(w) for w in re.findall(r"[A-Za-z][A-Za-z0-9+.-]*://\S+", text)):
            return "it holds a URL with a password in it"
        for k, v in [*_SETTING.findall(text), *_ELEMENT.findall(text), *_INLINE.findall(text)]:
            if credential_env(k.replace("-", "_").replace(".", "_"), v.strip()):
                return f"it sets {k}"
    return ""


def bind_hint(src: str) -> str:
    """What to do instead of a bind mount the import leaves out, by what it mounts."""
    name = PurePosixPath(src).name
    if name in ("docker.sock", "containerd.sock", "podman.sock"):
        return "the container engine's socket: a pod gets none (it would command the node); use the tool's " \
               "Kubernetes integration, or leave the feature off"
    if src in ("/etc/localtime", "/etc/timezone"):
        return "the host's time zone: set `TZ` in `env:` (e.g. `TZ: Europe/Paris`) instead"
    if src.startswith(("/run/", "/var/run/", "/dev/", "/sys/", "/proc/")) or src in ("/run", "/dev", "/sys", "/proc"):
        return "the node's own sockets, devices or kernel: a pod reaches them only through a hostPath, which " \
               "skyspec does not write (it would hand the node to the pod); keep the service out of the cluster, " \
               "or give it another way to reach what it needs"
    return "put the files in the image, or in a ConfigMap mounted as a volume (mount a folder of the project's " \
           "files read-only, `:ro`, and the import carries it)"
