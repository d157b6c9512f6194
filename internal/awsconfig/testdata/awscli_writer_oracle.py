"""Applies the AWS CLI's ConfigFileWriter.update_config to a file (test oracle).

argv[1]: the config file (edited in place); argv[2]: a JSON object whose
"__section__" names the section and whose other keys are set, in order.
"""
import json
import sys

from awscli.customizations.configure.writer import ConfigFileWriter

ConfigFileWriter().update_config(json.loads(sys.argv[2]), sys.argv[1])
