package ssocache

import "time"

// timeLayout is the AWS CLI's strftime format %Y-%m-%dT%H:%M:%SZ (spec §3.2, §5).
const timeLayout = "2006-01-02T15:04:05Z"

// otherLayouts are the further forms a reader meets. The AWS CLI reads dates with
// dateutil, which takes nearly anything; these cover what writers produce in
// practice: Python isoformat (+00:00), "UTC" suffixes, a space instead of 'T', a
// missing zone (taken as UTC). RFC 3339 with a fraction ("...05.000Z", written by
// other SDKs) is handled by time.RFC3339 itself, which accepts a fraction on parse.
var otherLayouts = [...]string{
	"2006-01-02T15:04:05.999999999UTC",
	"2006-01-02T15:04:05.999999999 UTC",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999UTC",
	"2006-01-02 15:04:05.999999999 UTC",
	"2006-01-02 15:04:05.999999999",
}

// parseTime parses a cache-file date and returns it in UTC.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range otherLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
