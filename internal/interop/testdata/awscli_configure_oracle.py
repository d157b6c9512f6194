"""Runs many `aws configure ...` command lines in one Python process (test oracle).

The AWS CLI's own entry point (what /usr/bin/aws runs), once per command line,
so that its import cost (~0.4 s) is paid once instead of once per case.

stdin: a JSON list of {"env": {NAME: VALUE}, "cwd": dir, "args": [...]}. Each case
runs with exactly that environment (and the AWS_DATA_PATH awscli sets itself). stdout: a JSON list of {"code", "stdout",
"stderr"}.
"""
import io
import json
import os
import sys

import awscli.clidriver

# awscli's import sets AWS_DATA_PATH to its own data directory (what a fresh
# /usr/bin/aws in an empty environment does too): keep it for every case.
data_path = os.environ["AWS_DATA_PATH"]
real_stdout = sys.stdout
cases = json.load(sys.stdin)
results = []
for case in cases:
    os.environ.clear()
    os.environ.update(case["env"])
    os.environ["AWS_DATA_PATH"] = data_path
    os.chdir(case["cwd"])
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", newline="")
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", newline="")
    try:
        code = awscli.clidriver.AWSCLIEntryPoint().main(case["args"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    results.append({"code": code, "stdout": out.getvalue().decode("utf-8", "replace"),
                    "stderr": err.getvalue().decode("utf-8", "replace")})
    sys.stdout, sys.stderr = real_stdout, sys.__stderr__
json.dump(results, real_stdout)
