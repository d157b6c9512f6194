"""Applies the AWS CLI's ConfigFileWriter.update_config to config files (test oracle).

stdin: a JSON list of cases {"input": text or null (no file), "ops": [[section,
[[key, value], ...]], ...]}. stdout: a JSON list with each resulting file's text.
"""
import json
import os
import sys
import tempfile

from awscli.customizations.configure.writer import ConfigFileWriter


def run(tmp, i, case):
    path = os.path.join(tmp, "config%d" % i)
    if case["input"] is not None:
        with open(path, "w", newline="") as f:
            f.write(case["input"])
    for section, values in case["ops"]:
        new_values = dict(values)
        new_values["__section__"] = section
        ConfigFileWriter().update_config(new_values, path)
    with open(path, newline="") as f:
        return f.read()


with tempfile.TemporaryDirectory() as tmp:
    cases = json.load(sys.stdin)
    json.dump([run(tmp, i, c) for i, c in enumerate(cases)], sys.stdout)
