// The AWS SDK for JavaScript v3 client of the interop tests: it calls
// GetCallerIdentity with the SDK's default credential chain (here: the
// container credential provider) until the credentials it started with have
// expired and it has used at least two access keys, then prints a summary
// as one JSON line. Arguments: the seconds to keep going at least, the most
// seconds to try.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const minSeconds = Number(process.argv[2] ?? "0");
const maxSeconds = Number(process.argv[3] ?? "60");
const client = new STSClient({});
const start = Date.now();
const keys = [];
const arns = new Set();
const errors = [];
let calls = 0;
while ((Date.now() - start) / 1000 < maxSeconds) {
  calls++;
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    arns.add(out.Arn);
    const creds = await client.config.credentials();
    if (!keys.includes(creds.accessKeyId)) keys.push(creds.accessKeyId);
  } catch (e) {
    errors.push(String(e && e.message ? e.message : e));
  }
  if ((Date.now() - start) / 1000 >= minSeconds && keys.length >= 2) break;
  await new Promise((r) => setTimeout(r, 250));
}
console.log(JSON.stringify({ calls, failures: errors.length, errors: errors.slice(0, 3), keys, arns: [...arns] }));
