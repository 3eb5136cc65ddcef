"""What a Compose service reads from its env_files, on import, as Compose gives it.

Found by a sweep of public Compose files: Mautic's docker-mautic examples set the database's
address and credentials in `.mautic_env` from the project's `.env`
(`MAUTIC_DB_HOST="${MYSQL_HOST}"`), which Compose interpolates; the import kept the text
`${MYSQL_HOST}`, so Mautic, its cron and its worker looked for a host of that name.
"""

from __future__ import annotations

import yaml

from test_import_compose_networks import _imported


def _env(k8s: list[dict], name: str) -> dict:
    """{variable: value or secretKeyRef} of the Deployment ``name``'s container."""
    dep = next(o for o in k8s if o["kind"] == "Deployment" and o["metadata"]["name"] == name)
    c = dep["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


def test_an_env_file_value_naming_a_variable_of_the_dotenv_gets_its_value(tmp_path):
    files, _, k8s = _imported(tmp_path, """\
services:
  web:
    image: ghcr.io/acme/web:1.0
    env_file: [web.env]
    depends_on: [db]
  db:
    image: ghcr.io/acme/db:1.0
    expose: ["3306"]
""", {".env": "MYSQL_HOST=db\nMYSQL_PORT=3306\nMODE=fast\n",
      "web.env": 'DB_HOST="${MYSQL_HOST}"\nDB_PORT=$MYSQL_PORT\nMODE=slow\nRUN=${MODE}\nKEPT=${NOWHERE}\n'})
    web = yaml.safe_load(files["apps/web.yaml"])
    # (the file's own MODE before the `.env`'s, as Compose looks it up; one defined nowhere stays as written)
    want = {"DB_HOST": "db", "DB_PORT": "3306", "MODE": "slow", "RUN": "slow", "KEPT": "${NOWHERE}"}
    assert {k: web["env"][k] for k in want} == {k: v.replace("$", "$$") for k, v in want.items()}
    assert {k: _env(k8s, "web")[k] for k in want} == want
    built = yaml.safe_load((tmp_path / "built" / "dev" / "compose.yaml").read_text())
    assert {k: built["services"]["web"]["environment"][k] for k in want} == {
        k: v.replace("$", "$$") for k, v in want.items()}


def test_an_env_file_credential_from_the_dotenv_is_a_secret_never_written(tmp_path):
    files, _, _ = _imported(tmp_path, """\
services:
  web:
    image: ghcr.io/acme/web:1.0
    env_file: web.env
""", {".env": "MYSQL_PASSWORD=s3cr3t-Pw0rd-9\n", "web.env": 'DB_PASSWORD="${MYSQL_PASSWORD}"\n'})
    web = yaml.safe_load(files["apps/web.yaml"])
    assert web["secrets"] == {"DB_PASSWORD": {"secret": "web-env", "key": "DB_PASSWORD"}}
    assert not any("s3cr3t-Pw0rd-9" in text for text in files.values())
    assert not any("s3cr3t-Pw0rd-9" in f.read_text() for f in (tmp_path / "built").rglob("*") if f.is_file())
