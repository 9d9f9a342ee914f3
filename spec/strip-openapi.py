#!/usr/bin/env python3
"""Vendors Cisco's WxCC OpenAPI document without its prose.

Usage: strip-openapi.py ../shared/wxcc-api/openapi.full.json > spec/wxcc-openapi.json

Removes the annotation keys `description`, `summary`, `example` and `examples`
wherever they annotate a schema, operation or parameter, but keeps properties that
happen to be *named* `description` or `example` (SiteDTO has a `description` field).
The result holds paths, methods, parameters and schemas only: facts, not prose.
"""
import json
import sys

ANNOTATIONS = {"description", "summary", "example", "examples", "externalDocs"}


def strip(node, in_properties=False):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if not in_properties and key in ANNOTATIONS:
                continue
            out[key] = strip(value, in_properties=(key == "properties" and not in_properties))
        return out
    if isinstance(node, list):
        return [strip(item) for item in node]
    return node


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    doc = strip(doc)
    doc["info"] = {"title": doc["info"].get("title", ""), "version": doc["info"].get("version", "")}
    doc.pop("tags", None)
    json.dump(doc, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
