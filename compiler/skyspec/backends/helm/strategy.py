"""The rollout strategies in the Helm chart's values, in the terms of the specs: an app's
`image` and `replicas` are the spec's in every environment, whatever its strategy, and the
strategy's own fields are values beside them -- `blueGreen.active` (the color the Service
selects) and `blueGreen.previewImage` (what the idle color runs), `canary.image` and
`canary.percent`. The Deployments a strategy lowers to (kubernetes.py: `<app>-blue` and
`<app>-green`; `<app>` and `<app>-canary`) compute their images and replicas from these, as the
Kubernetes backend does, so `--set apps.api.image.tag=X` reaches the live color and the
stable track, and `--set apps.api.blueGreen.active=blue` moves the Service, the HPA and the
images together. Each knob is used only where it gives, in every environment, exactly the
object the Kubernetes backend made (checked here against the objects); elsewhere the chart
keeps the generic per-object values. A mixin of :class:`templates.Builder`: it registers
values and returns template nodes; it must not print template text.
"""

from __future__ import annotations

from typing import Any

from ...ir.model import Workload, canary_split
from .gotext import go_quote as _q
from .knobs import split_image
from .marks import Name
from .nodes import Ref, Tpl

COLOR = "skyspec.dev/color"
_COLORS = ("blue", "green")


class Strategies:
    """Strategy knobs (see the module docstring); ``self`` is a templates.Builder."""

    def _workload(self, env: str, name: str) -> Workload | None:
        return self.workloads.get((env, name))

    def blue_green(self, o) -> bool:
        """Whether ``o`` is an object of an app that is blue-green in an environment."""
        if o.home[:1] != ("apps",):
            return False
        return any((w := self._workload(e, o.wl)) is not None and w.strategy.type == "blue-green" for e in o.envs)

    def _roles(self, o) -> dict | None:
        """env -> (the app's Workload, role) for a Deployment of an app: ("color", c) for
        `<app>-<c>` of a blue-green app, "canary" for `<app>-canary` of a canary, "stable" for
        `<app>` itself (a canary's stable track, or the app's only Deployment)."""
        if o.kind != "Deployment" or o.home[:1] != ("apps",):
            return None
        out = {}
        for e in o.envs:
            w = self._workload(e, o.wl)
            if w is None or w.kind != "App":
                return None
            st = w.strategy.type
            if st == "blue-green" and o.name in (f"{w.name}-blue", f"{w.name}-green"):
                out[e] = (w, ("color", o.name[len(w.name) + 1:]))
            elif st == "canary" and o.name == f"{w.name}-canary":
                out[e] = (w, "canary")
            elif st not in ("blue-green",) and o.name == w.name:
                out[e] = (w, "stable")
            else:
                return None
        return out

    def _knobs(self, o, wanted: dict) -> dict | None:
        """Register ``wanted`` (name -> (path, env -> value, schema)) when every one of them
        can take its values (else nothing): name -> values path."""
        if not all(self.values.fits(p, vals, list(vals), schema) for p, vals, schema in wanted.values()):
            return None
        out = {}
        for k, (p, vals, schema) in wanted.items():
            out[k] = self.values.use(p, vals, list(vals), schema, strict=True)
            self.values.locs[out[k]].used = True
        return out

    def _strategy_values(self, o, roles: dict, need: tuple) -> dict | None:
        h = o.home
        wanted: dict[str, tuple] = {}
        ws = {e: w for e, (w, _) in roles.items()}
        if "image" in need:
            wanted["image"] = (h + ("image",), {e: split_image(w.main.image) for e, w in ws.items()}, "image")
        if "replicas" in need:
            wanted["replicas"] = (h + ("replicas",), {e: w.replicas for e, w in ws.items()}, "replicas")
        if "active" in need:
            wanted["active"] = (h + ("blueGreen", "active"), {e: w.strategy.active for e, w in ws.items()}, "color")
            wanted["preview"] = (h + ("blueGreen", "previewImage"),
                                 {e: split_image(w.strategy.preview_image) if w.strategy.preview_image else None
                                  for e, w in ws.items()}, "image")
        if "percent" in need:
            wanted["percent"] = (h + ("canary", "percent"),
                                 {e: w.strategy.percent if w.strategy.type == "canary" else 0
                                  for e, w in ws.items()}, "canarypercent")
        if "canary" in need:
            wanted["canary"] = (h + ("canary", "image"),
                                {e: split_image(w.strategy.canary_image) if w.strategy.canary_image else None
                                 for e, w in ws.items()}, "image")
        return self._knobs(o, wanted)

    # ------------------------------------------------------------------ the Deployments
    def strategy_image(self, c, vals: dict):
        """The main container's image of a color or canary Deployment, or None."""
        o = c.obj
        roles = self._roles(o)
        if not roles or c.kpath[:4] != ("spec", "template", "spec", "containers"):
            return None
        kinds = {r if type(r) is str else r[0] for _, r in roles.values()}
        if kinds == {"stable"} or len(kinds) > 1:
            return None
        for e, (w, role) in roles.items():
            if c.kpath[4] != (w.main.name,) or type(vals[e].get("image")) is not str:
                return None
            if vals[e]["image"] != _image(w, role):
                return None
        if kinds == {"canary"}:
            p = self._strategy_values(o, roles, ("image", "canary"))
            if p is None:
                return None
            return Tpl([f'include "{self.project}.image" (', ("arg", p["canary"]), " | default ",
                        ("arg", p["image"]), ") | toJson"]), None
        color = next(iter(roles.values()))[1][1]
        if any(r != ("color", color) for _, r in roles.values()):
            return None
        p = self._strategy_values(o, roles, ("image", "active"))
        if p is None:
            return None
        return Tpl([f'include "{self.project}.image" (ternary ', ("arg", p["image"]), " (", ("arg", p["preview"]),
                    " | default ", ("arg", p["image"]), ") (eq (toString ", ("arg", p["active"]),
                    f') "{color}")) | toJson']), None

    def strategy_replicas(self, c, vals: dict):
        """`spec.replicas` of a color Deployment, or of a canary's tracks: from the app's
        replicas (and the canary's percent), or None."""
        o = c.obj
        roles = self._roles(o)
        if not roles or c.kpath != ("spec", "replicas"):
            return None
        if any(type(vals[e]) is not int or type(w.replicas) is not int or vals[e] != _replicas(w, r)
               for e, (w, r) in roles.items()):
            return None
        kinds = {r if type(r) is str else r[0] for _, r in roles.values()}
        if kinds == {"canary"} or (kinds == {"stable"} and any(w.strategy.type == "canary" for w, _ in roles.values())):
            p = self._strategy_values(o, roles, ("replicas", "percent"))
            if p is None:
                return None
            return Tpl([f'include "{self.project}.canaryReplicas" (list ', ("arg", p["replicas"]), " ",
                        ("arg", p["percent"]), f' "{kinds.pop()}")'])
        if kinds != {"color"}:
            return None
        color = next(iter(roles.values()))[1][1]
        if any(r != ("color", color) for _, r in roles.values()):
            return None
        p = self._strategy_values(o, roles, ("replicas", "active"))
        if p is None:
            return None
        return Tpl(["ternary ", ("arg", p["replicas"]), " 0 (or (eq (toString ", ("arg", p["active"]),
                    f') "{color}") (not (empty ', ("arg", p["preview"]), "))) | toJson"])

    # ------------------------------------------------------------------ what selects them
    def strategy_node(self, c, vals: dict, optional: bool = False):
        """The Service's color (the active one; the preview Service's, the idle one) and the
        HPA's target of a blue-green app: (node, condition) from `blueGreen.active`, or None."""
        o = c.obj
        if o.home[:1] != ("apps",):
            return None
        ws = {e: self._workload(e, o.wl) for e in vals}
        if any(w is None for w in ws.values()):
            return None
        if o.kind == "HorizontalPodAutoscaler" and not optional:
            return self._hpa_target(c, vals, ws)
        if any(w.strategy.type != "blue-green" for w in ws.values()):
            return None
        active = {e: w.strategy.active for e, w in ws.items()}
        if o.kind == "Service" and c.kpath == ("spec", "selector", COLOR):
            if o.name == o.wl and all(vals[e] == active[e] for e in vals):
                flag = self._color_flag(o, c.envs, set(vals)) if optional else None
                if optional and flag is None:
                    return None
                p = self._knobs(o, {"active": (o.home + ("blueGreen", "active"), active, "color")})
                if p is None:
                    return None
                return Ref(p["active"]), flag
            if o.name == f"{o.wl}-preview" and not optional and all(vals[e] == _idle(active[e]) for e in vals):
                p = self._knobs(o, {"active": (o.home + ("blueGreen", "active"), active, "color")})
                if p is None:
                    return None
                return Tpl(['ternary "green" "blue" (eq (toString ', ("arg", p["active"]), ') "blue") | toJson']), None
        return None

    def _hpa_target(self, c, vals: dict, ws: dict):
        """The HPA's target: `<app>-<blueGreen.active>` where the app is blue-green (behind
        the blue Deployment's flag when only some environments are), `<app>` elsewhere."""
        o = c.obj
        bg = {e for e, w in ws.items() if w.strategy.type == "blue-green"}
        if c.kpath != ("spec", "scaleTargetRef", "name") or not bg or any(
                vals[e] != Name(f"{o.wl}-{w.strategy.active}" if e in bg else o.wl) for e, w in ws.items()):
            return None
        flag = self._color_flag(o, c.envs, bg) if len(bg) < len(ws) else None
        if len(bg) < len(ws) and flag is None:
            return None
        p = self._knobs(o, {"active": (o.home + ("blueGreen", "active"), {e: ws[e].strategy.active for e in bg},
                                       "color")})
        if p is None:
            return None
        name = ["(printf \"%s-%s\" ", _q(o.wl), " (toString ", ("arg", p["active"]), "))"]
        if flag is not None:
            name = ["(ternary "] + name + [" ", _q(o.wl), " ", ("arg", flag[1]), ")"]
        return Tpl([f'include "{self.project}.fullname" (list $ '] + name + [") | quote"]), None


    def _color_flag(self, o, envs: list, present: set) -> tuple | None:
        """The condition of a place of ``o`` (existing in ``envs``) that is there in the
        environments ``present`` exactly where the app's blue Deployment is: that Deployment's
        `enabled` flag (registered here as chart.py registers it), or None."""
        objects = self.values.objects
        blue = objects.get((o.fname, "Deployment", f"{o.wl}-blue", 0))
        if blue is None or {e for e in envs if e in blue.envs} != present:
            return None
        fe = [e for e in self.values.envs if any(e in x.envs for x in objects.values() if x.fname == o.fname)]
        path, vector = blue.node + ("enabled",), {e: e in blue.envs for e in fe}
        if len(blue.envs) == len(fe) or not self.values.fits(path, vector, fe, "flag"):
            return None
        return ("flag", self.ref((path,), vector, fe, "flag").path)


def _idle(active: str) -> str:
    return "green" if active == "blue" else "blue"


def _image(w: Workload, role: Any) -> str:
    """The image the Kubernetes backend gives the main container of a Deployment in ``role``."""
    st = w.strategy
    if role == "canary":
        return st.canary_image or w.main.image
    if type(role) is tuple and role[1] != st.active and st.preview_image:
        return st.preview_image
    return w.main.image


def _replicas(w: Workload, role: Any) -> int:
    st = w.strategy
    if role in ("stable", "canary"):
        split = canary_split(w.replicas or 0, st.percent if st.type == "canary" else 0)
        return split[0] if role == "stable" else split[1]
    return w.replicas if role[1] == st.active or st.preview_image else 0  # type: ignore[return-value]
