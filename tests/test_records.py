"""skyspec's Record classes (skyspec/record.py: the IR's, the cost estimate's, the project's,
the output plan's...) behave as the dataclasses they replaced: the same fields in the same
order, the same defaults (a new list, dict, set or object per instance for a
`default_factory` field; an argument, None included, kept as given), equality, no hash,
repr, `__match_args__`, `__slots__` where the dataclass had `slots=True`, errors for a bad
call, pickling. The reference is a dataclass made from each class's fields as the
dataclasses declared them (commit 8639302): `name` has no default, `name=value` a default,
`name=[]`, `{}`, `set()`, `Resources()` or `Strategy()` a factory."""

from __future__ import annotations

import dataclasses
import importlib
import pickle

import pytest

from skyspec.ir import model
from skyspec.record import Record

DECLARED = {
    "ir.model:Port": "name port protocol='TCP' host_port=None service_port=None",
    "ir.model:Probe": "type path=None port=None command=None headers={} service=None initial_delay=None period=None "
                      "timeout=None failure_threshold=None success_threshold=None scheme=None",
    "ir.model:EnvVar": "name value=None secret=None origin=None file_ref=None compose=None why=None field=None "
                       "config=None",
    "ir.model:Resources": "cpu=None memory=None cpu_limit=None memory_limit=None",
    "ir.model:Mount": "volume path read_only=False sub_path=None",
    "ir.model:Volume": "name type source=None memory=False size=None",
    "ir.model:Storage": "name size mount storage_class=None access='ReadWriteOnce'",
    "ir.model:Container": "name image command=None args=None ports=[] env=[] resources=Resources() liveness=None "
                          "readiness=None startup=None mounts=[] env_from=[] post_start=None pre_stop=None security={} "
                          "pull_policy=None why={}",
    "ir.model:Strategy": "type='rolling' max_surge=None max_unavailable=None partition=None active='blue' preview_image=None "
                         "percent=0 canary_image=None",
    "ir.model:Autoscale": "min max cpu=None memory=None",
    "ir.model:JobSpec": "completions=None parallelism=None backoff_limit=None active_deadline=None ttl=None restart='OnFailure'",
    "ir.model:CronSpec": "schedule time_zone=None concurrency=None successful_history=None failed_history=None suspend=None "
                         "starting_deadline=None",
    "ir.model:Exposure": "service_type='ClusterIP' port=None host=None path='/' tls=None ingress_class=None node_port=None "
                         "source_ranges=[]",
    "ir.model:Workload": "kind name namespace containers labels={} annotations={} replicas=None expose=None service=False "
                         "connect_to=[] connections={} connect_at=[] init_containers=[] volumes=[] storage=[] "
                         "strategy=Strategy() autoscale=None pod_management=None job=None cron=None node_selector={} "
                         "tolerations=[] spread=[] affinity=None priority_class=None pull_secrets=[] service_account=None "
                         "termination_grace=None pod_annotations={} pod_security={} automount_token=None k8s={} relax={} "
                         "pdb=None spec=None origin={} why={}",
    "ir.model:ConfigData": "name namespace data labels={} annotations={} k8s={} spec=None existing=False",
    "ir.model:SecretRef": "name namespace mode keys=[] type=None store=None store_kind='SecretStore' refresh=None remote={} "
                          "labels={} annotations={} spec=None",
    "ir.model:Account": "name namespace automount=None labels={} annotations={} k8s={} spec=None existing=False",
    "ir.model:RoleDef": "kind name namespace rules bind=[] labels={} annotations={} k8s={} spec=None",
    "ir.model:NetPolicy": "name namespace select deny_all=False allow_from=[] allow_to=[] ports=[] labels={} annotations={} "
                          "k8s={} generated=False types=None owner=None rules=None egress=None spec=None why={}",
    "ir.model:Monitor": "name namespace app port path='/metrics' interval=None spec=None",
    "ir.model:IR": "project namespace env workloads=[] target=None protected=False settings={} report=[] invalid=set() "
                   "unbound=set() disabled={} configs=[] secrets=[] accounts=[] roles=[] netpols=[] monitors=[] "
                   "pod_security=None raw=[] quota=None cost=None why={} inputs=None",
    "ir.model:Context": "project env diags render=None",
    "cost.estimate:Line": "name kind pods cpu memory storage pod_hours cpu_cost memory_cost storage_cost runs=None "
                          "run_seconds=None notes=[] schedule=None default_run=False",
    "cost.estimate:CostReport": "env target prices lines budget=None budget_pos=None notes=[]",
    "cost.usage:Defaults": "cpu=None memory=None",
    "cost.usage:Usage": "name kind pods pod_cpu pod_memory storage notes=[] missing=[] workload=None",
    "cost.quota:QuotaReport": "name limits={} used={} usage=[]",
    "syscheck:Finding": "code severity obj message hint=None about=() other=None",
    "syscheck.objects:System": "objects namespace='default' existing=set() ingress_namespace='ingress-nginx'",
    "output.write:_Manifest": "hashes={} recorded={} folders=set()",
    "output.write:_Plan": "write replaced stale mkdirs kept_folders hashes data kept manifest=None",
    "project:Target": "name environments select={} overlays=[] namespace=None",
    "project:Project": "root file name namespace specs environments outputs vars targets data prov limits=DEFAULT "
                       "base='' gitops=None python=False asks_python=False",
    "layers.templates:Template": "name layer kind params spec loc chain=[]",
    "components._common:Ctx": "diags by_name taken out=[]",
    "components.celery:_Endpoint": "var url target pos secret=None template=''",
}
SLOTS = {"cost.estimate:Line", "cost.usage:Usage"}  # dataclass(slots=True)
FACTORIES = {"[]": list, "{}": dict, "set()": set, "Resources()": model.Resources, "Strategy()": model.Strategy}


def _module(name: str):
    return importlib.import_module(f"skyspec.{name.split(':')[0]}")


def current(name: str) -> type:
    return getattr(_module(name), name.split(":")[1])


def reference(name: str) -> type:
    """The dataclass ``name`` was."""
    spec = []
    for part in DECLARED[name].split():
        field, eq, default = part.partition("=")
        if not eq:
            spec.append((field, object))
        elif default in FACTORIES:
            spec.append((field, object, dataclasses.field(default_factory=FACTORIES[default])))
        else:
            spec.append((field, object, dataclasses.field(default=eval(default, vars(_module(name))))))
    return dataclasses.make_dataclass(name.split(":")[1], spec, slots=name in SLOTS)


def required(name: str) -> list[str]:
    return [p for p in DECLARED[name].split() if "=" not in p]


def fields(name: str) -> list[str]:
    return [p.partition("=")[0] for p in DECLARED[name].split()]


def state(obj) -> dict:
    return {f: getattr(obj, f) for f in type(obj).__match_args__}


def test_every_record_is_declared():
    found = set()
    for module in {n.split(":")[0] for n in DECLARED}:
        m = importlib.import_module(f"skyspec.{module}")
        found |= {f"{module}:{n}" for n, c in vars(m).items()
                  if isinstance(c, type) and issubclass(c, Record) and c is not Record and c.__module__ == m.__name__}
    assert sorted(DECLARED) == sorted(found)


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_fields_and_defaults(name):
    cls, ref = current(name), reference(name)
    assert cls._fields == cls.__match_args__ == ref.__match_args__ == tuple(fields(name))
    assert ("__slots__" in vars(cls)) is ("__slots__" in vars(ref)) is (name in SLOTS)
    assert name not in SLOTS or set(cls.__slots__) == set(ref.__slots__) == set(fields(name))
    args = [f"<{f}>" for f in required(name)]
    a, b, r = cls(*args), cls(*args), ref(*args)
    assert hasattr(a, "__dict__") is hasattr(r, "__dict__") is (name not in SLOTS)
    assert hasattr(a, "__weakref__") is hasattr(r, "__weakref__")
    if name not in SLOTS:
        assert list(vars(a)) == list(vars(r)) == fields(name)
    assert state(a) == state(r)
    for f in fields(name):
        if isinstance(getattr(r, f), (list, dict, set, Record)):
            assert getattr(a, f) is not getattr(b, f), f"{name}.{f}: one object shared by two instances"
            assert type(getattr(a, f)) is type(getattr(r, f))


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_arguments_kept_as_given(name):
    cls, ref = current(name), reference(name)
    given = {f: None if i % 2 else (f, i) for i, f in enumerate(fields(name))}  # None for factories too
    by_pos, by_kw, r = cls(*given.values()), cls(**given), ref(**given)
    assert state(by_pos) == state(by_kw) == state(r) == given
    for f in fields(name):
        assert getattr(by_kw, f) is given[f]
    with pytest.raises(TypeError):
        cls(*given.values(), unknown=1)
    with pytest.raises(TypeError):
        cls(*given.values(), "one too many")
    if required(name):
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(TypeError):
            ref()
    if name in SLOTS:
        with pytest.raises(AttributeError):
            by_kw.not_a_field = 1
        with pytest.raises(AttributeError):
            r.not_a_field = 1


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_equality_hash_repr_pickle(name):
    cls, ref = current(name), reference(name)
    values = {f: [i] for i, f in enumerate(fields(name))}
    a, b, r = cls(**values), cls(**values), ref(**values)
    assert a == b and not (a != b) and a is not b
    assert a != r and r != a  # another class: never equal (as between two dataclasses)
    assert (a == 1) is False and a.__eq__(1) is NotImplemented
    for f in fields(name):
        other, other_r = cls(**{**values, f: [-1]}), ref(**{**values, f: [-1]})
        assert (a == other) is (r == other_r) is False
    first = fields(name)[0]
    nan, nan2 = float("nan"), float("nan")  # fields compared as tuples: identity first, then ==
    assert (cls(**{**values, first: nan}) == cls(**{**values, first: nan})) is \
        (ref(**{**values, first: nan}) == ref(**{**values, first: nan})) is True
    assert (cls(**{**values, first: nan}) == cls(**{**values, first: nan2})) is \
        (ref(**{**values, first: nan}) == ref(**{**values, first: nan2})) is False
    with pytest.raises(TypeError):
        hash(a)
    with pytest.raises(TypeError):
        hash(r)
    assert repr(a) == repr(r)
    loop = cls(**{**values, fields(name)[-1]: None})
    setattr(loop, fields(name)[-1], loop)
    loop_r = ref(**{**values, fields(name)[-1]: None})
    setattr(loop_r, fields(name)[-1], loop_r)
    assert repr(loop) == repr(loop_r) and repr(loop).endswith("=...)")
    back = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is cls and back == a and state(back) == state(a)
