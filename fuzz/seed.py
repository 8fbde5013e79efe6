#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/seed-* from the project's tests and
scenarios: string literals of the tests (filters, PATCH bodies, expressions), the shipped
scenarios and their fault rules, and the requests, bodies and final tenant states of the
scenarios played with `blinksim run --out`.

Usage: fuzz/seed.py [path/to/blinksim]   (default: target/debug/blinksim, built if missing)
"""

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
TOKEN = "blinksim-secret-token"
MAX_SEED = 8 * 1024  # bytes per seed
MAX_PER_TARGET = 200
MAX_BYTES_PER_TARGET = 48 * 1024
# Scenarios played for requests and states (the generated 10,000-user one is too big a seed).
SKIP_PLAY = {"generated-10k.toml"}

seeds = {}
preferred = set()  # hand-written seeds, chosen before the harvested ones


def add(target, data, prefer=False):
    if isinstance(data, str):
        data = data.encode()
    if data and len(data) <= MAX_SEED:
        name = hashlib.sha1(data).hexdigest()[:16]
        seeds.setdefault(target, {})[name] = data
        if prefer:
            preferred.add(name)


def rust_literals(path):
    """The string literals of a Rust file, raw (r#"..."#) and plain ("...", unescaped)."""
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'r(#+)"(.*?)"\1', text, re.S):
        yield m.group(2)
    stripped = re.sub(r'r(#+)".*?"\1', "", text, flags=re.S)
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', stripped):
        try:
            yield json.loads('"' + m.group(1) + '"')
        except ValueError:
            pass


def from_sources():
    filter_op = re.compile(r"\b(eq|ne|co|sw|ew|pr|gt|ge|lt|le)\b")
    expr_start = re.compile(r"^\s*([A-Z][A-Za-z]+\(|\[[A-Za-z])")
    files = glob.glob(f"{ROOT}/src/**/*.rs", recursive=True) + glob.glob(f"{ROOT}/tests/**/*.rs", recursive=True)
    for path in sorted(files):
        for lit in rust_literals(path):
            if "\n" not in lit and filter_op.search(lit) and len(lit) < 300:
                add("filter", lit + "\nada@contoso.example\nbob@x.com\nuser7")
            if "Operations" in lit:
                add("patch", lit)
            if lit.lstrip().startswith("{") and "userName" in lit:
                add("user_json", lit)
            if expr_start.match(lit) and "\n" not in lit:
                add("expression", lit)
            if "[[fault]]" in lit:
                add("fault_rules", lit)


# Case-folding edge cases (issue 15, D1): final sigma, dotted and dotless i, sharp s, Kelvin.
UNICODE_NAMES = ["ΝΙΚΟΣ@x.gr", "νικοσ@x.gr", "ας@x", "İstanbul@x.tr", "ıi@x", "STRASSE@x.de", "straße@x.de", "\u212a@x"]


def unicode_cases():
    names = "\n".join(UNICODE_NAMES)
    for name in UNICODE_NAMES:
        for attr in ("userName", 'emails[type eq "work"].value', "externalId"):
            for value in {name, name.lower()}:
                add("filter", f'{attr} eq "{value}"\n{names}', prefer=True)
        add("exchange", f'GET /scim/Users?filter=userName%20eq%20%22{urllib.parse.quote(name)}%22\n'
            f"Authorization: Bearer {TOKEN}\n\n", prefer=True)
        add("state_import", json.dumps({"users": [{"id": "7fddf553-cf8c-4cbb-a2f7-5874cd284dfd",
            "userName": name, "meta": {"created": "2026-01-15T09:00:00Z",
            "lastModified": "2026-01-15T09:00:00Z", "version": "W/\"1\""}}]}, ensure_ascii=False),
            prefer=True)


def from_scenarios():
    for path in sorted(glob.glob(f"{ROOT}/scenarios/*.toml")):
        text = open(path, encoding="utf-8").read()
        add("scenario", text)
        doc = tomllib.loads(text)
        add("scenario", json.dumps(doc))
        rules = list(doc.get("fault", []))
        for step in doc.get("step", []):
            rules += step.get("fault", []) if step.get("do") == "add_faults" else []
            for key in ("mapping", "mappings"):
                for m in step.get(key, []) if isinstance(step.get(key), list) else [step.get(key)]:
                    if isinstance(m, dict) and m.get("expression"):
                        add("expression", m["expression"])
        for m in doc.get("job", {}).get("mappings", []):
            if m.get("expression"):
                add("expression", m["expression"])
        if rules:
            add("fault_rules", json.dumps({"fault": rules}))
            for rule in rules:
                add("fault_rules", json.dumps(rule))


def from_runs(binary):
    out = tempfile.mkdtemp(prefix="blinksim-seed-")
    try:
        for path in sorted(glob.glob(f"{ROOT}/scenarios/*.toml")):
            if os.path.basename(path) in SKIP_PLAY:
                continue
            dest = os.path.join(out, os.path.basename(path))
            subprocess.run([binary, "run", path, "--out", dest], stdout=subprocess.DEVNULL, check=False)
            harvest(dest)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def harvest(dest):
    trace = os.path.join(dest, "trace.jsonl")
    if os.path.exists(trace):
        for line in open(trace, encoding="utf-8"):
            entry = json.loads(line)
            method, path, body = entry["method"], entry["path"], entry.get("body", "")
            head = f"{method} {path}\nAuthorization: Bearer {TOKEN}\n"
            if body:
                head += "Content-Type: application/scim+json\n"
            add("exchange", f"{head}\n{body}")
            query = urllib.parse.urlparse(path).query
            for value in urllib.parse.parse_qs(query).get("filter", []):
                add("filter", value + "\nada@contoso.example\nbob@x.com")
            if method == "PATCH":
                add("patch", body)
            if method in ("POST", "PUT"):
                add("user_json", body)
    tenant = os.path.join(dest, "tenant.json")
    if os.path.exists(tenant):
        users = json.load(open(tenant, encoding="utf-8"))
        add("state_import", json.dumps({"users": users}))
        for user in users:
            add("user_json", json.dumps(user))


def choose(target, found):
    """Smallest first (many small seeds cover more than a few large ones), taking turns between
    request methods for `exchange`, within the count and byte budgets."""
    buckets = {}
    for name, data in sorted(found.items(), key=lambda kv: (kv[0] not in preferred, len(kv[1]), kv[0])):
        key = data.split(b" ", 1)[0] if target == "exchange" else b""
        buckets.setdefault(key, []).append((name, data))
    chosen, size = [], 0
    while buckets and len(chosen) < MAX_PER_TARGET:
        for key in sorted(buckets):
            name, data = buckets[key].pop(0)
            if not buckets[key]:
                del buckets[key]
            if size + len(data) <= MAX_BYTES_PER_TARGET and len(chosen) < MAX_PER_TARGET:
                chosen.append((name, data))
                size += len(data)
    return chosen


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "blinksim")
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "--quiet"], cwd=ROOT, check=True)
    from_sources()
    unicode_cases()
    from_scenarios()
    from_runs(binary)
    for target, found in sorted(seeds.items()):
        folder = os.path.join(CORPUS, target)
        os.makedirs(folder, exist_ok=True)
        for old in glob.glob(os.path.join(folder, "seed-*")):
            os.remove(old)
        chosen = choose(target, found)
        for name, data in chosen:
            with open(os.path.join(folder, f"seed-{name}"), "wb") as f:
                f.write(data)
        size = sum(len(d) for _, d in chosen)
        print(f"{target:14} {len(chosen):4} seeds {size:8} bytes")


if __name__ == "__main__":
    main()
