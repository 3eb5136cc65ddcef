"""harden: secure defaults for every pod and container (reference/validators.md checklist).

Pods: `runAsNonRoot`, UID/GID 10001, `fsGroup`, seccomp `RuntimeDefault`, no service-account
token unless its ServiceAccount is granted one (a Role's `bind:`, a RoleBinding kept as a
Resource naming it, or its own `automount_token: true`). Containers: no privilege escalation,
read-only root filesystem (with a writable emptyDir at /tmp), all capabilities dropped,
`imagePullPolicy: Always` for images not pinned by digest. A pod whose container listens on
a port below 1024 gets the safe sysctl `net.ipv4.ip_unprivileged_port_start` set to that
port, so the image binds it without root or NET_BIND_SERVICE. The NetworkPolicies and
Namespaces are the `network` pass's (`passes/network.py`).

Every default can be relaxed per workload under `security:` (run_as_root, run_as_user: a UID
or `image`, the image's own USER, still checked non-root by the kubelet, writable_root_fs, privilege_escalation, add_capabilities, service_account_token,
image_digest: false, network_policy: false); each relaxation is recorded in the IR's report
with the position that asked for it. Environment settings can turn the pass off
(`settings: {harden: false}`), e.g. for a local profile.
"""

from __future__ import annotations

import posixpath

from ..ir import why
from ..ir.model import IR, Context, Mount, Volume, Workload

# The hardened defaults (documented: `skyspec explain` points at these lines); `security:` relaxes each.
DEFAULT_UID = 10001            # runAsUser, runAsGroup and fsGroup (`security.run_as_user`, `run_as_group`, `fs_group`)
IMAGE_USER = "image"           # `security.run_as_user: image`: no runAsUser, the image's USER runs (still non-root)
RUN_AS_NON_ROOT = True         # pods and containers refuse to run as root (`security.run_as_root`)
SECCOMP_PROFILE = "RuntimeDefault"   # the pod's seccomp profile
DROP_CAPABILITIES = ("ALL",)   # capabilities dropped (`security.add_capabilities` adds some back)
PRIVILEGE_ESCALATION = False   # allowPrivilegeEscalation (`security.privilege_escalation`)
READ_ONLY_ROOT_FS = True       # readOnlyRootFilesystem (`security.writable_root_fs`)
TMP_DIR = "/tmp"               # a writable emptyDir mounted here when the root filesystem is read-only
AUTOMOUNT_TOKEN = False        # no service-account token (`security.service_account_token`, or a binding: _grants)

RELAXATIONS = {  # field -> what it relaxes (and the checkov checks it waives)
    "run_as_root": ("may run as root", ["CKV_K8S_23", "CKV_K8S_40"]),
    "run_as_user": ("runs as a chosen UID", ["CKV_K8S_40"]),
    "run_as_group": ("runs with a chosen GID", []),
    "fs_group": ("uses a chosen fsGroup", []),
    "writable_root_fs": ("writes to its root filesystem", ["CKV_K8S_22"]),
    "privilege_escalation": ("may escalate privileges", ["CKV_K8S_20"]),
    "add_capabilities": ("adds capabilities", ["CKV_K8S_37", "CKV_K8S_39"]),
    "service_account_token": ("mounts a service-account token", ["CKV_K8S_38"]),
    "image_digest": ("is pinned by tag, not digest", ["CKV_K8S_43"]),
    "network_policy": ("has no NetworkPolicy", ["CKV2_K8S_6"]),
}

_R = why.Rule
NON_ROOT = _R("harden.run-as-non-root", "pods and containers must not run as root, unless `security.run_as_root`")
UID = _R("harden.run-as-user", "pods and containers run as a fixed non-root UID, unless `security` chooses one")
GID = _R("harden.run-as-group", "the pod's group is its UID, unless `security.run_as_group`")
FS_GROUP = _R("harden.fs-group", "volumes belong to the pod's group, unless `security.fs_group`")
SECCOMP = _R("harden.seccomp", "every pod runs under the runtime's default seccomp profile")
LOW_PORT = _R("harden.low-port", "a pod listening below port 1024 may bind from that port up without privileges")
ESCALATION = _R("harden.privilege-escalation", "no privilege escalation, unless `security.privilege_escalation`")
READ_ONLY = _R("harden.read-only-root", "a read-only root filesystem, unless `security.writable_root_fs`")
DROP = _R("harden.drop-capabilities", "every capability is dropped")
ADD = _R("harden.add-capabilities", "the capabilities `security.add_capabilities` adds back")
PULL = _R("harden.pull-policy", "Always pull an image not pinned by digest (a tag can move), IfNotPresent a pinned one")
TMP = _R("harden.tmp", "a writable emptyDir at /tmp when the root filesystem is read-only")
TOKEN = _R("harden.service-account-token", "no service-account token, unless `security.service_account_token`, "
                                           "a Role or RoleBinding binds the pod's ServiceAccount, or the account's "
                                           "own `automount_token: true`")


def _d(name: str, label: str = "") -> why.In:
    return why.default(__name__, name, label=label)


_DEFAULT = {"pod.runAsNonRoot": why.Why(NON_ROOT, (_d("RUN_AS_NON_ROOT"),)),
            "pod.runAsUser": why.Why(UID, (_d("DEFAULT_UID"),), DEFAULT_UID),
            "pod.seccompProfile": why.Why(SECCOMP, (_d("SECCOMP_PROFILE"),)),
            "security.allowPrivilegeEscalation": why.Why(ESCALATION, (_d("PRIVILEGE_ESCALATION"),)),
            "security.readOnlyRootFilesystem": why.Why(READ_ONLY, (_d("READ_ONLY_ROOT_FS"),), READ_ONLY_ROOT_FS),
            "security.capabilities.drop": why.Why(DROP, (_d("DROP_CAPABILITIES"),)),
            "automount_token": why.Why(TOKEN, (_d("AUTOMOUNT_TOKEN"),))}
_DEFAULT["pod.runAsGroup"] = why.Why(GID, (why.derived(_DEFAULT["pod.runAsUser"], "the UID"),), DEFAULT_UID)
_DEFAULT["pod.fsGroup"] = why.Why(FS_GROUP, (why.derived(_DEFAULT["pod.runAsGroup"], "the group"),))
_DEFAULT["security.runAsNonRoot"] = _DEFAULT["pod.runAsNonRoot"]
_DEFAULT["security.runAsUser"] = _DEFAULT["pod.runAsUser"]
_TMP = why.Why(TMP, (why.derived(_DEFAULT["security.readOnlyRootFilesystem"], "the read-only root filesystem"),
                     _d("TMP_DIR")))
_PULL_MAIN = why.Why(PULL, (why.own("image", label="the image"),))


def harden(ir: IR, ctx: Context) -> IR:
    if ir.settings.get("harden") is False:
        return ir
    grants = _grants(ir)
    for w in ir.workloads:
        granted = grants.get((w.namespace, w.service_account)) or grants.get((None, w.service_account))
        _pod(w, granted is not None)
        if w.relax or granted is not None or len(w.containers) > 1 or w.init_containers:
            _record(w, granted)
        else:   # the common case: the defaults' records, shared
            w.why["harden"] = _DEFAULT
        for field, value in sorted(w.relax.items()):
            what = RELAXATIONS[field][0]
            pos = w.spec.where("security", field) if w.spec else None
            shown = f"{field}: {value}".replace("True", "true").replace("False", "false")
            ir.report.append(f"{w.name} {what} ({shown}, {pos})")
    return ir


def _tmp_volume(w: Workload) -> str:
    """The name of the emptyDir this pass mounts at /tmp: `tmp`, made once per pod, or
    `tmp-N` where the spec has a volume of its own named `tmp` (mounted elsewhere: a
    ConfigMap's files at /tmp would leave nothing writable there)."""
    taken = {v.name for v in w.volumes}
    name, i = "tmp", 0
    while name in taken and w.why.get(f"volume.{name}") is not _TMP:
        i += 1
        name = f"tmp-{i}"
    if name not in taken:
        w.volumes.append(Volume(name, "empty"))
        w.why[f"volume.{name}"] = _TMP
    return name


def _grants(ir: IR) -> dict:
    """{(namespace or None, ServiceAccount name): (spec, path, what)}: the accounts whose pods
    keep their API token, and what grants it: a Role's `bind:`, a RoleBinding or
    ClusterRoleBinding kept as a Resource naming it as a subject (kubebuilder's
    `manager-rolebinding` of `manager-role`: its controller would start without a token and
    crash), or the account's own `automount_token: true`."""
    out: dict = {}
    for r in ir.roles:
        for i, sa in enumerate(r.bind):
            out.setdefault((None, sa), (r.spec, ("bind", i), "the Role binding the ServiceAccount"))
    for raw in ir.raw:
        o = raw["object"]
        if o.get("kind") not in ("RoleBinding", "ClusterRoleBinding") or not isinstance(o.get("subjects"), list):
            continue
        ns = (o.get("metadata") or {}).get("namespace")
        for i, sub in enumerate(o["subjects"]):
            if isinstance(sub, dict) and sub.get("kind") == "ServiceAccount" and isinstance(sub.get("name"), str):
                at = sub.get("namespace") or ns
                out.setdefault((at if isinstance(at, str) else None, sub["name"]),
                               (raw["spec"], ("manifest", "subjects", i), f"the {o['kind']} naming the ServiceAccount"))
    for a in ir.accounts:
        if a.automount:
            out.setdefault((a.namespace, a.name), (a.spec, ("automount_token",), "the ServiceAccount's automount_token"))
    return out


def _ids(rel: dict) -> dict:
    """The pod's runAsUser, runAsGroup and fsGroup. With `run_as_user: image` no UID is set and
    the image's USER runs (Argo CD's repo-server says only `runAsNonRoot`: its git over SSH
    needs user 999's /etc/passwd entry, and UID 10001 has none), in the image's group unless
    `run_as_group`; the volumes still belong to the hardened group (a supplementary group of
    whichever user runs), so they stay writable."""
    uid = rel.get("run_as_user", 0 if rel.get("run_as_root") else DEFAULT_UID)
    if uid == IMAGE_USER:
        gid = rel.get("run_as_group")
        ids = {} if gid is None else {"runAsGroup": gid}
        return {**ids, "fsGroup": rel.get("fs_group", DEFAULT_UID if gid is None else gid)}
    gid = rel.get("run_as_group", uid)
    return {"runAsUser": uid, "runAsGroup": gid, "fsGroup": rel.get("fs_group", gid)}


def _pod(w: Workload, bound: bool) -> None:
    rel = w.relax
    root = bool(rel.get("run_as_root"))
    pod: dict = {}
    if not root:
        pod["runAsNonRoot"] = RUN_AS_NON_ROOT
    pod.update(_ids(rel), seccompProfile={"type": SECCOMP_PROFILE})
    low = _low_port(w)
    if low is not None and "NET_BIND_SERVICE" not in (rel.get("add_capabilities") or []):
        pod["sysctls"] = [{"name": "net.ipv4.ip_unprivileged_port_start", "value": str(low)}]
        w.why["pod.sysctls"] = why.Why(LOW_PORT, tuple(why.spec(w.spec, *at) for at in _low_port_at(w)))
    w.pod_security = pod
    writable = bool(rel.get("writable_root_fs"))
    caps: dict = {"drop": list(DROP_CAPABILITIES)}
    if rel.get("add_capabilities"):
        caps["add"] = list(rel["add_capabilities"])
    for c in w.containers + w.init_containers:
        sc: dict = {"allowPrivilegeEscalation": bool(rel.get("privilege_escalation", PRIVILEGE_ESCALATION)),
                    "readOnlyRootFilesystem": not writable, "capabilities": caps}
        if not root:
            sc["runAsNonRoot"] = RUN_AS_NON_ROOT
        if "runAsUser" in pod:
            sc["runAsUser"] = pod["runAsUser"]
        c.security = sc
        c.pull_policy = "IfNotPresent" if "@sha256:" in c.image else "Always"
        if not writable and not any(posixpath.normpath(m.path) == TMP_DIR for m in c.mounts):  # (`/tmp/` too)
            c.mounts.append(Mount(_tmp_volume(w), TMP_DIR))
            c.why["mount.tmp"] = _TMP
    w.containers[0].why["pull_policy"] = _PULL_MAIN
    w.automount_token = bool(rel.get("service_account_token", AUTOMOUNT_TOKEN)) or bound


def _record(w: Workload, granted: tuple | None) -> None:
    """Why each hardened field is what it is, in ``w.why["harden"]`` (field -> record): the
    default, or the relaxation (or what grants the account's token: :func:`_grants`) that
    chose it."""
    rel, spec = w.relax, w.spec
    if not rel and granted is None:
        w.why["harden"] = _DEFAULT   # the defaults' records, shared by every workload that relaxes none
    else:  # what `security:` (or a Role binding) changed
        made = w.why["harden"] = dict(_DEFAULT)

        def sec(field: str, label: str = "") -> why.In:
            return why.spec(spec, "security", field, label=label)

        if "run_as_root" in rel:
            made["pod.runAsNonRoot"] = made["security.runAsNonRoot"] = why.Why(NON_ROOT, (sec("run_as_root"),))
        if "run_as_user" in rel or rel.get("run_as_root"):
            made["pod.runAsUser"] = made["security.runAsUser"] = uid = why.Why(
                UID, (sec("run_as_user" if "run_as_user" in rel else "run_as_root"),), w.pod_security.get("runAsUser"))
            made["pod.runAsGroup"] = why.Why(GID, (why.derived(uid, "the UID"),), w.pod_security.get("runAsUser"))
        if "run_as_group" in rel:
            made["pod.runAsGroup"] = why.Why(GID, (sec("run_as_group"),), rel["run_as_group"])
        made["pod.fsGroup"] = why.Why(FS_GROUP, (sec("fs_group"),)) if "fs_group" in rel else \
            why.Why(FS_GROUP, (why.derived(made["pod.runAsGroup"], "the group"),)) if "runAsGroup" in w.pod_security \
            else why.Why(FS_GROUP, (_d("DEFAULT_UID"),))   # (`run_as_user: image`: the image's group)
        if "privilege_escalation" in rel:
            made["security.allowPrivilegeEscalation"] = why.Why(ESCALATION, (sec("privilege_escalation"),))
        if "writable_root_fs" in rel:
            made["security.readOnlyRootFilesystem"] = why.Why(READ_ONLY, (sec("writable_root_fs"),),
                                                              not rel["writable_root_fs"])
        if rel.get("add_capabilities"):
            made["security.capabilities.add"] = why.Why(ADD, (sec("add_capabilities"),))
        if "service_account_token" in rel:
            made["automount_token"] = why.Why(TOKEN, (sec("service_account_token"),))
        elif granted is not None:
            by, path, label = granted
            made["automount_token"] = why.Why(TOKEN, (why.spec(by, *path, label=label), why.spec(spec, "service_account")))
    for c, at in _containers(w):
        if at:
            c.why["pull_policy"] = why.Why(PULL, (why.spec(spec, *at, "image", label="the image"),))


def _containers(w: Workload):
    yield w.containers[0], ()
    for c in w.containers[1:]:
        yield c, ("sidecars", c.name)
    for c in w.init_containers:
        yield c, ("init", c.name)


def _low_port_at(w: Workload) -> list[tuple]:
    """The spec paths of the lowest port below 1024 (the main container's `port`/`ports`)."""
    low = _low_port(w)
    out = []
    for c, at in _containers(w):
        for p in c.ports:
            if p.port == low:
                d = w.spec.data if w.spec is not None else {}
                for part in at:
                    d = d.get(part) or {} if isinstance(d, dict) else {}
                out.append(at + (("ports", p.name) if p.name in (d.get("ports") or {}) else ("port",)))
    return out[:1]


def _low_port(w: Workload) -> int | None:
    """The lowest port below 1024 a container listens on: without NET_BIND_SERVICE (every
    capability is dropped, root included) it can bind there only when the pod's
    `net.ipv4.ip_unprivileged_port_start` (a safe, namespaced sysctl) is at most that port."""
    low = [p.port for c in w.containers + w.init_containers for p in c.ports if p.port < 1024]
    return min(low) if low else None
