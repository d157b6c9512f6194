// Prints the identity the AWS SDK for JavaScript v3's default credential
// chain (fromNodeProviderChain) picks, as {"Arn": ..., "Account": ...}: the
// profile is argv[2] when given (as --profile would name it), else whatever
// AWS_PROFILE and the environment say. Errors go to stderr, exit 1.
//
// Node does not honour HTTPS_PROXY, so every TLS connection is tunnelled
// through the CONNECT proxy of the local Identity Center (HTTPS_PROXY) and
// trusts only its CA (AWS_CA_BUNDLE), as the AWS CLI's are.
"use strict";
const fs = require("node:fs");
const https = require("node:https");
const net = require("node:net");
const tls = require("node:tls");
const { fromNodeProviderChain } = require("@aws-sdk/credential-providers");
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");

const proxy = new URL(process.env.HTTPS_PROXY);
const ca = fs.readFileSync(process.env.AWS_CA_BUNDLE);

https.Agent.prototype.createConnection = function (opts, cb) {
  const host = opts.servername || opts.host || opts.hostname;
  const port = opts.port || 443;
  const s = net.connect(Number(proxy.port), proxy.hostname);
  let head = "";
  const onData = (d) => {
    head += d.toString("latin1");
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    s.removeListener("data", onData);
    if (!/^HTTP\/1\.[01] 200/.test(head)) {
      s.destroy();
      cb(new Error(`CONNECT ${host}:${port} refused: ${head.split("\r\n")[0]}`));
      return;
    }
    const t = tls.connect({ socket: s, servername: host, ca });
    t.once("secureConnect", () => cb(null, t));
    t.once("error", cb);
  };
  s.on("data", onData);
  s.once("error", cb);
  s.once("connect", () => s.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
};

(async () => {
  const profile = process.argv[2] || undefined;
  const credentials = fromNodeProviderChain({ profile });
  const sts = new STSClient({ region: process.env.AWS_REGION, credentials });
  const out = await sts.send(new GetCallerIdentityCommand({}));
  process.stdout.write(JSON.stringify({ Arn: out.Arn, Account: out.Account }) + "\n");
})().catch((e) => {
  process.stderr.write(`${e.name}: ${e.message}\n`);
  process.exit(1);
});
