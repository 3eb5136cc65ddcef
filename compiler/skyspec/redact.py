"""Redaction: the one place that decides what of a secret may be printed (nothing).

A :class:`Redactor` knows secret *values* (strings; numbers by their text) and the *lines*
(file, line) of the user's files that hold one. Every printed thing passes through it:
:mod:`skyspec.diagnostics` scrubs each rendered diagnostic (message, hint, notes, code
frame; text, JSON and SARIF), and `explain`, `diff` and the Python API's errors scrub what
they print. A value is scrubbed wherever it appears, also as Python and JSON quote it,
cut short by a message (``'abcdefgh...``), or line by line when it spans lines; a frame
whose line holds a secret is not shown. Values shorter than :data:`MIN_CHARS` are not
scrubbed from text (they would be everywhere: ``1``, ``yes``): their lines are hidden and
the schema never echoes them. :func:`mask_syntax_line` shows a line of a file that did not
parse with every value masked, keys and structure kept. :func:`credential_env` is the one
rule of which `env:` entries are credentials (the SKY406 policy rule and the registration
of secrets both ask it).

Who registers what is decided above (``skyspec.layers.secrets``, the expression resolver);
this module only stores and scrubs. It is the bottom of the package: it must not import
any other skyspec module, read files, or know any spec kind.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable

MIN_CHARS = 4          # shorter values are not scrubbed from text (their lines are still hidden)
_CLIPPED_MIN = 8       # a cut-short prefix of a secret this long, followed by "...", is scrubbed
TOKENS = ("<redacted>", "<hidden>", "[secret]", "####")


class Redactor:
    """Secret values and the lines holding them, and the scrubbing of text and data."""

    def __init__(self) -> None:
        self.values: set[str] = set()            # every registered value, as text
        self.lines: set[tuple[str, int]] = set()  # (file, line) holding a secret
        self.secret_names: set[str] = set()       # names of the project's Secret documents
        self.raw_secrets: set[str] = set()        # names of its `kind: Resource` documents of a Secret
        self.public: set[str] = set()             # values not scrubbed from text (:meth:`publish`)
        self._forms: list[str] | None = None
        self._token: str | None = None

    # ------------------------------------------------------------------ registering
    def add(self, value: Any) -> None:
        """Register a secret value; a map or a list registers every value in it (not keys)."""
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, dict):
            for v in value.values():
                self.add(v)
            return
        if isinstance(value, (list, tuple)):
            for v in value:
                self.add(v)
            return
        text = value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else None
        if text is None or text in self.values:
            return
        self.values.add(text)
        self._forms = self._token = None

    def publish(self, value: str) -> None:
        """Stop scrubbing ``value`` from text (it is public: see the importer's
        ``Inputs.public_secrets``); it is still a secret to :meth:`holds`, and the lines
        holding it stay hidden."""
        self.public.add(value)
        self._forms = self._token = None

    def hide_line(self, file: str, line: int) -> None:
        self.lines.add((file, line))

    def merge(self, other: "Redactor") -> None:
        if other is self:
            return
        self.lines |= other.lines
        self.secret_names |= other.secret_names
        # public where one says so and the other does not hold it as a secret
        masked = (self.values - self.public) | (other.values - other.public)
        self.public = (self.public | other.public) - masked
        for v in other.values:
            self.add(v)

    @classmethod
    def union(cls, redactors: Iterable["Redactor"], lines: Iterable[tuple[str, int]] = ()) -> "Redactor":
        """One redactor for several (diagnostics from several collectors), plus extra lines."""
        rs = list(dict.fromkeys(r for r in redactors if r is not None))
        lines = set(lines or ())
        if len(rs) == 1 and not lines - rs[0].lines:
            return rs[0]
        out = cls()
        for r in rs:
            out.merge(r)
        out.lines |= lines
        return out

    # ------------------------------------------------------------------ asking
    def holds(self, value: Any) -> bool:
        """Whether ``value`` is (or, for a map or list, contains) a registered secret that
        is long enough to be scrubbed."""
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, (str, int, float)):  # a short one is as likely a coincidence
            text = value if isinstance(value, str) else str(value)
            return len(text) >= MIN_CHARS and text in self.values
        if isinstance(value, dict):
            return any(self.holds(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return any(self.holds(v) for v in value)
        return False

    def hides(self, file: str, line: int) -> bool:
        return (file, line) in self.lines

    # ------------------------------------------------------------------ scrubbing
    def forms(self) -> list[str]:
        """Every text form of every scrubbable value, longest first: as written, quoted by
        Python and by JSON, and each line of a value that spans lines."""
        if self._forms is None:
            out: set[str] = set()
            for v in self.values - self.public:
                for f in (v, repr(v)[1:-1], json.dumps(v)[1:-1], json.dumps(v, ensure_ascii=False)[1:-1]):
                    out.add(f)
                if "\n" in v or "\r" in v:
                    out.update(x.strip() for x in v.splitlines())
            self._forms = sorted((f for f in out if len(f) >= MIN_CHARS), key=lambda f: (-len(f), f))
        return self._forms

    @property
    def token(self) -> str:
        """What replaces a secret: ``<redacted>``, unless a secret is part of that word."""
        if self._token is None:
            forms = self.forms()
            self._token = next((t for t in TOKENS if not any(f in t for f in forms)), "*")
        return self._token

    def scrub(self, text: str) -> str:
        """``text`` with every secret in it replaced."""
        if not text or not self.values:
            return text
        forms = self.forms()
        if not forms:
            return text
        token = self.token
        for _ in range(4):  # a replacement next to other text could complete a secret again
            present = [f for f in forms if f in text]
            if present:
                text = re.sub("|".join(map(re.escape, present)), lambda m: token, text)
            if "..." in text:
                text = self._clipped(text, forms, token)
            if not any(f in text for f in forms):
                return text
        return token

    def _clipped(self, text: str, forms: list[str], token: str) -> str:
        """Prefixes of a secret cut short by a message (``"abcdefgh..."``)."""
        out, start = [], 0
        for m in re.finditer(r"\.\.\.", text):
            i = m.start()
            best = 0
            for f in forms:
                head = f[:_CLIPPED_MIN]
                p = text.find(head, start, i)
                while p != -1 and i - p > best:  # the first start that fits is the longest
                    if i - p < len(f) and f.startswith(text[p:i]):
                        best = i - p
                        break
                    p = text.find(head, p + 1, i)
            if best:
                out.append(text[start:i - best] + token)
                start = i
        out.append(text[start:])
        return "".join(out)

    def scrub_data(self, value: Any) -> Any:
        """A copy of JSON-like ``value`` with every secret in its strings (keys too)
        replaced, and every number that is a secret replaced by the token."""
        if not self.values:
            return value
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, (int, float)):
            return self.token if str(value) in self.values and len(str(value)) >= MIN_CHARS else value
        if isinstance(value, dict):
            return {self.scrub(k) if isinstance(k, str) else k: self.scrub_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub_data(v) for v in value]
        return self.scrub(str(value))

    def dumps(self, value: Any, **kw: Any) -> str:
        """``json.dumps`` of ``value`` scrubbed (and the text checked once more)."""
        return self.scrub(json.dumps(self.scrub_data(value), **kw))


# --------------------------------------------------------------------------- syntax errors

# the tokens of a line of YAML or TOML, compiled only to show a file that did not parse
_YAML_TOKEN = r"""
    (?P<ws>\s+)
  | (?P<comment>(?<!\S)\#.*)
  | (?P<quoted>"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?)
  | (?P<punct>[{}\[\],]|(?:---|\.\.\.)(?=\s|$)|-(?=\s|$)|\?(?=\s|$)|[|>][-+0-9]*(?=\s*(?:\#.*)?$))
  | (?P<plain>(?:[^\s{}\[\],:#]|:(?=[^\s{}\[\],])|\#|(?<=\S)\s+(?=[^\s#{}\[\],:]))+)
  | (?P<colon>:)
"""

_TOML_TOKEN = r"""
    (?P<ws>\s+)
  | (?P<comment>\#.*)
  | (?P<quoted>\"\"\"|'''|"(?:[^"\\]|\\.)*"?|'[^']*'?)
  | (?P<punct>[{}\[\],.])
  | (?P<plain>[^\s{}\[\],=#."']+)
  | (?P<colon>=)
"""


@lru_cache(maxsize=None)
def _tokens(sep: str) -> re.Pattern:
    return re.compile(_YAML_TOKEN if sep == ":" else _TOML_TOKEN, re.VERBOSE)


MASK = "****"


def _key_starts(toks: list, j: int, text: str, sep: str) -> bool:
    """Whether a key may start at token ``j``: first on the line, after `- `, `? `, `{`,
    `[` or `,` (and, in TOML, after the `.` of a dotted key)."""
    for kind, a, b in reversed(toks[:j]):
        if kind == "ws":
            continue
        return kind == "punct" and (text[a:b] in ("-", "?", "{", "[", ",") or sep == "=" and text[a:b] == ".")
    return True


def _before_sep(toks: list, j: int, text: str, sep: str) -> bool:
    """Whether the tokens from ``j`` on reach the key separator (TOML: across a dotted key)."""
    for kind, a, b in toks[j:]:
        if kind == "colon":
            return True
        if kind == "ws" or sep == "=" and (kind in ("plain", "quoted") or text[a:b] == "."):
            continue
        return False
    return False


def mask_syntax_line(text: str, sep: str = ":") -> tuple[str, list[int]]:
    """A line of a file that did not parse, with every value masked (``password: ****``):
    the document's kind is unknown, so any value may be a secret. Keys, punctuation and
    indentation stay. ``sep`` is ``:`` for YAML, ``=`` for TOML. Returns the masked line and,
    for each column of ``text`` (and one past its end), the column it moved to."""
    pattern = _tokens(sep)
    toks: list[tuple[str, int, int]] = []
    i = 0
    while i < len(text):
        m = pattern.match(text, i)
        if m is None or m.end() == i:
            toks.append(("plain", i, i + 1))
            i += 1
            continue
        toks.append((m.lastgroup or "plain", i, m.end()))
        i = m.end()
    header = sep == "=" and re.match(r"\s*\[\[?[^=\]]*\]\]?\s*(#.*)?$", text)  # a TOML [table]
    out: list[str] = []
    cols = [0] * (len(text) + 1)
    n = 0
    for j, (kind, a, b) in enumerate(toks):
        piece = text[a:b]
        is_key = kind in ("plain", "quoted") and _before_sep(toks, j + 1, text, sep) \
            and _key_starts(toks, j, text, sep)
        if kind == "comment":
            piece = "# " + MASK
        elif kind in ("plain", "quoted") and not is_key and not (header and kind == "plain"):
            piece = MASK
        for c in range(a, b):
            cols[c] = n + min(c - a, len(piece) - 1) if piece else n
        out.append(piece)
        n += len(piece)
    cols[len(text)] = n
    return "".join(out), cols


# --------------------------------------------------------------------------- credentials in env

WORDS = {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "CREDENTIAL", "CREDENTIALS", "CREDS",
         "APIKEY", "PSK"}
KEYS = {"API", "PRIVATE", "ACCESS", "SIGNING", "ENCRYPTION"}   # <word>_KEY anywhere: API_KEY_VALUE
# words that name a credential as a name's last word: PG_PASS, MYSQL_PWD (the MySQL client's), Mailu's
# INITIAL_ADMIN_PW, the RabbitMQ
# image's RABBITMQ_ERLANG_COOKIE, WordPress' AUTH_SALT, and <word>_KEY (MEILI_MASTER_KEY, Airflow's
# FERNET_KEY, Laravel's APP_KEY) unless the word before says it is a key of data (a PARTITION_KEY, a
# ROUTING_KEY) or a public one (PUBLIC_KEY, Stripe's PUBLISHABLE_KEY, reCAPTCHA's SITE_KEY); not
# PRIMARY: Rails' ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY (Mastodon's) is a credential; Langfuse's REDIS_AUTH
# (redis-server's `--requirepass`) and a proxy's BASIC_AUTH
LAST_WORDS = {"PASS", "PWD", "PW", "COOKIE", "SALT", "KEY", "AUTH"}
# a word ending in PASS is a password (mailcow's DBPASS, REDISPASS) but for these
NOT_PASS = {"BYPASS", "COMPASS", "ENCOMPASS", "SURPASS", "OVERPASS", "UNDERPASS", "TRESPASS", "PASS", "MASS"}
NOT_SECRET_KEYS = {"PARTITION", "SORT", "ROUTING", "FOREIGN", "CACHE", "SHARD", "GROUP", "QUEUE",
                   "PREFIX", "LOOKUP", "MAP", "INDEX", "RANGE", "OBJECT", "BUCKET", "IDEMPOTENCY", "DEDUP",
                   "DEDUPLICATION", "TOPIC", "MESSAGE", "LOCK", "UNIQUE", "PUBLIC", "PUBLISHABLE", "SITE", "HOT"}
# a last word that says what the variable tells about a credential, not the credential: where it is, how
# long it lives (Bank of Anthos' TOKEN_EXPIRY_SECONDS: 3600), how it is made or checked (JWT_ALGORITHM)
NOT_THE_VALUE = {"FILE", "PATH", "DIR", "NAME", "ID", "URL", "URI", "ENDPOINT", "HOST", "PORT", "TTL", "EXPIRY",
                 "EXPIRES", "LIFETIME", "TIMEOUT", "LENGTH", "LEN", "HEADER", "TYPE", "ENABLED", "REF", "ARN",
                 "VERSION", "REGION", "SECONDS", "SECS", "SEC", "MINUTES", "MINS", "HOURS", "DAYS", "MS", "MILLIS",
                 "MILLISECONDS", "DURATION", "AGE", "INTERVAL", "COUNT", "SIZE", "LIMIT", "ALGORITHM", "ALG",
                 "ISSUER", "AUDIENCE", "SCOPE", "SCOPES", "FORMAT", "MODE", "POLICY", "PROVIDER", "BACKEND",
                 "SIGNUP", "SIGNIN", "REGISTRATION"}   # (documenso's NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP)
URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]*:[^/@\s]+@")
# a switch about a password, not one: `MYSQL_ALLOW_EMPTY_PASSWORD: "1"`, bitnami's
# `ALLOW_EMPTY_PASSWORD: "yes"`, `MYSQL_RANDOM_ROOT_PASSWORD: "yes"` (the official images' flags),
# bitnami rabbitmq's `RABBITMQ_SECURE_PASSWORD: "yes"` and `RABBITMQ_UPDATE_PASSWORD: "no"`
SWITCH_WORDS = {"ALLOW", "EMPTY", "RANDOM", "GENERATE", "SKIP", "REQUIRE", "REQUIRED", "DISABLE", "DISABLED",
                "ENABLE", "NO", "USE", "SECURE", "UPDATE", "RESET", "CHANGE", "ROTATE", "FORCE", "VERIFY",
                "VALIDATE", "CHECK", "ENFORCE", "IGNORE", "PROMPT", "ENCRYPT", "ENCRYPTED", "HASHED", "PLAIN"}
SWITCH_VALUES = {"1", "0", "yes", "no", "y", "n", "on", "off", "true", "false"}


def _words(name: str) -> list[str]:
    """A variable's name in upper-case words: `_` and camelCase split (`apiKey` is API, KEY)."""
    return [w for w in re.split(r"_+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper()) if w]


@lru_cache(maxsize=4096)
def credential_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a credential itself."""
    # plural words name credentials too: Unleash's INIT_FRONTEND_API_TOKENS, API_KEYS, PASSWORDS
    words = [w[:-1] if w.endswith("S") and (w[:-1] in WORDS or w[:-1] in ("KEY", "COOKIE", "SALT") or
                                            w[:-1].endswith("PASSWORD")) else w for w in _words(name)]
    if not words or words[-1] in NOT_THE_VALUE:
        return False
    for i, w in enumerate(words):
        if w in WORDS or w.endswith(("PASSWORD", "PASSWD")) or (w == "KEY" and i > 0 and words[i - 1] in KEYS) or \
                (w.endswith("PASS") and w not in NOT_PASS):
            return True
    # a last word alone (`KEY`, the shell's `PWD`) names nothing
    return len(words) > 1 and words[-1] in LAST_WORDS and not (words[-1] == "KEY" and words[-2] in NOT_SECRET_KEYS)


def credential_env(name: Any, value: Any) -> str | None:
    """Why the `env:` entry ``name: value`` is a credential written as a literal value
    ("holds a URL with a password in it", "looks like a credential by its name"), or None.
    Values are taken as the environment gets them (``true``, ``8080``); maps and lists
    (not valid `env:` values) are not credentials."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str) or not isinstance(name, str):
        return None
    if URL_PASSWORD.match(value):
        return "holds a URL with a password in it"
    if credential_name(name) and value.strip() and value not in ("true", "false") and not value.startswith("/") \
            and not _switch(name, value):
        return "looks like a credential by its name"
    return None


def _switch(name: str, value: str) -> bool:
    """Whether ``name: value`` turns something about a credential on or off (a word such as
    ALLOW or RANDOM in the name, a yes/no value) rather than holding one."""
    return value.strip().lower() in SWITCH_VALUES and any(w in SWITCH_WORDS for w in _words(name))
