// Package awsconfig reads and edits the AWS CLI's shared files, ~/.aws/config and
// ~/.aws/credentials, exactly the way the AWS CLI v2 (botocore) reads them.
//
// Reading follows spec/aws-cli-sso.md §1.1–§1.3: Python's RawConfigParser with its
// defaults ("=" and ":" delimiters, "#" and ";" whole-line comments only, inline
// comments kept in the value, indented continuation lines, lower-cased option names,
// case-sensitive section names, [DEFAULT] values inherited by every section, duplicate
// sections or options rejected), botocore's nested "s3 =" sub-sections, and botocore's
// build_profile_map ([profile NAME] split with shlex, [sso-session NAME],
// [services NAME], [default], credentials-file profiles merged in). Load is on the
// credential hot path, so the parser is a single pass with no regular expressions
// that checks every line as strictly as botocore but keeps only the text of each
// section, whose options are read when the section is first asked for.
//
// On top of the parsed view it applies the AWS CLI's SSO validation rules with the
// AWS CLI's exact messages and exit codes: the credential provider's (§1.4, exit 255)
// and `sso login`'s (§2.1, exit 253), plus the endpoint-override precedence (§1.1).
//
// Document edits a config file the way the AWS CLI's ConfigFileWriter does (§7.1
// "Written config"): it changes only the lines of the keys it sets and keeps every
// other byte: comments, blank lines, spacing, key order, line endings and sections
// it does not know. SetNested writes a nested key ("s3 =" and its indented lines) as
// `aws configure set s3.KEY` does; TopLevelSection reads the sections botocore keeps
// outside its profiles ([plugins], [preview]) for `configure get`.
//
// The package is not a credential resolver: it never reads the token or credential
// caches and never talks to AWS; internal/creds does that with what this package
// returns.
package awsconfig
