"""credential written as a literal `env:` value

A variable whose name says it holds a credential (`PASSWORD`, `PASSWD`, `PASSPHRASE`,
`SECRET`, `TOKEN`, `CREDENTIALS`, `PSK`, `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `SIGNING_KEY`,
`ENCRYPTION_KEY`, also inside a word as in `PGPASSWORD` or `apiKey`; and as its last word `PASS`,
`PWD`, `COOKIE`, `SALT`, `AUTH` (`REDIS_AUTH`), or `KEY` unless it is a key of data or a public one, as `ROUTING_KEY`
or `PUBLIC_KEY`), or whose value is a
URL with a password in it (`postgres://app:pw@db/shop`), set as a literal `env:` value:
the value is in the spec file, in version control, and in every generated manifest.
Reference a Secret under `secrets:` instead (`as: file` keeps it out of the environment
too). Names of something other than the credential itself are not reported: ending in
`_FILE`, `_PATH`, `_DIR`, `_NAME`, `_ID`, `_URL`, `_ENDPOINT`, `_TTL`, `_SECONDS`, `_LENGTH`,
`_ALGORITHM`, ... (as `AWS_ACCESS_KEY_ID`, `TOKEN_URL` or `TOKEN_EXPIRY_SECONDS`), values that
are empty, `true`/`false` or a path, and switches about a credential: a name with `ALLOW`,
`EMPTY`, `RANDOM`, `SKIP`, ... and a yes/no value (`MYSQL_ALLOW_EMPTY_PASSWORD: "1"`,
`MYSQL_RANDOM_ROOT_PASSWORD: "yes"`).

Messages never show the value. (Literal values in a `kind: Secret` are SKY119.)

PASS:

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
env:
  TOKEN_URL: https://auth.example.com/token
  DB_PASSWORD_FILE: /run/secrets/db/password
  MYSQL_ALLOW_EMPTY_PASSWORD: "1"
secrets:
  DB_PASSWORD: {secret: api-db, key: password}
---
kind: Secret
name: api-db
keys: [password]
```

FAIL:

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
env: {DB_PASSWORD: hunter2}  # <- a password
```

FAIL (a password inside a URL, and a name in camelCase):

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
env:
  CACHE_URL: redis://default:hunter2@cache:6379/0  # <- a URL with a password
  stripeApiKey: sk_live_51H8  # <- an API key
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ..redact import credential_env, credential_name  # noqa: F401  (the one rule of what a credential is)
from ._common import containers, where

ID = "secret-in-env"
CODE = "SKY406"
SEVERITY = "warning"
PROTECTED_SEVERITY = "error"


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        for c, at, who in containers(w):
            for e in c.env or []:
                origin = tuple(e.origin or ())
                # only what the spec wrote under `env:` (not Observability's, not `secrets:`)
                if e.secret or getattr(e, "file_ref", None) or origin[-2:-1] != ("env",):
                    continue
                what = credential_env(e.name, e.value if isinstance(e.value, str) else "")
                if what is None:
                    continue
                yield where(w.spec, *origin), f'env "{e.name}" of {who} {what}, written as a literal value', \
                    f"keep it in a Secret and reference it: `secrets: {{{e.name}: {{secret: NAME, key: KEY}}}}`"
