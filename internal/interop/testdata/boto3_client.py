"""The boto3 client of the interop tests (Debian's python3-boto3).

It calls GetCallerIdentity with boto3's default credential chain (here: the
container credential provider) until the credentials it started with have
expired and it has used at least two access keys, then prints a summary as
one JSON line. Arguments: the seconds to keep going at least, the most
seconds to try.
"""
import json
import sys
import time

import boto3

min_seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0
max_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
session = boto3.session.Session()
client = session.client("sts")
start = time.monotonic()
keys, arns, errors, calls = [], set(), [], 0
while time.monotonic() - start < max_seconds:
    calls += 1
    try:
        out = client.get_caller_identity()
        arns.add(out["Arn"])
        key = session.get_credentials().get_frozen_credentials().access_key
        if key not in keys:
            keys.append(key)
    except Exception as e:  # every failure counts, whatever its kind
        errors.append(str(e))
    if time.monotonic() - start >= min_seconds and len(keys) >= 2:
        break
    time.sleep(0.25)
print(json.dumps({"calls": calls, "failures": len(errors), "errors": errors[:3], "keys": keys, "arns": sorted(arns)}))
