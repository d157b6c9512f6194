#!/usr/bin/env bash
# Regenerates internal/awsout/testdata/awscli-<tag>/: every case of
# internal/awsout/testdata/cases.json rendered by the AWS CLI's own formatters
# (awscli/formatter.py, table.py, text.py of the newest v2 source tree, run by
# scripts/awscli-latest.sh), in each --output format, so that internal/awsout
# can be compared with them byte for byte. Not part of the test gate.
#
#   scripts/awsout-goldens.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$here/awscli-latest.sh" --version >/dev/null # extracts the tree once
tag=$("$here/awscli-latest.sh" --version-tag)
tree="${XDG_CACHE_HOME:-$HOME/.cache}/ssocli-oracle/awscli-$tag"
out="$root/internal/awsout/testdata/awscli-$tag"
rm -rf "$out"
mkdir -p "$out"
PYTHONPATH="$here/oracle:$tree" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - "$root/internal/awsout/testdata" "$out" <<'PY'
import io, json, os, sys

import jmespath

import awscli.table
from awscli.formatter import get_formatter

testdata, out = sys.argv[1], sys.argv[2]


class Args:
    def __init__(self, query, color):
        self.query = jmespath.compile(query) if query else None
        self.color = color


def render(case, fmt, color='off', via_stdout=False):
    data = json.load(open(os.path.join(testdata, 'inputs', case['input'] + '.json')))
    width = case.get('width', 80)
    awscli.table.determine_terminal_width = lambda default_width=80: width
    buf = io.StringIO()
    saved = sys.stdout
    try:
        if via_stdout:
            # As the CLI without a pager: the formatter writes to sys.stdout,
            # which colorama (autoreset) has wrapped by then.
            sys.stdout = buf
            f = get_formatter(fmt, Args(case.get('query'), color))
            f(case['command'], data)
        else:
            # As the CLI with a pager: the pager's stdin, never wrapped.
            f = get_formatter(fmt, Args(case.get('query'), color))
            f(case['command'], data, buf)
    finally:
        sys.stdout = saved
        import colorama
        colorama.deinit()
    return buf.getvalue()


for case in json.load(open(os.path.join(testdata, 'cases.json'))):
    for fmt, args in [
        ('json', ('json',)),
        ('text', ('text',)),
        ('table', ('table',)),
        ('table-color', ('table', 'on', True)),
        ('table-color-pager', ('table', 'on')),
        ('yaml', ('yaml',)),
        ('yaml-stream', ('yaml-stream',)),
        ('off', ('off',)),
    ]:
        name = '%s.%s' % (case['name'], fmt)
        try:
            s = render(case, *args)
        except Exception as e:
            # The AWS CLI fails on this input: the golden holds the error.
            name, s = name + '.error', '%s: %s\n' % (type(e).__name__, e)
        with open(os.path.join(out, name), 'w', encoding='utf-8', newline='') as f:
            f.write(s)
PY
echo "wrote $out"
