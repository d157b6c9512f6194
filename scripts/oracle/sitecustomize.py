# Inert stand-ins for the awscrt names the AWS CLI source imports but Debian's
# awscrt (0.16) lacks; see scripts/awscli-latest.sh. Only `aws login`, a few
# EC2/CloudTrail customizations and CRT debug logging would call them.
import awscrt.crypto as _c
for _n in ("EC", "ECType", "ECExportFormat", "RSA", "RSASignatureAlgorithm", "ED25519", "ED25519ExportFormat"):
    if not hasattr(_c, _n):
        setattr(_c, _n, type(_n, (), {}))
import awscrt.io as _io
if not hasattr(_io, "set_log_level"):
    _io.set_log_level = lambda *a, **k: None
