#!/usr/bin/python3
"""Writes the fixtures in this directory with the AWS CLI 2.9.19's own code.

Run with Debian's python3 (the awscli 2.9.19 package): /usr/bin/python3 generate.py
It drives botocore's SSOTokenFetcher and SSOCredentialFetcher with stub clients and
a fixed clock, and lets the CLI's JSONFileCache (with the dumps function `aws sso
login` installs) write the files, so their bytes are the CLI's. names.txt records
the cache file name the CLI chose for each fixture (spec §3.1, §5).
All values are fake.
"""
import datetime
import os
import shutil
import tempfile

from dateutil.tz import tzutc

from awscli.botocore.credentials import SSOCredentialFetcher
from awscli.botocore.utils import JSONFileCache, SSOTokenFetcher
from awscli.customizations.sso.utils import _sso_json_dumps

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = datetime.datetime(2026, 11, 25, 17, 8, 2, 731000, tzinfo=tzutc())


class _Exc:
    class SlowDownException(Exception):
        pass

    class AuthorizationPendingException(Exception):
        pass

    class ExpiredTokenException(Exception):
        pass

    class UnauthorizedException(Exception):
        pass


class StubOIDC:
    exceptions = _Exc

    def __init__(self, n, refresh):
        self.n = n
        self.refresh = refresh

    def register_client(self, **kw):
        return {"clientId": f"fake-client-id-{self.n}", "clientSecret": f"fake-client-secret-{self.n}",
                "clientSecretExpiresAt": 1803402476}

    def start_device_authorization(self, **kw):
        return {"deviceCode": "d", "userCode": "u", "verificationUri": "v",
                "verificationUriComplete": "vc", "expiresIn": 600, "interval": 1}

    def create_token(self, **kw):
        r = {"accessToken": f"fake-access-token-{self.n}", "expiresIn": 28800}
        if self.refresh:
            r["refreshToken"] = f"fake-refresh-token-{self.n}"
        return r


class StubPortal:
    exceptions = _Exc

    def get_role_credentials(self, **kw):
        return {"roleCredentials": {"accessKeyId": "ASIAFAKEFAKEFAKE0001", "secretAccessKey": "fake/secret+key",
                                    "sessionToken": "fake-session-token", "expiration": 1795662488731}}


names = []


def copy_out(cache_dir, key, name):
    shutil.copyfile(os.path.join(cache_dir, key + ".json"), os.path.join(HERE, name))
    names.append(f"{name} {key}.json")


def login(name, reg_name, start_url, session_name, scopes, n, refresh):
    d = tempfile.mkdtemp()
    cache = JSONFileCache(d, dumps_func=_sso_json_dumps)
    f = SSOTokenFetcher("us-east-1", lambda *a, **k: StubOIDC(n, refresh), cache=cache,
                        time_fetcher=lambda: NOW, sleep=lambda s: None)
    f.fetch_token(start_url, registration_scopes=scopes, session_name=session_name)
    copy_out(d, f._token_cache_key(start_url, session_name), name)
    copy_out(d, f._registration_cache_key(start_url, session_name, scopes), reg_name)


login("token-sso-session.json", "registration-sso-session.json",
      "https://example.awsapps.com/start", "my-sso", ["sso:account:access"], 1, True)
login("token-legacy.json", "registration-legacy.json",
      "https://example.awsapps.com/start", None, None, 2, False)
login("token-unicode.json", "registration-unicode.json",
      "https://ex\u00e4mple.awsapps.com/start?a=<b>&c=\"d\"/\\\U0001F600\t\x7f", "s\u00e9ssion \U0001F511", ["sso:account:access", "x:\u00fc"], 3, True)

# Keys a newer CLI or another tool added, after the known ones and between them.
d = tempfile.mkdtemp()
cache = JSONFileCache(d, dumps_func=_sso_json_dumps)
tok = {"startUrl": "https://example.awsapps.com/start", "region": "us-east-1",
       "accessToken": "fake-access-token-4", "expiresAt": NOW + datetime.timedelta(hours=8),
       "clientId": "fake-client-id-4", "clientSecret": "fake-client-secret-4",
       "registrationExpiresAt": datetime.datetime(2027, 2, 23, 17, 7, 56, tzinfo=tzutc()),
       "refreshToken": "fake-refresh-token-4",
       "receivedAt": NOW, "scopes": ["sso:account:access"], "nested": {"b": [1, 2.5, -3e-07, True, None], "a": {}},
       "empty": [], "caf\u00e9": "\u2603"}
cache["unknown-after"] = tok
copy_out(d, "unknown-after", "token-unknown-keys.json")
mid = {"startUrl": tok["startUrl"], "receivedAt": NOW, "region": "us-east-1",
       "accessToken": "fake-access-token-5", "expiresAt": NOW + datetime.timedelta(hours=1)}
cache["unknown-middle"] = mid
copy_out(d, "unknown-middle", "token-unknown-middle.json")
# The latest CLI's PKCE registration adds grantTypes (spec §3.3).
cache["pkce"] = {"clientId": "fake-client-id-6", "clientSecret": "fake-client-secret-6",
                 "expiresAt": datetime.datetime(2027, 2, 23, 17, 7, 56, tzinfo=tzutc()),
                 "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]}
copy_out(d, "pkce", "registration-pkce.json")


def role(name, session_name, start_url, account_id):
    d = tempfile.mkdtemp()
    f = SSOCredentialFetcher(start_url, "us-east-1", "ReadOnly", account_id, lambda *a, **k: StubPortal(),
                             token_loader=lambda url: {"accessToken": "t"}, cache=JSONFileCache(d),
                             sso_session_name=session_name)
    f.fetch_credentials()
    copy_out(d, f._create_cache_key(), name)


role("rolecreds-sso-session.json", "my-sso", "https://example.awsapps.com/start", "111122223333")
role("rolecreds-legacy.json", None, "https://example.awsapps.com/start", "111122223333")

# 2.25.0 and later add AccountId last inside Credentials (spec §5).
d = tempfile.mkdtemp()
cache = JSONFileCache(d)
cache["acct"] = {"ProviderType": "sso", "Credentials": {
    "AccessKeyId": "ASIAFAKEFAKEFAKE0002", "SecretAccessKey": "fake/secret+key2",
    "SessionToken": "fake-session-token-2", "Expiration": "2026-11-25T18:08:08Z", "AccountId": "111122223333"}}
copy_out(d, "acct", "rolecreds-accountid.json")

with open(os.path.join(HERE, "names.txt"), "w") as f:
    f.write("".join(n + "\n" for n in names if not n.split()[1].startswith(("unknown-", "pkce", "acct"))))
