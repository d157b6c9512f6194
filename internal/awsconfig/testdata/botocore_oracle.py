"""Reads AWS config/credentials files with botocore and prints the profile maps.

Test oracle for awsconfig's differential test. stdin: a JSON list of
[config_base64, credentials_base64] pairs. stdout: a JSON list with, for each
pair, {"error": true} when botocore refuses to parse a file, or the profiles,
sso-sessions and services as [name, values] lists in dict order.
"""
import base64
import json
import os
import sys
import tempfile

from botocore import configloader
from botocore.exceptions import ConfigNotFound, ConfigParseError


def load(config_path, credentials_path):
    try:
        config = configloader.load_config(config_path)
    except ConfigNotFound:
        config = {"profiles": {}}
    try:
        creds = configloader.raw_config_parse(credentials_path)
    except ConfigNotFound:
        creds = {}
    # Session.full_config: credentials profiles are merged by bare name.
    for name, values in creds.items():
        if name not in config["profiles"]:
            config["profiles"][name] = values
        else:
            config["profiles"][name].update(values)
    return config


def run(tmp, config_data, credentials_data):
    paths = []
    for name, data in (("config", config_data), ("credentials", credentials_data)):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
    try:
        config = load(*paths)
    except ConfigParseError:
        return {"error": True}
    out = {
        "profiles": [[k, v] for k, v in config["profiles"].items()],
        "sso_sessions": [[k, v] for k, v in config.get("sso_sessions", {}).items()],
    }
    # botocore reads [services] sections from 1.31 on (build_profile_map then
    # always returns the key); an older botocore (Debian 12's 1.29) ignores
    # them, and the test then leaves services out of the comparison.
    if "services" in config:
        out["services"] = [[k, v] for k, v in config["services"].items()]
    return out


def main():
    cases = json.load(sys.stdin)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for config_b64, credentials_b64 in cases:
            out.append(run(tmp, base64.b64decode(config_b64), base64.b64decode(credentials_b64)))
    json.dump(out, sys.stdout)


main()
