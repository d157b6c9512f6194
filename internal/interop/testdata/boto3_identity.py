"""Prints the identity boto3/botocore's default credential chain picks, as
{"Arn": ..., "Account": ...}: the profile is argv[1] when given (as
--profile names it: boto3.Session(profile_name=...)), else whatever
AWS_PROFILE and the environment say. Errors go to stderr, exit 1.

Run with Debian's /usr/bin/python3 (python3-boto3); it reaches the local
Identity Center through HTTPS_PROXY and AWS_CA_BUNDLE, as the AWS CLI does.
"""
import json
import os
import sys

import boto3

try:
    profile = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else None
    session = boto3.Session(profile_name=profile)
    out = session.client("sts", region_name=os.environ["AWS_REGION"]).get_caller_identity()
    print(json.dumps({"Arn": out["Arn"], "Account": out["Account"]}))
except Exception as e:  # every failure is a result of the table
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
