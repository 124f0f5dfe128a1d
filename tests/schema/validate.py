#!/usr/bin/python3
"""Validate a JSON response against Torc's OpenAPI description.

Usage:
  validate.py [--openapi FILE] [--raw] SCHEMA_NAME          < response.json
  validate.py [--openapi FILE] [--raw] PATH METHOD STATUS   < response.json
  validate.py [--openapi FILE] [--raw] --batch              < lines
  validate.py [--openapi FILE] --list

--batch validates many responses in one run: each input line is a target
(SCHEMA_NAME, or PATH METHOD STATUS), a tab, and one JSON text; a line
that fails is reported with its number.

SCHEMA_NAME is a name under components/schemas (workflow_model).  PATH is an
OpenAPI path template (/workflows/{id}) or a concrete path (/workflows/3,
query string ignored), matched against the templates, literal segments
first.  The schema is the one under
paths[PATH][METHOD].responses[STATUS].content["application/json"].

The OpenAPI file is --openapi, else $TORC_OPENAPI, else
../shared/reference/torc-openapi.yaml beside the repository, else the copy
committed beside this script (tests/schema/torc-openapi.yaml).

Schemas are made plain JSON Schema (2020-12) first: every
"#/components/schemas/..." $ref is inlined, "nullable: true" also admits
null, and a property that wraps its schema in a "schema" key (job_model and
result_model "status" do) gets that schema.

Where the Torc code (authoritative: see torc-api-semantics.md) and the
OpenAPI file disagree, overrides.yaml beside this script says how the code
answers; --raw ignores it.

Exit status: 0 valid, 1 invalid (each error on stderr), 100 usage,
102 a missing or unreadable file, an unknown schema, path, method or status.
"""

import json
import os
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def die(code, msg):
    print("validate.py: %s" % msg, file=sys.stderr)
    sys.exit(code)


def usage():
    die(100, "usage: validate.py [--openapi FILE] [--raw] (SCHEMA | PATH METHOD STATUS) < json"
        " | validate.py [--openapi FILE] --list")


def openapi_path(arg):
    if arg:
        return arg
    if os.environ.get("TORC_OPENAPI"):
        return os.environ["TORC_OPENAPI"]
    shared = os.path.join(ROOT, "..", "shared", "reference", "torc-openapi.yaml")
    if os.path.exists(shared):
        return os.path.normpath(shared)
    return os.path.join(HERE, "torc-openapi.yaml")


def load_yaml(path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 3x faster
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.load(f, Loader=loader)
    except (OSError, yaml.YAMLError) as e:
        die(102, "cannot read %s: %s" % (path, e))


def merge(base, patch):
    """Deep-merge patch into a copy of base (dicts merge, the rest replaces)."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return patch
    out = dict(base)
    for k, v in patch.items():
        out[k] = merge(base[k], v) if k in base else v
    return out


class Spec:
    def __init__(self, doc, overrides):
        self.doc = doc
        self.schemas = dict(doc.get("components", {}).get("schemas", {}) or {})
        self.responses = {}
        if overrides:
            for name, patch in (overrides.get("schemas") or {}).items():
                if name not in self.schemas:
                    die(102, "overrides: no schema %s in the OpenAPI file" % name)
                self.schemas[name] = merge(self.schemas[name], patch)
            self.responses = overrides.get("responses") or {}

    def plain(self, node, stack=()):
        """The node as plain JSON Schema: refs inlined, nullable expanded."""
        if isinstance(node, list):
            return [self.plain(x, stack) for x in node]
        if not isinstance(node, dict):
            return node
        node = dict(node)
        if "schema" in node and "type" not in node and "$ref" not in node \
                and isinstance(node["schema"], dict):
            node = merge({k: v for k, v in node.items() if k != "schema"}, node["schema"])
        out = {}
        ref = node.pop("$ref", None)
        if ref is not None:
            prefix = "#/components/schemas/"
            if not ref.startswith(prefix):
                die(102, "unsupported $ref %s" % ref)
            name = ref[len(prefix):]
            if name not in self.schemas:
                die(102, "$ref to unknown schema %s" % name)
            resolved = {} if name in stack else self.plain(self.schemas[name], stack + (name,))
            if not node:
                return resolved
            out["allOf"] = [resolved]
        nullable = node.pop("nullable", False)
        for k, v in node.items():
            if k in ("properties", "patternProperties", "$defs", "definitions"):
                out[k] = {p: self.plain(s, stack) for p, s in (v or {}).items()}
            elif k in ("items", "additionalProperties", "not", "contains", "propertyNames",
                       "if", "then", "else"):
                out[k] = self.plain(v, stack)
            elif k in ("allOf", "anyOf", "oneOf", "prefixItems"):
                out[k] = [self.plain(s, stack) for s in v]
            elif k in ("example", "examples", "description", "title", "default",
                       "x-codegen-request-body-name"):
                continue
            else:
                out[k] = v
        if nullable:
            out = {"anyOf": [out, {"type": "null"}]}
        return out

    def by_name(self, name):
        if name not in self.schemas:
            die(102, "no schema named %s" % name)
        return self.plain({"$ref": "#/components/schemas/" + name})

    def match_path(self, path):
        paths = self.doc.get("paths") or {}
        if path in paths:
            return path
        segs = [s for s in path.split("?")[0].split("/") if s]
        best, score = None, -1
        for tmpl in paths:
            tsegs = [s for s in tmpl.split("/") if s]
            if len(tsegs) != len(segs):
                continue
            lit = 0
            for t, s in zip(tsegs, segs):
                if t.startswith("{") and t.endswith("}"):
                    continue
                if t != s:
                    break
                lit += 1
            else:
                if lit > score:
                    best, score = tmpl, lit
        if best is None:
            die(102, "no path in the OpenAPI file matches %s" % path)
        return best

    def by_response(self, path, method, status):
        tmpl = self.match_path(path)
        key = "%s %s %s" % (method.upper(), tmpl, status)
        if key in self.responses:
            return key, self.plain(self.responses[key])
        op = (self.doc["paths"][tmpl] or {}).get(method.lower())
        if op is None:
            die(102, "%s has no %s operation" % (tmpl, method.upper()))
        resp = (op.get("responses") or {}).get(str(status))
        if resp is None:
            die(102, "%s %s has no %s response" % (method.upper(), tmpl, status))
        content = (resp.get("content") or {}).get("application/json")
        if content is None or "schema" not in content:
            die(102, "%s has no application/json schema" % key)
        return key, self.plain(content["schema"])


def check(spec, target, text):
    """Validate one JSON text against a target; returns the error lines."""
    if len(target) == 1:
        what, schema = target[0], spec.by_name(target[0])
    elif len(target) == 3:
        what, schema = spec.by_response(*target)
    else:
        usage()
    try:
        value = json.loads(text)
    except ValueError as e:
        return ["%s: not JSON: %s" % (what, e)]
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as e:
        die(102, "%s: the schema itself is invalid: %s" % (what, e.message))
    errors = sorted(cls(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    return ["%s: at %s: %s" % (what, "/".join(str(p) for p in e.absolute_path) or "(top)",
                               e.message) for e in errors]


def main(argv):
    args, oa, raw, listing, batch = [], None, False, False, False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--openapi" and i + 1 < len(argv):
            oa = argv[i + 1]
            i += 1
        elif a.startswith("--openapi="):
            oa = a.split("=", 1)[1]
        elif a == "--raw":
            raw = True
        elif a == "--list":
            listing = True
        elif a == "--batch":
            batch = True
        elif a.startswith("--"):
            usage()
        else:
            args.append(a)
        i += 1
    path = openapi_path(oa)
    doc = load_yaml(path)
    if not isinstance(doc, dict) or "paths" not in doc:
        die(102, "%s is not an OpenAPI document" % path)
    ov = None if raw else load_yaml(os.path.join(HERE, "overrides.yaml"))
    spec = Spec(doc, ov)
    if listing:
        for name in sorted(spec.schemas):
            print(name)
        return 0
    if batch:
        if args:
            usage()
        n = bad = 0
        for lineno, line in enumerate(sys.stdin, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            target, sep, text = line.partition("\t")
            if not sep:
                die(100, "line %d: no tab between target and JSON" % lineno)
            n += 1
            errors = check(spec, target.split(), text)
            if errors:
                bad += 1
                for e in errors:
                    print("line %d: %s" % (lineno, e), file=sys.stderr)
                print("line %d: in %s" % (lineno, text[:2000]), file=sys.stderr)
        print("%d responses validated, %d invalid" % (n, bad))
        return 1 if bad or n == 0 else 0
    if len(args) not in (1, 3):
        usage()
    errors = check(spec, args, sys.stdin.read())
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
