"""Kubernetes' scheduling blocks as JSON Schema values: a toleration, and `affinity` typed as
the API server takes it (and `kubectl kustomize` merges by), so that a misspelt field, a
term without its `topologyKey`, a weight over 100 or a toleration the API server refuses
(no key but no `operator: Exists`) is said at its line instead of reaching the output (an
empty key did, and the Kustomize overlay could not be built: fuzz seed 98). The pieces used
twice are shared by identity (:func:`.kinds.with_defs` makes each one `$defs` entry). This
module only holds data.
"""

from __future__ import annotations


def _k8s_object(props: dict, required: tuple = (), description: str = "") -> dict:
    """A Kubernetes API object's fields as the API server takes them (camelCase, no others)."""
    out: dict = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


_STRINGS = {"type": "array", "items": {"type": "string"}}
_WEIGHT = {"type": "integer", "minimum": 1, "maximum": 100, "description": "1 (least) to 100 (most)."}


def _requirement(operators: tuple) -> dict:
    return _k8s_object({"key": {"type": "string", "minLength": 1}, "operator": {"enum": list(operators)},
                        "values": _STRINGS}, ("key", "operator"))


NODE_TERM = _k8s_object({k: {"type": "array", "items": _requirement(("In", "NotIn", "Exists", "DoesNotExist",
                                                                        "Gt", "Lt"))}
                         for k in ("matchExpressions", "matchFields")},
                        description="Node labels (`matchExpressions`) or fields (`matchFields`) to match.")
LABEL_SELECTOR = _k8s_object({"matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
                              "matchExpressions": {"type": "array", "items": _requirement(
                                  ("In", "NotIn", "Exists", "DoesNotExist"))}},
                             description="The pods' labels to match.")
POD_TERM = _k8s_object({"labelSelector": LABEL_SELECTOR, "namespaceSelector": LABEL_SELECTOR,
                        "namespaces": _STRINGS, "topologyKey": {"type": "string", "minLength": 1},
                        "matchLabelKeys": _STRINGS, "mismatchLabelKeys": _STRINGS}, ("topologyKey",),
                       "The pods to run beside or apart from, and per what (`topologyKey`: a node, a zone).")
POD_AFFINITY = _k8s_object({
    "requiredDuringSchedulingIgnoredDuringExecution": {"type": "array", "items": POD_TERM},
    "preferredDuringSchedulingIgnoredDuringExecution": {"type": "array", "items": _k8s_object(
        {"weight": _WEIGHT, "podAffinityTerm": POD_TERM}, ("weight", "podAffinityTerm"))}},
    description="Terms the pods must (required) or would rather (preferred) meet.")
AFFINITY = {
    **_k8s_object({
        "nodeAffinity": _k8s_object({
            "requiredDuringSchedulingIgnoredDuringExecution": _k8s_object(
                {"nodeSelectorTerms": {"type": "array", "items": NODE_TERM}}, ("nodeSelectorTerms",)),
            "preferredDuringSchedulingIgnoredDuringExecution": {"type": "array", "items": _k8s_object(
                {"weight": _WEIGHT, "preference": NODE_TERM}, ("weight", "preference"))}},
            description="The nodes the pods may (required) or would rather (preferred) run on."),
        "podAffinity": POD_AFFINITY,
        "podAntiAffinity": POD_AFFINITY,
    }, description="A Kubernetes `affinity` block (typed as the API server takes it), for what `spread` "
                   "cannot say."),
    "examples": [{"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}]}}}],
}


TOLERATION = {
    "type": "object", "additionalProperties": False,
    "properties": {"key": {"type": "string", "description": "The taint's key.", "examples": ["dedicated"]},
                   "operator": {"enum": ["Equal", "Exists"]},
                   "value": {"type": "string", "description": "The taint's value.", "examples": ["database"]},
                   "effect": {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
                   "seconds": {"type": "integer", "minimum": 0, "description": "tolerationSeconds (NoExecute).",
                               "examples": [300]}},
    # what the API server refuses besides the types (ValidateTolerations): a toleration without a
    # key matches every taint, so its operator is Exists; Exists matches any value, so it has
    # none; only a NoExecute taint evicts, so only it has seconds. (Each condition is on a field's
    # absence or emptiness, never `required`, which a layer's check relaxes.)
    "allOf": [
        {"if": {"properties": {"key": False}},
         "then": {"x-hint": "name the taint's `key`, or write `operator: Exists` to tolerate every taint",
                  "required": ["operator"], "properties": {"operator": {
             "const": "Exists", "x-message": "{field} must be Exists where no `key` is given (every taint)",
             "x-hint": "name the taint's `key`, or write `operator: Exists` to tolerate every taint"}}}},
        {"if": {"properties": {"value": {"maxLength": 0}}},   # (no value, or an empty one, as the API server)
         "else": {"properties": {"operator": {
             "not": {"const": "Exists"}, "x-message": "{field} cannot be Exists beside a `value`: Exists "
                                                      "matches any value",
             "x-hint": "drop the `value` to tolerate any, or write `operator: Equal` to tolerate that one"}}}},
        {"if": {"properties": {"seconds": False}},
         "else": {"x-hint": "`seconds` is how long a NoExecute taint is tolerated: add `effect: NoExecute`, "
                            "or drop `seconds`",
                  "required": ["effect"], "properties": {"effect": {
             "const": "NoExecute", "x-message": "{field} must be NoExecute where `seconds` is given (only a "
                                               "NoExecute taint evicts)",
             "x-hint": "write `effect: NoExecute`, or drop `seconds`"}}}},
    ],
}
