"""Runs each failure situation of cases.json against the AWS CLI oracle and
writes one txtar golden per case and error-format variant (run it through
scripts/awscli-latest-goldens.sh, which provides the network namespace).

A case of cases.json:
  name      file name (<name>.txtar; a variant adds ".<variant>")
  row       the study's row (research/awscli-latest-diff.md section 3) or what it shows
  args      the aws arguments
  env       extra environment ({{endpoint}} is the case's server)
  config    ~/.aws/config (absent: no config file)
  files     {path under HOME: content}; "token:<session or start URL>" as the path
            names the SSO token cache file of that session, content a JSON object
  server    "idc" (ssocli serve, logins approved as alice), "idc-pending" (ssocli
            serve approving nothing: a login waits), or {"status", "headers",
            "body"} (a server answering every request so), or absent (none)
  interrupt text: once the oracle has printed it and the end of its line on stdout,
            it gets SIGINT (Ctrl-C)
  login     ssocli arguments run first against the server (e.g. a login)
  variants  error-format variants: "json", "yaml", "text", "table", "legacy",
            "enhanced" append --cli-error-format <v>; the plain case is always written
  deliberate  why ssocli's words differ on purpose (the test then checks only the
            exit code and stdout)

The txtar holds the inputs (args one per line, env, the home files, server,
login) and what the oracle did: stdout, stderr, exit. Volatile parts are
normalised, here and identically in internal/cli/errors_golden_test.go:
the server's base URL ("http://127.0.0.1:<port>") becomes {{endpoint}}, the
temporary home directory {{home}} and a device flow's user code (XXXX-XXXX)
{{user_code}}. The environment holds nothing of the
caller's: PATH, HOME, LANG=C.UTF-8 and the case's env.
"""
import argparse
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

p = argparse.ArgumentParser()
p.add_argument("--aws", required=True)
p.add_argument("--ssocli", required=True)
p.add_argument("--dir", required=True)
p.add_argument("only", nargs="*")
opts = p.parse_args()

with open(os.path.join(opts.dir, "cases.json")) as f:
    cases = json.load(f)

cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ["HOME"], ".cache")
base_env = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    # scripts/awscli-latest.sh finds its extracted tree (and source) through these.
    "XDG_CACHE_HOME": cache_home,
}
if os.environ.get("AWSCLI_SRC"):
    base_env["AWSCLI_SRC"] = os.environ["AWSCLI_SRC"]


def token_path(key):
    return os.path.join(".aws", "sso", "cache", hashlib.sha1(key.encode()).hexdigest() + ".json")


class Fault(http.server.BaseHTTPRequestHandler):
    spec = None

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        body = self.spec.get("body", "").encode()
        self.send_response(self.spec["status"])
        for k, v in self.spec.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer

    def log_message(self, *a):
        pass


def start_server(spec, home):
    """Returns (base URL, stop function)."""
    if spec in ("idc", "idc-pending"):
        approve = ["--auto-approve", "alice", "--auto-approve-delay", "0"] if spec == "idc" else []
        proc = subprocess.Popen(
            [opts.ssocli, "serve", "--addr", "127.0.0.1:0", "--quiet"] + approve +
            ["--data-dir", os.path.join(home, ".serve")],
            stdout=subprocess.PIPE, env=dict(base_env, HOME=home), text=True)
        url = proc.stdout.readline().strip()
        return url, lambda: (proc.terminate(), proc.wait())
    handler = type("F", (Fault,), {"spec": spec})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d" % srv.server_address[1], lambda: (srv.shutdown(), srv.server_close())


def section(name, data):
    if data and not data.endswith("\n"):
        sys.exit("%s: section %s does not end in a newline" % (case["name"], name))
    return "-- %s --\n%s" % (name, data)


def run_case(case, variant):
    home = tempfile.mkdtemp(prefix="awsgold")
    try:
        args = list(case["args"])
        if variant:
            args += ["--cli-error-format", variant]
        files = {}
        if "config" in case:
            files[".aws/config"] = case["config"]
        for path, content in case.get("files", {}).items():
            if path.startswith("token:"):
                path = token_path(path[len("token:"):])
            if not isinstance(content, str):
                content = json.dumps(content) + "\n"
            files[path] = content
        for path, content in files.items():
            full = os.path.join(home, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(content)
        endpoint, stop = None, lambda: None
        if case.get("server"):
            endpoint, stop = start_server(case["server"], home)
        try:
            env = dict(base_env, HOME=home)
            for k, v in case.get("env", {}).items():
                env[k] = v.replace("{{endpoint}}", endpoint or "")
            if case.get("login"):
                r = subprocess.run([opts.ssocli] + case["login"], env=env, capture_output=True, text=True, timeout=60)
                if r.returncode:
                    sys.exit("%s: login failed: %s" % (case["name"], r.stderr))
            if case.get("interrupt"):
                r = run_interrupted(args, env, case["interrupt"])
            else:
                r = subprocess.run([opts.aws] + args, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        finally:
            stop()

        def norm(s):
            if endpoint:
                s = s.replace(endpoint, "{{endpoint}}")
            s = re.sub(r"\b[A-Z]{4}-[A-Z]{4}\b", "{{user_code}}", s)
            return s.replace(home, "{{home}}")

        parts = ["%s (%s)\n" % (case["row"], variant or "default error format")]
        if case.get("deliberate"):
            parts.append(section("deliberate", case["deliberate"] + "\n"))
        parts.append(section("args", "".join(a + "\n" for a in args)))
        if case.get("env"):
            parts.append(section("env", "".join("%s=%s\n" % kv for kv in case["env"].items())))
        if case.get("server"):
            s = case["server"] if isinstance(case["server"], str) else json.dumps(case["server"], sort_keys=True)
            parts.append(section("server", s + "\n"))
        if case.get("interrupt"):
            parts.append(section("interrupt", case["interrupt"] + "\n"))
        if case.get("login"):
            parts.append(section("login", "".join(a + "\n" for a in case["login"])))
        for path, content in sorted(files.items()):
            parts.append(section("home/" + path, content))
        parts.append(section("stdout", norm(r.stdout)))
        parts.append(section("stderr", norm(r.stderr)))
        parts.append(section("exit", "%d\n" % r.returncode))
        name = case["name"] + ("." + variant if variant else "")
        with open(os.path.join(opts.dir, name + ".txtar"), "w") as f:
            f.write("".join(parts))
        print("%-40s %d" % (name, r.returncode))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run_interrupted(args, env, text):
    """Runs the oracle until its stdout shows text and the end of that line,
    then sends it SIGINT, as Ctrl-C does; returns what it printed and its exit
    code. Its stdout is unbuffered (PYTHONUNBUFFERED) so that the text arrives
    when printed."""
    proc = subprocess.Popen([opts.aws] + args, env=dict(env, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    out = b""
    timer = threading.Timer(60, proc.kill)
    timer.start()
    try:
        while not re.search(re.escape(text.encode()) + b".*\n", out):
            b = os.read(proc.stdout.fileno(), 4096)
            if not b:
                sys.exit("the oracle ended without printing %r: %s" % (text, out))
            out += b
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate()
    finally:
        timer.cancel()
    return subprocess.CompletedProcess(args, proc.returncode, (out + rest).decode(), err.decode())


names = set()
for case in cases:
    if case["name"] in names:
        sys.exit("duplicate case " + case["name"])
    names.add(case["name"])
    if opts.only and case["name"] not in opts.only:
        continue
    for variant in [None] + case.get("variants", []):
        run_case(case, variant)
