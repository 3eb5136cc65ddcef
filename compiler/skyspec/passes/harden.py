"""harden: secure defaults for every pod and container (reference/validators.md checklist).

Pods: `runAsNonRoot`, UID/GID 10001, `fsGroup`, seccomp `RuntimeDefault`, no service-account
token unless a Role binds the pod's ServiceAccount. Containers: no privilege escalation,
read-only root filesystem (with a writable emptyDir at /tmp), all capabilities dropped,
`imagePullPolicy: Always` for images not pinned by digest. A pod whose container listens on
a port below 1024 gets the safe sysctl `net.ipv4.ip_unprivileged_port_start` set to that
port, so the image binds it without root or NET_BIND_SERVICE. The NetworkPolicies and
Namespaces are the `network` pass's (`passes/network.py`).

Every default can be relaxed per workload under `security:` (run_as_root, run_as_user,
writable_root_fs, privilege_escalation, add_capabilities, service_account_token,
image_digest: false, network_policy: false); each relaxation is recorded in the IR's report
with the position that asked for it. Environment settings can turn the pass off
(`settings: {harden: false}`), e.g. for a local profile.
"""

from __future__ import annotations

from ..ir.model import IR, Context, Mount, Volume, Workload

DEFAULT_UID = 10001

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


def harden(ir: IR, ctx: Context) -> IR:
    if ir.settings.get("harden") is False:
        return ir
    bound = {sa for r in ir.roles for sa in r.bind}
    for w in ir.workloads:
        _pod(w, bound)
        for field, value in sorted(w.relax.items()):
            what = RELAXATIONS[field][0]
            pos = w.spec.where("security", field) if w.spec else None
            shown = f"{field}: {value}".replace("True", "true").replace("False", "false")
            ir.report.append(f"{w.name} {what} ({shown}, {pos})")
    return ir


def _pod(w: Workload, bound: set[str]) -> None:
    rel = w.relax
    root = bool(rel.get("run_as_root"))
    uid = rel.get("run_as_user", 0 if root else DEFAULT_UID)
    gid = rel.get("run_as_group", uid)
    pod: dict = {}
    if not root:
        pod["runAsNonRoot"] = True
    pod.update(runAsUser=uid, runAsGroup=gid, fsGroup=rel.get("fs_group", gid),
               seccompProfile={"type": "RuntimeDefault"})
    low = _low_port(w)
    if low is not None and "NET_BIND_SERVICE" not in (rel.get("add_capabilities") or []):
        pod["sysctls"] = [{"name": "net.ipv4.ip_unprivileged_port_start", "value": str(low)}]
    w.pod_security = pod
    writable = bool(rel.get("writable_root_fs"))
    caps: dict = {"drop": ["ALL"]}
    if rel.get("add_capabilities"):
        caps["add"] = list(rel["add_capabilities"])
    for c in w.containers + w.init_containers:
        sc: dict = {"allowPrivilegeEscalation": bool(rel.get("privilege_escalation", False)),
                    "readOnlyRootFilesystem": not writable, "capabilities": caps}
        if not root:
            sc["runAsNonRoot"] = True
        sc["runAsUser"] = uid
        c.security = sc
        c.pull_policy = "IfNotPresent" if "@sha256:" in c.image else "Always"
        if not writable and not any(m.path == "/tmp" for m in c.mounts):
            if not any(v.name == "tmp" for v in w.volumes):
                w.volumes.append(Volume("tmp", "empty"))
            c.mounts.append(Mount("tmp", "/tmp"))
    w.automount_token = bool(rel.get("service_account_token")) or (w.service_account in bound)



def _low_port(w: Workload) -> int | None:
    """The lowest port below 1024 a container listens on: without NET_BIND_SERVICE (every
    capability is dropped, root included) it can bind there only when the pod's
    `net.ipv4.ip_unprivileged_port_start` (a safe, namespaced sysctl) is at most that port."""
    low = [p.port for c in w.containers + w.init_containers for p in c.ports if p.port < 1024]
    return min(low) if low else None
