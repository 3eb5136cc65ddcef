"""A service reached by a name no Service has on Kubernetes, in a value moved to a Secret.

Found by a sweep of public Compose files: Rallly's web reads `DATABASE_URL=postgres://postgres:
postgres@rallly_db/rallly`. The service `rallly_db` is `rallly-db` on Kubernetes (a Service's
name is a DNS label); the URL holds a password, so it moved to a Secret, whose value the import
never writes and so does not rewrite. The warning said the caller reached the database "by an
address no environment value holds (an image's default, a config file)", which sent the user
looking for a config file, where the fix is the host in the value they supply.
"""

from __future__ import annotations

from skyspec.importer import import_compose


def test_a_renamed_address_in_a_secret_value_is_said_to_need_the_services_name(tmp_path):
    (tmp_path / "compose.yaml").write_text("""\
services:
  rallly_db:
    image: ghcr.io/acme/db:1.0
    expose: ["5432"]
  web:
    image: ghcr.io/acme/web:1.0
    environment: [DATABASE_URL=postgres://postgres:Sup3rS3cretPw@rallly_db/rallly]
    depends_on: [rallly_db]
  admin:
    image: ghcr.io/acme/admin:1.0
    depends_on: [rallly_db]
""")
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r.unexplained == [], r.unexplained
    (warned,) = [d for d in r.diags if "named rallly-db on Kubernetes" in d.message]
    assert warned.severity == "warning" and (warned.pos.line, warned.pos.col) == (2, 3)
    assert "while admin reaches it by an address no environment value holds" in warned.message
    assert "and web's DATABASE_URL (Secret web-env) names it rallly_db: a value moved to a Secret (holding a " \
        "credential), which the user supplies at deploy time and the import does not rewrite: it must name " \
        "rallly-db" in warned.message
    assert warned.hint.startswith("supply web's DATABASE_URL (Secret web-env) with the host rallly-db, not rallly_db")
    assert "web reaches it" not in warned.message and "Sup3rS3cretPw" not in warned.message + warned.hint
