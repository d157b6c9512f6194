// Package ssocache reads and writes the AWS CLI's SSO cache files: access tokens and
// client registrations in ~/.aws/sso/cache, and SSO role credentials in
// ~/.aws/cli/cache (spec/aws-cli-sso.md §3, §5). It owns their file names (the sha1
// inputs of §3.1 and §5), their exact bytes (Python json.dumps spacing, ASCII escaping
// and key order, so a file we write is byte-for-byte what the AWS CLI would write),
// and cross-process advisory locks in ~/.aws/sso/locks. Files are written and read
// through internal/atomicfile, locks taken through internal/filelock.
//
// What this package promises, beyond the AWS CLI (spec §3.4, §11):
//   - A reader never sees a partial file: every write goes to a temporary file in
//     the same directory, is fsynced and then renamed over the old one, and the
//     directory is fsynced. The one exception is a directory that refuses new
//     files while the file itself is writable: the file is then rewritten in
//     place, as the AWS CLI always does, since not writing it would lose a
//     refreshed token (CanWrite tells beforehand whether either way works).
//   - Files are created 0600 and directories 0700 whatever the umask.
//   - Keys it does not know (written by a newer CLI or another tool) survive a
//     read-modify-write: they are written after the known keys, in the order read.
//   - A symlink in the cache that points outside the cache directory is not followed.
//   - No error ever carries a file's contents, which hold secrets.
//
// It is not for deciding whether a token or credential is fresh, refreshing it, or
// talking to AWS: internal/creds does that, and takes the locks defined here.
package ssocache
