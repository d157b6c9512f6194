"""Writes the golden files of the configure wizard tests with the AWS CLI's own
config writer (awscli.customizations.configure.writer.ConfigFileWriter, as
installed with Debian's awscli 2.9.19).

For each case of cases.json it copies <case>.input (if any) and applies the
updates that `aws configure sso` / `aws configure sso-session` make for the
case's answers (ConfigureSSOCommand._write_new_config: the profile section,
then the sso-session section, each one update_config call with the keys in
the order the wizard collects them), then saves <case>.golden.

Run from this directory: python3 gen.py
"""
import json
import os
import shutil
import tempfile

from awscli.customizations.configure.writer import ConfigFileWriter

with open("cases.json") as f:
    cases = json.load(f)

for case in cases:
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "config")
    if os.path.exists(case["name"] + ".input"):
        shutil.copy(case["name"] + ".input", path)
    for update in case["writes"]:
        ConfigFileWriter().update_config(dict(update), path)
    shutil.copy(path, case["name"] + ".golden")
    shutil.rmtree(tmp)
