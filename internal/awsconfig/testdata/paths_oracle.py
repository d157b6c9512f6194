# Reads [{"flavor": "nt"|"posix", "env": {...}, "path": "..."}] as JSON on
# stdin and answers, for each, what Python's ntpath or posixpath makes of it
# with exactly that environment: {"home": expanduser("~"),
# "path": expanduser(expandvars(path))}, the way botocore expands config paths.
# Both modules run on any system; they read os.environ, which is replaced per case.
import json
import ntpath
import os
import posixpath
import sys

out = []
for case in json.load(sys.stdin):
    mod = ntpath if case["flavor"] == "nt" else posixpath
    os.environ.clear()
    os.environ.update(case["env"])
    out.append({
        "home": mod.expanduser("~"),
        "path": mod.expanduser(mod.expandvars(case["path"])),
    })
json.dump(out, sys.stdout)
