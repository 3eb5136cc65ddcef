"""What a Compose service's own build says about the volumes it needs (:mod:`.dockerfile`
reads the Dockerfile): each `VOLUME` gets an emptyDir, and an emptyDir where the image holds
files is filled from the image first, as Docker fills a new anonymous volume."""

from __future__ import annotations


def built_of(svc: dict, base, variables: dict):
    """What the Dockerfile of ``svc``'s `build` says (:class:`.dockerfile.Built`), its build
    args interpolated, read under ``base`` (the Compose file's folder); None without one."""
    from .compose import interpolate
    from .dockerfile import read

    b = svc.get("build")
    if b is None or base is None:
        return None
    raw = b.get("args") if isinstance(b, dict) else None
    items = raw.items() if isinstance(raw, dict) else (str(a).partition("=")[::2] for a in raw) \
        if isinstance(raw, list) else ()
    args = {str(k): interpolate(str(v), variables, set()) for k, v in items if v is not None}
    return read(base, b, args)


def dockerfile(s: str, svc: dict, image: str, vols: dict, storage: dict, ctx):
    """What the service's own Dockerfile says (:mod:`.dockerfile`: the image it is built from,
    its VOLUMEs), or None; each folder it declares `VOLUME` that nothing is mounted at gets an
    emptyDir in ``vols`` (Docker gives it an anonymous volume, writable; here the root
    filesystem is read-only), said in a note. Where the image puts files there (`COPY config
    /etc/app` before `VOLUME /etc/app`), an init container of ``image`` fills the emptyDir from
    it first, as Docker fills a new anonymous volume (``ctx.image_inits``)."""
    from .official import covered, filled_from_image, volume_name

    built = built_of(svc, ctx.base, ctx.vars)
    if built is None:
        return None
    mounts = [m for m in [v.get("mount") for v in vols.values()] +
              [v.get("mount") for v in storage.values() if isinstance(v, dict)] if isinstance(m, str)]
    for path in built.volumes:
        if covered(path, mounts):
            continue
        name = volume_name(path, set(vols) | set(storage), "image-", "image-root")
        vols[name] = {"empty": True, "mount": path}
        mounts.append(path)
        ctx.image_volumes.setdefault(s, set()).add(path)
        filled = built.ships(path)
        if filled:
            init, spec = filled_from_image(image, path, name)
            ctx.image_inits.setdefault(s, {})[init] = spec
        ctx.say(s, f"VOLUME {path} of its Dockerfile: Docker gives it an anonymous volume, writable; an emptyDir "
                   "here (the root filesystem is read-only)" + (", filled from the image first, as Docker fills it "
                                                                "(the image puts files there)" if filled else ""),
                ("build",))
    _anonymous(s, image, built, vols, ctx)
    return built


def _anonymous(s: str, image: str, built, vols: dict, ctx) -> None:
    """A Compose anonymous volume (`- /app/node_modules`) in a folder the image may hold
    files in: Docker fills it from the image, so an init container of ``image`` copies them
    into its emptyDir first (an empty one would hide the `node_modules` that `RUN npm ci`
    made). Not for an image built on `scratch` or distroless: no shell runs the copy."""
    from .official import filled_from_image

    base = str(built.base or "").lower()
    if not base or "distroless" in base:
        return
    for name, v in vols.items():
        if not name.startswith("scratch-") or not built.may_hold(v["mount"]):
            continue
        init, spec = filled_from_image(image, v["mount"], name, maybe=True)
        ctx.image_inits.setdefault(s, {})[init] = spec
        ctx.image_volumes.setdefault(s, set()).add(v["mount"])
        ctx.say(s, f"anonymous volume {v['mount']}: Docker fills it from the image, which may hold files there (its "
                   "Dockerfile copies or runs commands in that folder): an emptyDir, filled from the image first",
                ("volumes", int(name[8:])))
