"""Backups: `backup: {schedule, retention, location}` of a database as a CronJob.

The CronJob `<name>-backup` runs the component's dump tool (the module's `dump`) in the
database's own image against its Service, writing to a claim (`pvc://claim[/dir]`,
declared too, as a `kind: Resource`, when `size` is given) or to an S3 bucket
(`s3://bucket[/prefix]`: dumped into an emptyDir by an init container, uploaded by the AWS
CLI), and deletes dumps older than `retention` days. The password comes from the
component's credentials. This module knows no particular database (the dump tool is the
component's); it must not import the component modules nor anything above `skyspec.layers`.
"""

from __future__ import annotations

from ..diagnostics import Pos
from ..provenance import MISSING
from ._common import Component, Ctx, port_number
from ._doc import Doc, New, value_at

AWS_CLI_IMAGE = "amazon/aws-cli:2.22.0"
BACKUP_RESOURCES = {"cpu": "100m", "memory": "256Mi"}


def backup(doc: Doc, comp: Component, ctx: Ctx) -> None:
    """`backup:` -> a CronJob `<name>-backup` running the image's dump tool against the
    database's Service (and a PersistentVolumeClaim when `location` is a claim with `size`)."""
    b = doc.get("backup")
    if not isinstance(b, dict):
        return
    spec, L = doc.spec, doc.layer
    bpos = doc.where("backup")
    name = f"{spec.name}-backup"
    if not ctx.claim("CronJob", name, bpos, "the backup CronJob"):
        return
    port = port_number(doc.data, comp.port)
    if port is None:
        ctx.diags.error("SKY117", f'the backup needs the "{comp.port}" port of "{spec.name}"', doc.where("ports"),
                        hint=f'keep the "{comp.port}" port the {comp.name} template declares: the backup job '
                             f"connects to it")
        return
    location = b["location"]
    lpos = doc.where("backup", "location")
    scheme, _, rest = location.partition("://")
    rest = rest.strip("/")
    stamp = f"{spec.name}-$(date -u +%Y%m%dT%H%M%SZ)"
    # this database's dumps and nothing else (another's may share the folder: `db-2-...`)
    ours = spec.name + "-" + "[0-9]" * 8 + "T" + "[0-9]" * 6 + "Z.*"
    days = b.get("retention")

    job = New(L, bpos).gen("kind", "CronJob").gen("name", name)
    job.copy("namespace", spec, "namespace").copy("labels", spec, "labels")
    job.copy("schedule", spec, "backup", "schedule").copy("time_zone", spec, "backup", "time_zone")
    job.gen("concurrency", "Forbid").gen("history", {"successful": 3, "failed": 3}).gen("backoff_limit", 2)
    job.gen("connect_to", [spec.name])
    security = New(L, bpos)
    for k in ("run_as_user", "run_as_group"):
        security.copy(k, spec, "security", k)
    job.sub("security", security.gen("image_digest", False))
    res = value_at(spec.data, ("backup", "resources"))
    if res is MISSING:
        job.gen("resources", dict(BACKUP_RESOURCES))
    else:
        job.copy("resources", spec, "backup", "resources")

    def dump_container(target: New, folder: str) -> None:
        script, secrets, suffix = comp.dump(doc, spec.name, port, "$f.partial")
        target.copy("image", spec, "image")
        body = ["set -eu", f'mkdir -p "{folder}"', f'f="{folder}/{stamp}{suffix}"', script, 'mv "$f.partial" "$f"',
                'echo "backup: $f"']
        if scheme == "pvc" and days:
            body.append(f'find "{folder}" -maxdepth 1 -type f -name \'{ours}\' -mtime +{days} -print -delete')
        target.gen("command", ["sh", "-c", "\n".join(body) + "\n"], bpos)
        if secrets:
            sec = New(L, doc.where("credentials") if doc.get("credentials") is not MISSING else bpos)
            for var, (secret, key) in secrets.items():
                sec.gen(var, {"secret": secret, "key": key, "as": "file"})
            target.sub("secrets", sec)

    if scheme == "pvc":
        claim, _, sub = rest.partition("/")
        folder = "/backup" + (f"/{sub}" if sub else "")
        dump_container(job, folder)
        job.sub("volumes", New(L, lpos).gen("backup", {"claim": claim, "mount": "/backup"}))
        if b.get("size") is not None:
            _claim(doc, ctx, claim, lpos)
        elif ("Resource", claim) not in ctx.taken:
            ctx.diags.error("SKY114", f'backup.location names the claim "{claim}", which no `kind: Resource` declares',
                            lpos, hint=f"give the backup a `size` (e.g. `size: 50Gi`) and skyspec declares it, or "
                                       f"declare it (`kind: Resource`, `name: {claim}`, a PersistentVolumeClaim)")
            return
    else:
        bucket_path = rest
        init = New(L, bpos)
        dump = New(L, bpos)
        dump_container(dump, "/backup")
        dump.gen("mounts", {"backup": "/backup"})
        if res is MISSING:
            dump.gen("resources", dict(BACKUP_RESOURCES))
        else:
            dump.copy("resources", spec, "backup", "resources")
        job.sub("init", init.sub("dump", dump))
        s3 = b.get("s3") or {}
        if "image" in s3:
            job.copy("image", spec, "backup", "s3", "image")
        else:
            job.gen("image", AWS_CLI_IMAGE, lpos)
        env = New(L, bpos).gen("HOME", "/tmp")  # the AWS CLI caches in $HOME; the root filesystem is read-only
        if "region" in s3:
            env.copy("AWS_REGION", spec, "backup", "s3", "region")
        if "endpoint" in s3:
            env.copy("AWS_ENDPOINT_URL", spec, "backup", "s3", "endpoint")
        job.sub("env", env)
        lines = ["set -eu"]
        if "credentials" in s3:
            cpos = doc.where("backup", "s3", "credentials")
            sec = New(L, cpos)
            for var, key in (("AWS_ACCESS_KEY_ID", "access_key_id"), ("AWS_SECRET_ACCESS_KEY", "secret_access_key")):
                sec.gen(var, {"secret": s3["credentials"], "key": key, "as": "file"})
            job.sub("secrets", sec)
            lines.append('AWS_ACCESS_KEY_ID="$(cat "$AWS_ACCESS_KEY_ID_FILE")"; '
                         'AWS_SECRET_ACCESS_KEY="$(cat "$AWS_SECRET_ACCESS_KEY_FILE")"; '
                         "export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY")
        dest = f"s3://{bucket_path}"
        lines += [f'dest="{dest}"',
                  f"for f in /backup/{spec.name}-*; do",
                  '  aws s3 cp --only-show-errors "$f" "$dest/$(basename "$f")"',
                  '  echo "uploaded: $dest/$(basename "$f")"',
                  "done"]
        if days:
            # the dumps' names carry their UTC time: compare those with the cutoff
            lines += [f'cutoff="$(date -u -d "-{days} days" +%Y%m%dT%H%M%SZ)"',
                      'aws s3 ls "$dest/" | while read -r _ _ _ key; do',
                      f'  case "$key" in {ours}) ;; *) continue ;; esac',
                      f'  stamp="$(printf %s "$key" | sed -e \'s/^{spec.name}-//\' -e \'s/[.].*$//\')"',
                      '  if expr "$stamp" \\< "$cutoff" >/dev/null; then',
                      '    aws s3 rm --only-show-errors "$dest/$key" && echo "deleted: $dest/$key"',
                      "  fi",
                      "done"]
        job.gen("command", ["sh", "-c", "\n".join(lines) + "\n"], bpos)
        job.sub("volumes", New(L, lpos).gen("backup", {"empty": True, "mount": "/backup"}))
    ctx.out.append(job.spec(spec))


def _claim(doc: Doc, ctx: Ctx, claim: str, pos: Pos | None) -> None:
    """The backups' PersistentVolumeClaim, declared as a `kind: Resource` (ReadWriteOnce:
    one backup runs at a time)."""
    if ("Resource", claim) in ctx.taken:
        ctx.diags.error("SKY110", f'backup.size declares the claim "{claim}", which a `kind: Resource` declares '
                                  "already", doc.where("backup", "size"),
                        hint="drop `size` to use the declared claim")
        return
    ctx.taken.add(("Resource", claim))
    spec, L = doc.spec, doc.layer
    pvc_spec = New(L, pos).gen("accessModes", ["ReadWriteOnce"])
    pvc_spec.sub("resources", New(L, pos).sub("requests", New(L, pos).copy("storage", spec, "backup", "size")))
    if doc.get("backup", "class") is not MISSING:
        pvc_spec.copy("storageClassName", spec, "backup", "class")
    meta = New(L, pos).gen("name", claim)
    ns = doc.get("namespace")
    if ns is not MISSING:
        meta.copy("namespace", spec, "namespace")
    meta.gen("labels", {"app.kubernetes.io/name": claim, "app.kubernetes.io/managed-by": "skyspec"})
    manifest = New(L, pos).gen("apiVersion", "v1").gen("kind", "PersistentVolumeClaim").sub("metadata", meta)
    manifest.sub("spec", pvc_spec)
    r = New(L, pos).gen("kind", "Resource").gen("name", claim).sub("manifest", manifest)
    ctx.out.append(r.spec(spec))
