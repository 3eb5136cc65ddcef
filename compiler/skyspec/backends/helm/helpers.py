"""templates/_helpers.tpl of the Helm chart: the named templates every template calls -- the
chart's name, each object's release-derived name (`<chart>.fullname`), Helm's standard labels
merged with the values' label maps (`<chart>.labels`, `<chart>.merge`), image references with
their pinned digests (`<chart>.image`), text and env var values that name a Service of the
chart (`<chart>.hosts`, `<chart>.env`, with release.HOST_PATTERNS) and the HPA metrics
(`<chart>.hpaMetrics`). Pure text; it must not look at objects or values.
"""

from __future__ import annotations

import json

from .gotext import UNPRINTABLE_CHARS
from .release import Hosts

_HELPERS = r"""{{/*
The chart's name: nameOverride, else the chart's. It is the `app.kubernetes.io/part-of` label of
every object, and a release named like it keeps the objects' own names.
*/}}
{{- define "CHART.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The name of one object of the release, from (list $ "<its name in the specs>"):
"<fullnameOverride>-<name>" when fullnameOverride is set; else "<name>" when the release is named
like the chart (helm install CHART ./CHART: the names of skyspec's Kubernetes output); else
"<release>-<name>". A prefixed name is cut to 63 characters.
*/}}
{{- define "CHART.fullname" -}}
{{- $top := index . 0 -}}
{{- $base := index . 1 | toString -}}
{{- if $top.Values.fullnameOverride -}}
{{- printf "%s-%s" $top.Values.fullnameOverride $base | trunc 63 | trimSuffix "-" -}}
{{- else if eq $top.Release.Name (include "CHART.name" $top) -}}
{{- $base -}}
{{- else -}}
{{- printf "%s-%s" $top.Release.Name $base | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* helm.sh/chart: <chart>-<version>. */}}
{{- define "CHART.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
An object's labels as JSON, from (list $ "<app.kubernetes.io/name or empty>" (list <maps>)): the
maps merged in order (commonLabels, the app's labels, the object's own), then Helm's standard
labels. Selectors use only the stable ones: name, part-of and instance.
*/}}
{{- define "CHART.labels" -}}
{{- $top := index . 0 -}}
{{- $out := dict -}}
{{- range (index . 2) -}}
{{- range $k, $v := . -}}
{{- if not (kindIs "invalid" $v) -}}{{- $_ := set $out $k (toString $v) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- with index . 1 -}}
{{- $_ := set $out "app.kubernetes.io/name" . -}}
{{- $_ := set $out "app.kubernetes.io/part-of" (include "CHART.name" $top) -}}
{{- end -}}
{{- $_ := set $out "app.kubernetes.io/instance" $top.Release.Name -}}
{{- $_ := set $out "app.kubernetes.io/managed-by" $top.Release.Service -}}
{{- $_ := set $out "helm.sh/chart" (include "CHART.chart" $top) -}}
{{- with $top.Chart.AppVersion -}}{{- $_ := set $out "app.kubernetes.io/version" (toString .) -}}{{- end -}}
{{- toJson $out PRINTED-}}
{{- end -}}

{{/* Maps of strings merged in order (annotations), as JSON. */}}
{{- define "CHART.merge" -}}
{{- $out := dict -}}
{{- range . -}}
{{- range $k, $v := . -}}
{{- if not (kindIs "invalid" $v) -}}{{- $_ := set $out $k (toString $v) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $out PRINTED-}}
{{- end -}}

{{/*
An image from {repository, tag, digest, pinnedDigests}: repository[:tag][@digest]. The digest is
`digest` when set, else the one pinned for this very tag: setting another tag deploys that tag.
*/}}
{{- define "CHART.image" -}}
{{- $tag := toString (.tag | default "") -}}
{{- $digest := .digest | default (index (.pinnedDigests | default dict) $tag) -}}
{{- .repository -}}
{{- with $tag }}:{{ . }}{{ end -}}
{{- with $digest }}@{{ . }}{{ end -}}
{{- end -}}

{{/*
Text in which the host names of the chart's Services name the release's, from (list $ <text>):
<service>:<port>, a URL whose host is <service>, <service>.<namespace>.svc[.cluster.local] and
<service>.<namespace> (with an environment's namespace: the release's), all but the URL also
after a pod's host name (<pod>.<service>:<port>); not an image (`hashicorp/vault:1.17`). Each
pattern runs twice: a match takes the character after a name, which the next name in a list
(`db:5432,db:5433`) needs before it. The Services
are taken longest name first, so a name once rewritten is not rewritten again.
*/}}
{{- define "CHART.hosts" -}}
{{- $top := index . 0 -}}
{{- $v := toString (index . 1) -}}
{{- range $s := SERVICES -}}
{{- if contains $s $v -}}
{{- $to := include "CHART.fullname" (list $top $s) | replace "$" "$$" -}}
{{- range $p := PATTERNS -}}
{{- $re := replace "SVC" $s (index $p 0) -}}
{{- $by := index $p 1 | replace "RNS" $top.Release.Namespace | replace "TO" $to -}}
{{- $v = regexReplaceAll $re (regexReplaceAll $re $v $by) $by -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $v -}}
{{- end -}}

{{/*
An env var's value, from (list $ "<NAME>" "<value>"): <X>_HOST: <service> (what connect_to
sets) names the release's Service, a value that is a webhook configuration's name the
release's (a controller patches its CA bundle), and the host names "<chart>.hosts" rewrites
the release's.
*/}}
{{- define "CHART.env" -}}
{{- $top := index . 0 -}}
{{- $v := toString (index . 2) -}}
{{- if or (and (hasSuffix "_HOST" (index . 1)) (has $v SERVICES)) (has $v WEBHOOKS) -}}
{{- include "CHART.fullname" (list $top $v) -}}
{{- else -}}
{{- include "CHART.hosts" (list $top $v) -}}
{{- end -}}
{{- end -}}

{{/*
The replicas of a canary's track, from (list <replicas> <percent> "stable"|"canary"): the canary
gets percent of the replicas, rounded up, at least one when percent > 0, never all of them when
there are two or more; the stable track the rest.
*/}}
{{- define "CHART.canaryReplicas" -}}
{{- $r := int (index . 0 | default 0) -}}
{{- $p := int (index . 1 | default 0) -}}
{{- $c := 0 -}}
{{- if and (gt $p 0) (gt $r 0) -}}
{{- $c = max 1 (div (add (mul $r $p) 99) 100) -}}
{{- if ge $r 2 -}}{{- $c = min $c (sub $r 1) -}}{{- end -}}
{{- end -}}
{{- if eq (index . 2) "canary" -}}{{- $c -}}{{- else -}}{{- sub $r $c -}}{{- end -}}
{{- end -}}

{{/* An HPA's metrics from {targetCPUUtilizationPercentage, targetMemoryUtilizationPercentage}, as JSON. */}}
{{- define "CHART.hpaMetrics" -}}
{{- $m := list -}}
{{- range $res, $key := dict "cpu" "targetCPUUtilizationPercentage" "memory" "targetMemoryUtilizationPercentage" -}}
{{- with index $ $key -}}
{{- $m = append $m (dict "type" "Resource" "resource" (dict "name" $res "target" (dict "type" "Utilization" "averageUtilization" .))) -}}
{{- end -}}
{{- end -}}
{{- toJson $m -}}
{{- end -}}
"""


_PRINTABLE_HEAD = """
{{/*
JSON text with the characters YAML readers refuse in a document (DEL, the C1 controls,
U+FFFE, U+FFFF) or read as a line break (NEL) written as \\u escapes, which JSON strings and
YAML's double-quoted ones both read back: toJson writes them as they are. Only in charts
whose values hold one.
*/}}
{{- define "CHART.printable" -}}
{{- . """


def helpers(chart: str, hosts: Hosts, printable: bool = False) -> str:
    """templates/_helpers.tpl of chart ``chart``, whose Services (their names in the specs)
    and namespaces ``hosts`` holds; with ``printable``, the maps of strings made as JSON
    (labels, annotations) go through the `<chart>.printable` helper, defined too."""
    listed = "(list " + " ".join(json.dumps(s) for s in hosts.services) + ")" if hosts.services else "list"
    webhooks = "(list " + " ".join(json.dumps(s) for s in hosts.webhooks) + ")" if hosts.webhooks else "list"
    patterns = "(list " + " ".join(f"(list `{p}` `{r}`)" for p, r in hosts.patterns) + ")"
    text = _HELPERS.replace("PRINTED", '| include "CHART.printable" ' if printable else "")
    if printable:
        text += _PRINTABLE_HEAD + "".join(f'| replace "\\u{ord(c):04x}" "\\\\u{ord(c):04x}" '
                                          for c in UNPRINTABLE_CHARS) + "-}}\n{{- end -}}\n"
    return text.replace("CHART", chart).replace("SERVICES", listed).replace("PATTERNS", patterns) \
        .replace("WEBHOOKS", webhooks)
