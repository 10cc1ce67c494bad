#!/usr/bin/python3
"""k8s-validate.py DIR: check the Kubernetes manifests under DIR offline, against the API's
schemas, as an API server would refuse them.

kubectl validates against the OpenAPI schema it downloads from a server, so it cannot check
anything without a cluster. The schemas are also in the official Python client
(python3-kubernetes), generated from the same OpenAPI document: each model class lists its
fields (attribute_map), their types (openapi_types) and refuses a missing required field
when built. This script walks every object through them, and adds the server-side rules the
generated manifests depend on: object names are DNS names, label keys and values are valid,
a selector matches its pod template's labels, and every ConfigMap, Secret, Service and volume
a workload refers to is defined. kustomization.yaml must list exactly the other files.

Prints one line per problem (FILE: DOC N (KIND NAME): PATH: what) and exits 1 when there is
any; otherwise prints "ok: N objects in M files" and exits 0.
"""
import os
import re
import sys

import yaml
from kubernetes import client

KINDS = {
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Secret"): "V1Secret",
    ("v1", "Service"): "V1Service",
    ("v1", "PersistentVolumeClaim"): "V1PersistentVolumeClaim",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("apps/v1", "StatefulSet"): "V1StatefulSet",
}
DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?"
                       r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
ENV_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

problems = []


def problem(where, path, what):
    problems.append("%s: %s: %s" % (where, path or "(top)", what))


def build(value, typ, where, path):
    """The client's object for VALUE of openapi type TYP; problems are recorded."""
    if typ.startswith("list["):
        if not isinstance(value, list):
            problem(where, path, "must be a list, not %r" % (value,))
            return []
        return [build(v, typ[5:-1], where, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    if typ.startswith("dict("):
        inner = typ[5:-1].split(", ", 1)[1]
        if not isinstance(value, dict):
            problem(where, path, "must be a map, not %r" % (value,))
            return {}
        return {k: build(v, inner, where, "%s.%s" % (path, k)) for k, v in value.items()}
    if typ == "str":
        if not isinstance(value, str):
            problem(where, path, "must be a string, not %r" % (value,))
        return value
    if typ == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            problem(where, path, "must be an integer, not %r" % (value,))
        return value
    if typ == "bool":
        if not isinstance(value, bool):
            problem(where, path, "must be true or false, not %r" % (value,))
        return value
    if typ in ("object", "datetime", "date"):
        return value
    cls = getattr(client, typ)
    if not isinstance(value, dict):
        problem(where, path, "must be a map (%s), not %r" % (typ, value))
        return None
    by_json = {j: p for p, j in cls.attribute_map.items()}
    kwargs = {}
    for key, v in value.items():
        if key not in by_json:
            problem(where, path, "unknown field '%s' in %s" % (key, typ))
            continue
        pyname = by_json[key]
        kwargs[pyname] = build(v, cls.openapi_types[pyname], where,
                               "%s.%s" % (path, key) if path else key)
    try:
        return cls(**kwargs)
    except ValueError as e:
        problem(where, path, "%s: %s" % (typ, e))
        return None


def check_labels(where, path, labels):
    for k, v in (labels or {}).items():
        if not isinstance(k, str) or not LABEL_KEY.match(k):
            problem(where, path, "invalid label key %r" % (k,))
        if not isinstance(v, str) or not LABEL_VALUE.match(v):
            problem(where, path, "invalid label value %r for %s" % (v, k))


def check_object(where, doc, defined, refs):
    kind, api = doc.get("kind"), doc.get("apiVersion")
    typ = KINDS.get((api, kind))
    if typ is None:
        problem(where, "", "unknown kind %s %s" % (api, kind))
        return
    build(doc, typ, where, "")
    meta = doc.get("metadata") or {}
    name = meta.get("name", "")
    pattern = DNS_LABEL if kind == "Service" else DNS_SUBDOMAIN
    if not isinstance(name, str) or not pattern.match(name):
        problem(where, "metadata.name", "%r is not a valid %s name" % (name, kind))
    check_labels(where, "metadata.labels", meta.get("labels"))
    defined.add((kind, name))
    spec = doc.get("spec") or {}
    if kind in ("ConfigMap", "Secret"):
        for key in list((doc.get("data") or {})) + list((doc.get("stringData") or {})):
            if not ENV_KEY.match(key):
                problem(where, "data", "invalid key %r" % (key,))
    if kind == "Service":
        check_labels(where, "spec.selector", spec.get("selector"))
        refs.append((where, "spec.selector", "pods", tuple(sorted((spec.get("selector") or {}).items()))))
    if kind in ("Deployment", "StatefulSet"):
        check_workload(where, kind, spec, refs)


def check_workload(where, kind, spec, refs):
    match = (spec.get("selector") or {}).get("matchLabels") or {}
    template = spec.get("template") or {}
    tlabels = (template.get("metadata") or {}).get("labels") or {}
    check_labels(where, "spec.template.metadata.labels", tlabels)
    if not match or any(tlabels.get(k) != v for k, v in match.items()):
        problem(where, "spec.selector", "does not match the template's labels")
    refs.append((where, "labels", "pods-of", tuple(sorted(tlabels.items()))))
    volumes = {v.get("name") for v in (template.get("spec") or {}).get("volumes") or []}
    volumes |= {(c.get("metadata") or {}).get("name")
                for c in spec.get("volumeClaimTemplates") or []}
    if kind == "StatefulSet":
        refs.append((where, "spec.serviceName", "Service", spec.get("serviceName")))
    for i, c in enumerate((template.get("spec") or {}).get("containers") or []):
        path = "spec.template.spec.containers[%d]" % i
        if not DNS_LABEL.match(c.get("name", "")):
            problem(where, path + ".name", "%r is not a DNS label" % (c.get("name"),))
        for src in c.get("envFrom") or []:
            for key, k in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if key in src:
                    refs.append((where, path + ".envFrom", k, src[key].get("name")))
        for m in c.get("volumeMounts") or []:
            if m.get("name") not in volumes:
                problem(where, path + ".volumeMounts", "no volume named %r" % (m.get("name"),))


def check_refs(defined, refs):
    pods = {r[3] for r in refs if r[2] == "pods-of"}
    for where, path, kind, name in refs:
        if kind == "pods-of":
            continue
        if kind == "pods":
            if not any(set(name) <= set(p) for p in pods):
                problem(where, path, "selects no pods of any workload")
        elif (kind, name) not in defined:
            problem(where, path, "refers to %s %r, which no file defines" % (kind, name))


def main(top):
    files = sorted(os.path.relpath(os.path.join(d, f), top)
                   for d, _, fs in os.walk(top) for f in fs if f.endswith(".yaml"))
    defined, refs, count = set(), [], 0
    for rel in files:
        with open(os.path.join(top, rel)) as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d is not None]
        if rel == "kustomization.yaml":
            listed = sorted(docs[0].get("resources") or [])
            if listed != sorted(f for f in files if f != rel):
                problem(rel, "resources", "lists %s, the directory has %s" % (listed, files))
            continue
        for i, doc in enumerate(docs):
            meta = doc.get("metadata") or {} if isinstance(doc, dict) else {}
            check_object("%s: doc %d (%s %s)" % (rel, i + 1, doc.get("kind"), meta.get("name")),
                         doc, defined, refs)
            count += 1
    check_refs(defined, refs)
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok: %d objects in %d files" % (count, len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
