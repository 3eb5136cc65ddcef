"""Celestra compatibility: the Python examples of Celestra's documentation (the two seed
pages: "Core Concepts" and the "StatefulApp Class" reference), copied verbatim, run with
only the import changed to `from skyspec import ...`.

Each example has an expected outcome:

- VALID: it runs, and every builder it leaves in its globals (and every AppGroup) compiles
  to Kubernetes objects that kubernetes-validate accepts strictly; files the example writes
  itself (`./k8s/`, a Compose file, a chart) are checked too;
- ERRORS(codes): a fragment that runs but is not a whole spec (most reference snippets
  have no `.image(...)`, or use `backup_*`/`*_config`, which need a stdlib `use:` template):
  compiling it reports exactly these diagnostic codes, each at a line of the example;
- OUTSIDE: a feature outside the language: it raises NotImplementedError (listed with the
  reason in docs/python-api.md).

Snippets that continue an earlier one (they use its variables) get that one as context.
The seed examples' literal secret values compile with a warning (SKY119) and never reach
any output.
"""

from __future__ import annotations

import re
import runpy
import textwrap
import warnings
from pathlib import Path

import pytest

from validators import assert_valid_k8s, compose_config, load_docs

PRELUDE = ("from skyspec import (App, StatefulApp, Job, CronJob, AppGroup, ConfigMap, Secret, ServiceAccount, Role, "
           "NetworkPolicy, SecurityPolicy, Observability, Volume)\n")

VALID = "valid"
OUTSIDE = "outside"


PG = ('.use("postgres")',)


def ERRORS(*codes: str, may: tuple = (), fix: tuple = PG) -> tuple:
    """Exactly ``codes``; ``may`` lists codes that may also appear; every error's hint names
    its fix: it holds one of the texts in ``fix``."""
    return ("errors", frozenset(codes), frozenset(may), tuple(fix))


# (id, code, expected, context id or None). The code is verbatim from the seed pages, with
# `from celestra import` changed to `from skyspec import`.
EXAMPLES: list[tuple[str, str, object, str | None]] = [
    # ------------------------------------------------------------------ Core Concepts
    ("concepts-simplicity", '''
# Instead of 50+ lines of YAML...
app = App("my-app").image("nginx:latest").port(80).expose()
''', VALID, None),
    ("concepts-progressive", '''
# Start simple
app = App("my-app").image("nginx:latest").port(80)

# Add features as needed
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .replicas(3)
    .resources(cpu="500m", memory="512Mi")
    .health_check("/health")
    .expose())
''', VALID, None),
    ("concepts-multi-format", '''
# Same code, multiple outputs
app.generate().to_yaml("./k8s/")                    # Kubernetes
app.generate().to_docker_compose("./docker-compose.yml")  # Local dev
app.generate().to_helm_chart("./charts/")           # Helm packaging
''', VALID, "concepts-simplicity"),
    ("concepts-app", '''
from skyspec import App

# Web applications, APIs, microservices
web_app = (App("web-app")
    .image("nginx:latest")
    .port(80)
    .replicas(3)
    .expose())

# API services
api = (App("api-service")
    .image("myapp/api:v1.0")
    .port(8080)
    .replicas(5)
    .resources(cpu="500m", memory="1Gi"))
''', VALID, None),
    ("concepts-statefulapp", '''
from skyspec import StatefulApp

# Databases
database = (StatefulApp("postgres")
    .image("postgres:15")
    .port(5432)
    .storage("20Gi")
    .replicas(3))

# Message queues
kafka = (StatefulApp("kafka")
    .image("confluentinc/cp-kafka:7.4.0")
    .kafka_port(9092)
    .storage("100Gi")
    .replicas(3))
''', VALID, None),
    ("concepts-discovery", '''
from skyspec import App, StatefulApp

# Database
database = StatefulApp("postgres").image("postgres:15").port(5432)

# API that connects to database
api = (App("api")
    .image("myapp/api:latest")
    .port(8080)
    .connect_to([database]))  # Automatic service discovery

# Frontend that connects to API
frontend = (App("frontend")
    .image("myapp/frontend:latest")
    .port(80)
    .connect_to([api]))  # Chained dependencies
''', VALID, None),
    ("concepts-appgroup", '''
from skyspec import AppGroup

# Create an application group
platform = AppGroup("my-platform")

# Add components with dependencies
platform.add([
    database,  # Database first
    api,       # API depends on database
    frontend   # Frontend depends on API
])

# Generate with proper dependency order
platform.generate().to_yaml("./k8s/")
''', VALID, "concepts-discovery"),
    # The seed's import line lacks NetworkPolicy, which the example uses (a NameError in
    # Celestra too): the changed import names it.
    ("concepts-security", '''
from skyspec import App, Secret, ServiceAccount, Role, NetworkPolicy

# Secure application with RBAC
secure_app = (App("secure-app")
    .image("myapp:latest")
    .port(8080)
    .add_service_account(ServiceAccount("app-sa"))
    .add_role(Role("app-role").add_policy("read", "pods"))
    .add_secret(Secret("app-secret").add("api_key", "secret-value"))
    .add_network_policy(NetworkPolicy("app-policy").deny_all()))
''', VALID, None),
    ("concepts-resources", '''
# Automatic resource allocation
app = App("my-app").image("nginx:latest").port(80)

# Manual resource specification
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .resources(
        cpu="500m",           # CPU request
        memory="512Mi",        # Memory request
        cpu_limit="1000m",     # CPU limit
        memory_limit="1Gi"     # Memory limit
    ))
''', VALID, None),
    ("concepts-cost-optimization", '''
from skyspec import CostOptimization

# Enable cost optimization
optimizer = CostOptimization("optimizer")
optimizer.resource_optimization()
optimizer.spot_instance_recommendation()
optimizer.storage_optimization()
''', OUTSIDE, None),
    ("concepts-rolling-update", '''
# Default rolling update
app = App("my-app").image("nginx:latest").port(80)

# Custom rolling update
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .rolling_update(
        max_surge=1,
        max_unavailable=0,
        min_ready_seconds=30
    ))
''', VALID, None),
    ("concepts-blue-green", '''
# Blue-green deployment
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .deployment_strategy("blue-green")
    .health_check("/health")
    .rollback_on_failure())
''', OUTSIDE, None),
    ("concepts-canary", '''
# Canary deployment
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .deployment_strategy("canary")
    .canary_percentage(10)
    .promotion_criteria("success_rate > 95%"))
''', OUTSIDE, None),
    # enable_metrics() scrapes the port named "metrics" by default; nginx has none, which
    # the compiler reports at the enable_metrics() line (SKY117).
    ("concepts-observability", '''
from skyspec import Observability

# Enable observability
observability = Observability("monitoring")
observability.enable_metrics()
observability.enable_tracing()
observability.enable_logging()

# Add to application
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .add_observability(observability))
''', ERRORS("SKY117", fix=('.port(9090, "metrics")',)), None),
    ("concepts-health-checks", '''
# Health checks
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .health_check("/health")
    .liveness_probe("/health")
    .readiness_probe("/ready")
    .startup_probe("/startup"))
''', VALID, None),
    ("concepts-env", '''
# Environment variables
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .env("DEBUG", "false")
    .env("ENVIRONMENT", "production")
    .env("DATABASE_URL", "postgresql://localhost:5432/myapp"))
''', VALID, None),
    ("concepts-config-secrets", '''
from skyspec import ConfigMap, Secret

# Configuration
config = (ConfigMap("app-config")
    .add("debug", "false")
    .add_json("features", {"new_ui": True})
    .from_file("nginx.conf", "configs/nginx.conf"))

# Secrets
secret = (Secret("app-secret")
    .add("api_key", "sk_live_...")
    .add("database_password", "secure-password"))

# Mount in application
app = (App("my-app")
    .image("nginx:latest")
    .port(80)
    .add_config(config)
    .add_secret(secret))
''', VALID, None),
    ("concepts-plugin", '''
from skyspec import Plugin

# Custom plugin
class CustomPlugin(Plugin):
    def apply(self, app):
        # Custom logic
        app.add_annotation("custom/plugin", "enabled")
        return app

# Use plugin
app = App("my-app").image("nginx:latest").port(80)
app.add_plugin(CustomPlugin())
''', OUTSIDE, None),
    ("concepts-custom-resource", '''
from skyspec import CustomResource

# Custom resource
custom_crd = CustomResource("MyCustomResource")
custom_crd.add_field("spec", {"replicas": 3})
custom_crd.add_field("status", {"ready": True})

# Generate
custom_crd.generate().to_yaml("./k8s/")
''', OUTSIDE, None),
    ("concepts-bp-components", '''
# ✅ Good: Use StatefulApp for databases
db = StatefulApp("postgres").storage("20Gi")

# ❌ Bad: Use App for databases
db = App("postgres")  # No persistent storage
''', ERRORS("SKY103", fix=('StatefulApp("postgres").use("postgres")',)), None),
    ("concepts-bp-environments", '''
# Development
dev_app = App("myapp-dev").for_environment("development")
dev_app.resources(cpu="100m", memory="256Mi").replicas(1)

# Production
prod_app = App("myapp").for_environment("production")
prod_app.resources(cpu="500m", memory="1Gi").replicas(5)
''', ERRORS("SKY103", fix=('.image("',)), None),
    ("concepts-bp-security", '''
# ✅ Good: Use secrets for sensitive data
app = App("secure-app").add_secret(Secret("api-secret").add("key", "secret-value"))

# ❌ Bad: Use ConfigMaps for secrets
app = App("insecure-app").add_config(ConfigMap("api-config").add("key", "secret-value"))
''', ERRORS("SKY103", fix=('.image("',)), None),
    ("concepts-bp-resources", '''
# ✅ Good: Set appropriate resources
app = App("myapp").resources(cpu="500m", memory="1Gi", cpu_limit="1000m", memory_limit="2Gi")

# ❌ Bad: No resource limits
app = App("myapp")  # No resource limits
''', ERRORS("SKY103", fix=('.image("',)), None),
    ("concepts-bp-external-config", '''
# ✅ Good: Load from external files
config = ConfigMap("app-config").from_file("config.json", "configs/app.json")
secret = Secret("db-secret").from_file("password", "secrets/password.txt")

# ❌ Bad: Hardcode in code
config = ConfigMap("app-config").add("config", '{"debug": true}')
secret = Secret("db-secret").add("password", "hardcoded-password")
''', VALID, None),
    # ------------------------------------------------------------------ StatefulApp Class
    ("stateful-overview", '''
from skyspec import StatefulApp
# Basic usage
db = StatefulApp("postgres").image("postgres:15").port(5432).storage("20Gi")
# Production-ready database
db = (StatefulApp("production-db")
.image("postgres:15")
.port(5432)
.storage("100Gi")
.replicas(3)
.resources(cpu="1000m", memory="4Gi")
.backup_schedule("0 2 * * *"))
''', ERRORS("SKY102"), None),
    ("stateful-image", '''
db = StatefulApp("postgres").image("postgres:15")
cache = StatefulApp("redis").image("redis:7-alpine")
kafka = StatefulApp("kafka").image("confluentinc/cp-kafka:7.4.0")
''', VALID, None),
    ("stateful-build", '''
# Build from current directory
db = StatefulApp("custom-db").build(".", "Dockerfile", VERSION="1.0")
# Build from subdirectory with custom Dockerfile
db = StatefulApp("custom-cache").build("./cache", "Dockerfile.prod", ENV="production")
''', OUTSIDE, None),
    ("stateful-from-dockerfile", '''
# Use custom Dockerfile
db = StatefulApp("custom-db").from_dockerfile("Dockerfile.prod", ".", ENV="production")
# Multi-stage build
db = StatefulApp("optimized-db").from_dockerfile("Dockerfile.multi", ".", TARGET="production")
''', OUTSIDE, None),
    ("stateful-command", '''
db = StatefulApp("postgres").image("postgres:15").command(["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"])
''', VALID, None),
    ("stateful-args", '''
db = StatefulApp("postgres").image("postgres:15").args(["--config-file=/etc/postgresql/postgresql.conf"])
''', VALID, None),
    ("stateful-port", '''
# Basic database port
db = StatefulApp("postgres").port(5432, "postgres")
# Multiple ports
kafka = (StatefulApp("kafka")
.port(9092, "kafka")
.port(9093, "kafka-internal")
.port(9094, "kafka-external"))
''', ERRORS("SKY103", fix=('.use("postgres")', '.use("kafka")')), None),
    ("stateful-add-port", '''
# Add multiple ports
kafka = (StatefulApp("kafka")
.add_port(9092, "kafka")
.add_port(9093, "kafka-internal")
.add_port(9094, "kafka-external"))
''', ERRORS("SKY103", fix=('.use("kafka")',)), None),
    ("stateful-ports", '''
# Bulk port configuration
ports_config = [
{"port": 9092, "name": "kafka"},
{"port": 9093, "name": "kafka-internal"},
{"port": 9094, "name": "kafka-external"}
]
kafka = StatefulApp("kafka").ports(ports_config)
''', ERRORS("SKY103", fix=('.use("kafka")',)), None),
    ("stateful-storage", '''
# Basic storage
db = StatefulApp("postgres").storage("20Gi")
# With mount path
db = StatefulApp("postgres").storage("20Gi", "/var/lib/postgresql/data")
# With storage class
db = StatefulApp("postgres").storage("20Gi", "/var/lib/postgresql/data", "fast-ssd")
''', ERRORS("SKY103"), None),
    ("stateful-add-volume", '''
from skyspec import Volume
# Add additional volume
config_volume = Volume("config-volume").config_map("db-config")
db = StatefulApp("postgres").add_volume(config_volume)
''', ERRORS("SKY103", fix=('.use("postgres")', '.mount("')), None),
    ("stateful-add-volumes", '''
from skyspec import Volume
# Multiple volumes
volumes = [
Volume("data-volume").persistent_volume_claim("20Gi"),
Volume("config-volume").config_map("db-config"),
Volume("backup-volume").persistent_volume_claim("50Gi")
]
db = StatefulApp("postgres").add_volumes(volumes)
''', ERRORS("SKY103", fix=('.use("postgres")', '.mount("')), None),
    ("stateful-environment", '''
# Database environment variables
db_env = {
"POSTGRES_DB": "myapp",
"POSTGRES_USER": "admin",
"POSTGRES_PASSWORD": "password",
"POSTGRES_INITDB_ARGS": "--encoding=UTF-8"
}
db = StatefulApp("postgres").environment(db_env)
''', ERRORS("SKY103"), None),
    ("stateful-env", '''
# Single environment variable
db = StatefulApp("postgres").env("POSTGRES_DB", "myapp")
# Multiple individual variables
db = (StatefulApp("postgres")
.env("POSTGRES_DB", "myapp")
.env("POSTGRES_USER", "admin")
.env("POSTGRES_PASSWORD", "password"))
''', ERRORS("SKY103"), None),
    ("stateful-resources", '''
# Basic resources
db = StatefulApp("postgres").resources(cpu="500m", memory="1Gi")
# With limits
db = (StatefulApp("postgres")
.resources(
cpu="1000m",
memory="4Gi",
cpu_limit="2000m",
memory_limit="8Gi"
))
# High-performance database
db = StatefulApp("postgres").resources(cpu="4000m", memory="16Gi", cpu_limit="8000m", memory_limit="32Gi")
''', ERRORS("SKY103"), None),
    ("stateful-replicas", '''
# Single instance
db = StatefulApp("postgres").replicas(1)
# High availability
db = StatefulApp("postgres").replicas(3)
# Read replicas
db = StatefulApp("postgres").replicas(5)
''', ERRORS("SKY103"), None),
    ("stateful-postgres-config", '''
postgres_config = {
"max_connections": "200",
"shared_buffers": "256MB",
"effective_cache_size": "1GB",
"maintenance_work_mem": "64MB"
}
db = StatefulApp("postgres").postgres_config(postgres_config)
''', ERRORS("SKY103", "SKY102"), None),
    ("stateful-mysql-config", '''
mysql_config = {
"innodb_buffer_pool_size": "1G",
"max_connections": "200",
"query_cache_size": "64M"
}
db = StatefulApp("mysql").mysql_config(mysql_config)
''', ERRORS("SKY103", "SKY102", fix=('.use("mysql")',)), None),
    ("stateful-redis-config", '''
redis_config = {
"maxmemory": "2gb",
"maxmemory-policy": "allkeys-lru",
"save": "900 1 300 10 60 10000"
}
cache = StatefulApp("redis").redis_config(redis_config)
''', ERRORS("SKY103", "SKY102", fix=('.use("redis")',)), None),
    ("stateful-kafka-config", '''
kafka_config = {
"num.partitions": "3",
"default.replication.factor": "3",
"min.insync.replicas": "2",
"offsets.topic.replication.factor": "3"
}
kafka = StatefulApp("kafka").kafka_config(kafka_config)
''', ERRORS("SKY103", "SKY102", fix=('.use("kafka")',)), None),
    ("stateful-backup-schedule", '''
# Daily backup at 2 AM
db = StatefulApp("postgres").backup_schedule("0 2 * * *")
# Weekly backup on Sunday at 3 AM
db = StatefulApp("postgres").backup_schedule("0 3 * * 0")
# Multiple backups per day
db = StatefulApp("postgres").backup_schedule("0 */6 * * *") # Every 6 hours
''', ERRORS("SKY103", "SKY102"), None),
    ("stateful-backup-location", '''
db = StatefulApp("postgres").backup_location("s3://my-backups/postgres")
db = StatefulApp("postgres").backup_location("gcs://my-backups/postgres")
''', ERRORS("SKY103", "SKY102"), None),
    ("stateful-cluster-mode", '''
# Enable clustering
db = StatefulApp("postgres").cluster_mode(True)
# Disable clustering (single instance)
db = StatefulApp("postgres").cluster_mode(False)
''', OUTSIDE, None),
    ("stateful-replication-factor", '''
kafka = StatefulApp("kafka").replication_factor(3)
es = StatefulApp("elasticsearch").replication_factor(2)
''', OUTSIDE, None),
    ("stateful-health-check", '''
db = StatefulApp("postgres").health_check("/health")
kafka = StatefulApp("kafka").health_check("/health", port=9092)
''', ERRORS("SKY103", fix=('.use("postgres")', '.use("kafka")')), None),
    ("stateful-add-service-account", '''
from skyspec import ServiceAccount
sa = ServiceAccount("db-sa")
db = StatefulApp("postgres").add_service_account(sa)
''', ERRORS("SKY103"), None),
    ("stateful-add-role", '''
from skyspec import Role
role = Role("db-role").add_policy("get", "pods")
db = StatefulApp("postgres").add_role(role)
''', ERRORS("SKY103"), None),
    ("stateful-add-network-policy", '''
from skyspec import NetworkPolicy
policy = NetworkPolicy("db-policy").allow_pods_with_label("app", "api")
db = StatefulApp("postgres").add_network_policy(policy)
''', ERRORS("SKY103"), None),
    ("stateful-add-security-policy", '''
from skyspec import SecurityPolicy
policy = SecurityPolicy("restricted").pod_security_standards("restricted")
db = StatefulApp("postgres").add_security_policy(policy)
''', ERRORS("SKY103"), None),
    ("stateful-add-secret", '''
from skyspec import Secret
db_secret = Secret("db-secret").add("password", "secure-password")
db = StatefulApp("postgres").add_secret(db_secret)
''', ERRORS("SKY103"), None),
    ("stateful-add-secrets", '''
from skyspec import Secret
secrets = [
Secret("db-secret").add("password", "secure-password"),
Secret("tls-cert").from_file("cert.pem"),
Secret("ca-cert").from_file("ca.pem")
]
db = StatefulApp("postgres").add_secrets(secrets)
''', ERRORS("SKY103"), None),
    ("stateful-add-config", '''
from skyspec import ConfigMap
db_config = ConfigMap("db-config").add("max_connections", "200")
db = StatefulApp("postgres").add_config(db_config)
''', ERRORS("SKY103"), None),
    # "pg_hba-config" is not a DNS-1123 name: SKY107 at its line.
    ("stateful-add-configs", '''
from skyspec import ConfigMap
configs = [
ConfigMap("db-config").add("max_connections", "200"),
ConfigMap("postgres-config").from_file("postgresql.conf"),
ConfigMap("pg_hba-config").from_file("pg_hba.conf")
]
db = StatefulApp("postgres").add_configs(configs)
''', ERRORS("SKY103", "SKY107", fix=('.use("postgres")', "lower-case letters, digits and '-'")), None),
    ("stateful-deployment-strategy", '''
# Rolling update (default for StatefulSets)
db = StatefulApp("postgres").deployment_strategy("rolling")
# OnDelete strategy
db = StatefulApp("postgres").deployment_strategy("on-delete")
''', ERRORS("SKY103"), None),
    ("stateful-expose", '''
# Internal service only
db = StatefulApp("postgres").expose()
# External service (for development)
db = StatefulApp("postgres").expose(external=True)
''', ERRORS("SKY103"), None),
    ("stateful-add-service", '''
from skyspec import Service
service = Service("postgres-service").type("ClusterIP")
db = StatefulApp("postgres").add_service(service)
''', OUTSIDE, None),
    ("stateful-add-observability", '''
from skyspec import Observability
obs = Observability("db-monitoring").enable_metrics().enable_logging()
db = StatefulApp("postgres").add_observability(obs)
''', ERRORS("SKY103"), None),
    ("stateful-add-label", '''
db = StatefulApp("postgres").add_label("environment", "production")
db = StatefulApp("postgres").add_label("tier", "database")
''', ERRORS("SKY103"), None),
    ("stateful-add-labels", '''
labels = {
"environment": "production",
"tier": "database",
"team": "data-platform"
}
db = StatefulApp("postgres").add_labels(labels)
''', ERRORS("SKY103"), None),
    ("stateful-add-annotations", '''
annotations = {
"description": "Primary database",
"owner": "data-team",
"backup-schedule": "daily"
}
db = StatefulApp("postgres").add_annotations(annotations)
''', ERRORS("SKY103"), None),
    ("stateful-tolerations", '''
tolerations = [{"key": "dedicated", "operator": "Equal", "value": "database", "effect": "NoSchedule"}]
db = StatefulApp("postgres").tolerations(tolerations)
''', ERRORS("SKY103"), None),
    ("stateful-affinity", '''
affinity = {
"podAntiAffinity": {
"preferredDuringSchedulingIgnoredDuringExecution": [{
"weight": 100,
"podAffinityTerm": {
"labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["postgres"]}]},
"topologyKey": "kubernetes.io/hostname"
}
}]
}
}
db = StatefulApp("postgres").affinity(affinity)
''', ERRORS("SKY103"), None),
    ("stateful-generate", '''
# Generate Kubernetes YAML
db.generate().to_yaml("./k8s/")
# Generate Docker Compose
db.generate().to_docker_compose("./docker-compose.yml")
# Generate Helm Chart
db.generate().to_helm_chart("./charts/")
# Generate Kustomize
db.generate().to_kustomize("./kustomize/")
''', VALID, "stateful-basic"),
    ("stateful-complete", '''
from skyspec import StatefulApp, Secret, ConfigMap, ServiceAccount, Role, NetworkPolicy
# Create secrets
db_secret = Secret("postgres-secret").add("password", "secure-password")
# Create configuration
db_config = ConfigMap("postgres-config").add("max_connections", "200")
# Create service account and role
sa = ServiceAccount("postgres-sa")
role = Role("postgres-role").add_policy("get", "pods")
# Create network policy
network_policy = NetworkPolicy("postgres-policy").allow_pods_with_label("app", "api")
# Create the database
db = (StatefulApp("postgres")
.image("postgres:15")
.postgres_port(5432)
.storage("100Gi", "/var/lib/postgresql/data", "fast-ssd")
.replicas(3)
.resources(cpu="2000m", memory="8Gi", cpu_limit="4000m", memory_limit="16Gi")
.env("POSTGRES_DB", "myapp")
.env("POSTGRES_USER", "admin")
.add_secret(db_secret)
.add_config(db_config)
.add_service_account(sa)
.add_role(role)
.add_network_policy(network_policy)
.backup_schedule("0 2 * * *")
.backup_retention(30)
.backup_location("s3://my-backups/postgres")
.health_check("/health")
.liveness_probe("/health")
.readiness_probe("/ready")
.expose())
# Generate manifests
db.generate().to_yaml("./k8s/")
''', ERRORS("SKY102"), None),
    ("stateful-bp-storage", '''
# ✅ Good: Use appropriate storage class and size
db = StatefulApp("postgres").storage("100Gi", "/var/lib/postgresql/data", "fast-ssd")
# ❌ Bad: No storage configuration
db = StatefulApp("postgres") # No persistent storage
''', ERRORS("SKY103"), None),
    ("stateful-bp-backup", '''
# ✅ Good: Configure automated backups
db = (StatefulApp("postgres")
.backup_schedule("0 2 * * *")
.backup_retention(30)
.backup_location("s3://backups/postgres"))
# ❌ Bad: No backup configuration
db = StatefulApp("postgres") # No backups
''', ERRORS("SKY103"), None),
    ("stateful-bp-resources", '''
# ✅ Good: Set appropriate resources for databases
db = StatefulApp("postgres").resources(cpu="2000m", memory="8Gi", cpu_limit="4000m", memory_limit="16Gi")
# ❌ Bad: Insufficient resources
db = StatefulApp("postgres").resources(cpu="100m", memory="256Mi") # Too small for production
''', ERRORS("SKY103"), None),
    ("stateful-bp-security", '''
# ✅ Good: Use secrets and RBAC
secret = Secret("db-secret").add("password", "secure-password")
sa = ServiceAccount("db-sa")
role = Role("db-role").add_policy("get", "pods")
db = StatefulApp("postgres").add_secret(secret).add_service_account(sa).add_role(role)
# ❌ Bad: No security configuration
db = StatefulApp("postgres") # No security
''', ERRORS("SKY103"), None),
    ("stateful-bp-ha", '''
# ✅ Good: Multiple replicas with proper configuration
db = (StatefulApp("postgres")
.replicas(3)
.cluster_mode(True)
.quorum_size(3))
# ❌ Bad: Single instance
db = StatefulApp("postgres").replicas(1) # No high availability
''', OUTSIDE, None),
]

# Context for snippets that continue the page's first example.
CONTEXT = {
    "stateful-basic": '''
db = StatefulApp("postgres").image("postgres:15").port(5432).storage("20Gi")
''',
}
for _id, _code, _exp, _ctx in EXAMPLES:
    CONTEXT.setdefault(_id, _code)

# Values the seed examples put in Secrets: they must never appear in any output.
SECRET_VALUES = ("secret-value", "sk_live_...", "secure-password", "hardcoded-password", "file-secret-value",
                 "BEGIN CERTIFICATE")

# Files some examples read (ConfigMap / Secret from_file).
FILES = {
    "configs/nginx.conf": "events {}\nhttp { server { listen 80; } }\n",
    "configs/app.json": '{"debug": false}\n',
    "secrets/password.txt": "file-secret-value\n",
    "cert.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "ca.pem": "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
    "postgresql.conf": "max_connections = 200\n",
    "pg_hba.conf": "local all all trust\n",
}


def example_source(ex_id: str) -> str:
    _, code, _, ctx = next(e for e in EXAMPLES if e[0] == ex_id)
    body = textwrap.dedent(code).strip("\n") + "\n"
    if ctx:
        body = textwrap.dedent(CONTEXT[ctx]).strip("\n") + "\n" + body
    return PRELUDE + body


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for rel, text in FILES.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_example(ex_id: str, workdir: Path) -> dict:
    path = workdir / "example.py"
    path.write_text(example_source(ex_id))
    return runpy.run_path(str(path), run_name="__main__")


def builders_of(globs: dict) -> list:
    from skyspec.builders._base import _Doc
    from skyspec.builders.groups import AppGroup

    return [v for k, v in globs.items() if not k.startswith("__") and isinstance(v, (_Doc, AppGroup))]


def all_output_text(root: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file()
                   and p.suffix in (".yaml", ".yml", ".json", ".tpl"))


@pytest.mark.parametrize("ex_id", [e[0] for e in EXAMPLES])
def test_seed_example(ex_id, workdir):
    from skyspec import AppGroup, SpecError

    expected = next(e for e in EXAMPLES if e[0] == ex_id)[2]
    if expected == OUTSIDE:
        with pytest.raises(NotImplementedError) as info:
            run_example(ex_id, workdir)
        msg = str(info.value)
        assert "outside the skyspec language" in msg and "Instead:" in msg, msg
        return

    problems: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            globs = run_example(ex_id, workdir)
        except SpecError as e:   # the example's own generate() call
            problems = e.diagnostics
        else:
            builders = builders_of(globs)
            assert builders, "the example defines no builder"
            try:
                AppGroup("example").add(builders).generate().to_yaml(workdir / "out")
            except SpecError as e:
                problems = e.diagnostics
            else:
                assert_valid_k8s(load_docs(workdir / "out"))

    source = (workdir / "example.py").read_text().splitlines()
    if expected == VALID:
        assert not problems, "\n".join(f"{d.pos}: {d.code} {d.message}" for d in problems)
    else:
        _, codes, may, fixes = expected
        assert problems, "expected diagnostics"
        got = {d.code for d in problems}
        assert codes <= got <= codes | may, [(d.code, d.message) for d in problems]
        for d in problems:
            assert d.pos is not None and d.pos.file == "example.py", d
            assert d.hint and any(f in d.hint for f in fixes), (d.code, d.message, d.hint)   # the fix, named
            line = source[d.pos.line - 1]
            if d.code == "SKY103" and "image" in d.message:   # at the builder's constructor
                assert "App(" in line, (d, line)
            if d.code == "SKY102":                            # backup_*/*_config: need a stdlib template
                assert "backup" in d.message or '"config"' in d.message, d
                assert "backup_" in line or "_config(" in line, (d, line)
                assert "is a parameter of the stdlib template" in d.hint, d.hint
            if d.code == "SKY117":
                assert "enable_metrics" in line, (d, line)
            if d.code == "SKY107":                            # the ConfigMap, and the app's reference to it
                assert "pg_hba-config" in line or "add_configs(" in line, (d, line)

    # files the example wrote itself
    if (workdir / "k8s").is_dir():
        assert_valid_k8s(load_docs(workdir / "k8s"))
    if (workdir / "docker-compose.yml").is_file():
        r = compose_config(workdir / "docker-compose.yml")
        assert r.returncode == 0, r.stderr
    if (workdir / "charts").is_dir():
        assert list((workdir / "charts").glob("*/Chart.yaml"))
    written = "".join(all_output_text(workdir / d) for d in ("out", "k8s", "charts", "kustomize")
                      if (workdir / d).is_dir())
    if (workdir / "docker-compose.yml").is_file():
        written += (workdir / "docker-compose.yml").read_text()
    for value in SECRET_VALUES:
        assert value not in written


def test_outside_examples_are_documented():
    """Every example outside the language is listed in docs/python-api.md."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "python-api.md").read_text()
    for ex_id, _, expected, _ in EXAMPLES:
        if expected == OUTSIDE:
            assert f"`{ex_id}`" in doc, ex_id


@pytest.mark.parametrize("ex_id", ["concepts-security", "concepts-config-secrets", "concepts-bp-external-config"])
def test_literal_secrets_warn_and_never_reach_output(ex_id, workdir):
    """The seeds' literal Secret values: a SKY119 warning at the user's line, and the value
    in no output format."""
    from skyspec import SkyspecWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        globs = run_example(ex_id, workdir)
        gens = [b.generate() for b in builders_of(globs)]
        texts = []
        for g in gens:
            for fmt in ("kubernetes", "compose", "helm", "kustomize"):
                texts.extend(g.files(fmt).values())
    sky119 = [w for w in caught if issubclass(w.category, SkyspecWarning) and "SKY119" in str(w.message)]
    assert sky119, [str(w.message) for w in caught]
    source = (workdir / "example.py").read_text().splitlines()
    for w in sky119:
        assert Path(w.filename).name == "example.py"
        assert "Secret(" in source[w.lineno - 1] or ".add(" in source[w.lineno - 1]
        for value in SECRET_VALUES:
            assert value not in str(w.message)
    blob = "".join(texts)
    assert blob
    for value in SECRET_VALUES:
        assert value not in blob


def test_complete_example_without_backup_is_valid(workdir):
    """The StatefulApp page's complete example compiles to valid objects once the backup
    settings (which need a stdlib template) are left out; the secret, config, account, role
    binding and network policy are all there."""
    src = example_source("stateful-complete")
    src = "\n".join(line for line in src.splitlines() if not line.startswith(".backup_")) + "\n"
    src = src.replace('db.generate().to_yaml("./k8s/")', "")
    (workdir / "example.py").write_text(src)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        globs = runpy.run_path(str(workdir / "example.py"), run_name="__main__")
        globs["db"].generate().to_yaml(workdir / "k8s")
    docs = load_docs(workdir / "k8s")
    assert_valid_k8s(docs)
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    sts = by[("StatefulSet", "postgres")]
    pod = sts["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "postgres-sa"
    refs = [e.get("secretRef", e.get("configMapRef"))["name"] for e in pod["containers"][0]["envFrom"]]
    assert refs == ["postgres-secret", "postgres-config"]
    claim = sts["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["storageClassName"] == "fast-ssd"
    assert {"name": "data", "mountPath": "/var/lib/postgresql/data"} in pod["containers"][0]["volumeMounts"]
    binding = by[("RoleBinding", "postgres-role")]
    assert binding["subjects"][0]["name"] == "postgres-sa"
    np = by[("NetworkPolicy", "postgres-policy")]
    assert np["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "postgres"
    assert np["spec"]["ingress"][0]["from"] == [{"podSelector": {"matchLabels": {"app": "api"}}}]
    assert ("ConfigMap", "postgres-config") in by
    assert not any(d["kind"] == "Secret" for d in docs)   # literal values: supplied at deploy time
    assert "secure-password" not in all_output_text(workdir / "k8s")


# The snippets that are whole programs: they run alone and every workload they leave has an
# image (the rest are fragments showing one method on an image-less builder, or continue an
# earlier snippet). Each compiles, or fails with errors at its lines whose hints name the fix.
WHOLE = {e[0] for e in EXAMPLES if e[2] == VALID and e[3] is None} | {
    "concepts-observability", "stateful-overview", "stateful-complete"}

# What docs/python-api.md reports (the count before this work: 18 of 73).
COUNTS = {"snippets": 73, "compile": 18, "whole": 18, "whole-compile": 15, "outside": 11}


def test_the_counts_in_the_docs():
    valid = {e[0] for e in EXAMPLES if e[2] == VALID}
    got = {"snippets": len(EXAMPLES), "compile": len(valid), "whole": len(WHOLE),
           "whole-compile": len(WHOLE & valid), "outside": sum(e[2] == OUTSIDE for e in EXAMPLES)}
    assert got == COUNTS
    doc = (Path(__file__).resolve().parents[1] / "docs" / "python-api.md").read_text()
    assert (f"{COUNTS['compile']} of the {COUNTS['snippets']} snippets compile as written" in doc
            and f"{COUNTS['whole-compile']} of the {COUNTS['whole']} whole programs" in doc)


_CALL = re.compile(r"`(\.[a-z_]+\(.*?\))`")


def _follow(src: str, problems: list) -> str:
    """The source with the first problem's hint applied: its first builder call added after
    the call at fault, or that call removed."""
    d = problems[0]
    lines = src.splitlines(keepends=True)
    line = lines[d.pos.line - 1]
    start, end = d.pos.col - 1, d.pos.end - 1
    assert end > start, d
    if d.hint.startswith("remove this call"):
        start -= line[start - 1] == "."
        lines[d.pos.line - 1] = line[:start] + line[end:]
    else:
        lines[d.pos.line - 1] = line[:end] + _CALL.search(d.hint).group(1) + line[end:]
    return "".join(lines)


@pytest.mark.parametrize("ex_id", ["stateful-overview", "stateful-complete", "stateful-bp-backup",
                                   "stateful-backup-schedule", "stateful-postgres-config", "stateful-mysql-config",
                                   "stateful-redis-config", "stateful-kafka-config", "stateful-storage"])
def test_following_the_hints_compiles(ex_id, workdir):
    """Doing what each hint says, one at a time (adding the builder call it names where the
    error points, or removing the call it points at), ends in a program that compiles to
    valid objects: a raw `StatefulApp("postgres")` with `.backup_schedule()` is led to
    `.use("postgres")`, its credentials and a backup location; a `.health_check()` merged
    into the template's probe is blamed on its own line and dropped."""
    from skyspec import AppGroup, SpecError

    src = example_source(ex_id)
    steps = []
    for _ in range(8):
        (workdir / "example.py").write_text(src)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                globs = runpy.run_path(str(workdir / "example.py"), run_name="__main__")
                AppGroup("example").add(builders_of(globs)).generate().to_yaml(workdir / "out")
            except SpecError as e:
                assert all(d.pos.file == "example.py" and d.hint for d in e.diagnostics), e
                steps.append(e.diagnostics[0].hint)
                src = _follow(src, e.diagnostics)
                continue
        break
    else:
        pytest.fail(f"still failing after {steps}")
    assert steps and any('.use("' in s for s in steps), steps
    docs = load_docs(workdir / "out")
    assert_valid_k8s(docs)
    assert any(d["kind"] == "StatefulSet" for d in docs)
    if ex_id == "stateful-complete":
        assert "remove this call to keep the template's `exec` probe (a probe has exactly one check)" in steps
        pod = next(d for d in docs if d["kind"] == "StatefulSet")["spec"]["template"]["spec"]
        assert pod["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/ready"
