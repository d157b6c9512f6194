package awsconfig

import (
	"bytes"
	"testing"
)

// FuzzSetNested: on any file botocore reads, SetNested does not panic,
// changes nothing but by adding or rewriting lines, and the nested value
// reads back whenever the result parses and [default] held no sub-section
// trickery of its own.
func FuzzSetNested(f *testing.F) {
	f.Add([]byte("[default]\nregion = us-east-1\ns3 =\n  a = 1\n"))
	f.Add([]byte("[default]\ns3 =\n\n  x = 1\n  # c\n  y=2=3\n[profile b]\n"))
	f.Add([]byte("[default]\nS3 = inline\n  x = 1\n"))
	f.Add([]byte("# c\n[default]\r\ns3 =\r\n  a = 1"))
	f.Fuzz(func(t *testing.T, config []byte) {
		d, err := ParseDocument(config)
		if err != nil {
			return
		}
		if err := d.SetNested("default", "s3", "max_concurrent_requests", "10"); err != nil {
			t.Fatal(err)
		}
		got := d.Bytes()
		if len(got) < len(config) {
			t.Fatalf("SetNested shortened the file: %q -> %q", config, got)
		}
		c, err := Parse(got, nil, "config")
		if err != nil {
			return // as for Update: only files the AWS CLI's writer breaks too
		}
		if p, ok := c.Profile("default"); ok && !bytes.Contains(bytes.ToLower(config), []byte("s3")) {
			if v := p.Sub["s3"]["max_concurrent_requests"]; v != "10" {
				t.Fatalf("s3.max_concurrent_requests reads back as %q from %q", v, got)
			}
		}
	})
}
