{{/*
Shared helpers of the jetmart chart. Resource names are fixed (no release prefix): the services
address each other by them (see values.yaml), so one release per namespace.
*/}}

{{/* Chart label value: name-version. */}}
{{- define "jetmart.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Labels of every resource. Usage: include "jetmart.labels" (dict "root" $ "name" "auth")
("name" is optional: resources shared by the whole app, like the ConfigMap, have none).
*/}}
{{- define "jetmart.labels" -}}
{{- with get . "name" }}
app.kubernetes.io/name: {{ . }}
{{- end }}
app.kubernetes.io/part-of: jetmart
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "jetmart.chart" .root }}
{{- end -}}

{{/* Selector labels (stable across upgrades: never add chart versions here). Usage: include "jetmart.selectorLabels" "auth" */}}
{{- define "jetmart.selectorLabels" -}}
app.kubernetes.io/name: {{ . }}
{{- end -}}

{{/* Pod template labels: the selector plus part-of (Prometheus keeps pods by these). */}}
{{- define "jetmart.podLabels" -}}
app.kubernetes.io/name: {{ . }}
app.kubernetes.io/part-of: jetmart
{{- end -}}

{{/*
A service's settings: serviceDefaults merged under services.<name>. Usage:
  $s := include "jetmart.service" (dict "root" $ "name" "auth") | fromYaml
*/}}
{{- define "jetmart.service" -}}
{{- $own := index .root.Values.services .name | default dict -}}
{{- $merged := mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy $own) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* A service's image. Usage: include "jetmart.image" (dict "root" $ "name" "auth" "service" $s) */}}
{{- define "jetmart.image" -}}
{{- if get .service "image" -}}
{{- get .service "image" -}}
{{- else -}}
{{- $img := .root.Values.image -}}
{{- printf "%s%s/%s" ($img.registry | default "") $img.repository .name -}}
{{- if $img.tag }}:{{ $img.tag }}{{ end -}}
{{- end -}}
{{- end -}}

{{/*
NATS_URL: every node of the chart's NATS cluster (the client connects to any of them and learns the
rest from the server), or externalNats.url.
*/}}
{{- define "jetmart.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- $urls := list -}}
{{- range $i := until (int .Values.nats.replicas) -}}
{{- $urls = append $urls (printf "nats://nats-%d.nats-headless:4222" $i) -}}
{{- end -}}
{{- join "," $urls -}}
{{- else -}}
{{- required "externalNats.url is required when nats.enabled is false" .Values.externalNats.url -}}
{{- end -}}
{{- end -}}

{{/* The NATS monitoring URL ops reads /varz from (empty: ops shows no server details). */}}
{{- define "jetmart.natsMonitorUrl" -}}
{{- if .Values.nats.enabled -}}http://nats:8222{{- else -}}{{ .Values.externalNats.monitorUrl }}{{- end -}}
{{- end -}}

{{/* Names of the services that have a database, in values order. */}}
{{- define "jetmart.mongoServices" -}}
{{- $out := list -}}
{{- range $name, $s := .Values.services -}}
{{- if and $s (index $s "mongo") -}}{{- $out = append $out $name -}}{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
