package awsconfig

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"path/filepath"
	"unsafe"

	"github.com/ssocli/ssocli/internal/atomicfile"
)

// The parse index: what parseINIString found in a large config file, kept
// so that the next process given the same bytes skips the check of every
// line (issue 14: the check is most of the cost of a file of 1,000 profiles,
// and all of it for 10,000).
//
// botocore reads the whole file on every run and refuses it for one bad line
// anywhere, so the check cannot be skipped by reading only the section a
// command needs. What can be kept is its result: for each section its
// header, the span of its lines and its line number. The index holds them
// with the SHA-256 of the file's bytes, and is used only for a file with that
// same digest, so the result is the one a new parse gives: nothing about the
// file's name, size or times is trusted. (The digest takes about 80 us for
// 1,000 profiles. Two CRC-32s would take 10 us, but the first CRC-32C in a
// process builds its tables for about 200 us, more than the index saves at
// that size.) A file that fails to parse is never indexed, so its error is
// found again, in the same words, every time.
//
// Only files of at least indexMinSize bytes are indexed: below that the parse
// takes tens of microseconds, and the index would save a few (BENCHMARKS.md,
// issue 14, fifth pass). A file with a [DEFAULT] section is not indexed either (its
// options, which may be spread over several sections of that name, are read
// during the parse).
//
// The index is a cache: missing, unreadable, damaged or stale, it is
// ignored and rewritten; if it cannot be written the file is parsed on every
// run, as before. It holds offsets and a digest, nothing of the file's text.

// indexMinSize is the smallest file that gets an index.
const indexMinSize = 64 << 10

// indexMagic starts every index; the version changes whenever the layout or
// what parseINIString keeps of a section does.
const indexMagic = "ssocli awsconfig parse index v2\n"

// Layout, little-endian: magic, the file's SHA-256 (32), its length (8), the
// number of sections (4), then per section its header's offset and length,
// its body's offset and length and its line number (5 x 4), and last the
// CRC-32 (IEEE) of everything before it (4), which catches a damaged index.
const (
	indexHead  = len(indexMagic) + 32 + 8 + 4
	indexEntry = 5 * 4
)

// IndexPath is where the index of the config file at configPath is kept
// under dir: one file per config path, replaced when the file changes.
func IndexPath(dir, configPath string) string {
	if abs, err := filepath.Abs(configPath); err == nil {
		configPath = abs
	}
	sum := sha256.Sum256([]byte(configPath))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".idx")
}

// parseINIIndexed is parseINIString for the config file, through the index
// at indexPath for a file of at least minSize bytes.
func parseINIIndexed(s, indexPath string, minSize int) (*rawFile, error) {
	if len(s) < minSize || indexPath == "" {
		return parseINIString(s)
	}
	sum := fileSum(s)
	// A section takes at least 4 bytes ("[a]\n"), which bounds the index; a
	// FIFO or device planted there is not read (atomicfile).
	maxIndex := int64(indexHead + 4 + indexEntry*(len(s)/4+1))
	if b, err := atomicfile.ReadFile(context.Background(), indexPath, atomicfile.ReadOptions{MaxSize: maxIndex}); err == nil {
		if f := decodeIndex(b, s, sum); f != nil {
			return f, nil
		}
	}
	f, err := parseINIString(s)
	if err != nil {
		return nil, err
	}
	if b := encodeIndex(f, s, sum); b != nil {
		// Best effort: a cache that cannot be written leaves the parse as it was.
		_ = atomicfile.WriteFile(context.Background(), indexPath, b, atomicfile.Options{Perm: 0o600})
	}
	return f, nil
}

// fileSum is the digest of the file, as the index keeps it.
func fileSum(s string) [32]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// offsetIn is where sub starts in s, if it is a substring of s's memory.
func offsetIn(s, sub string) (int, bool) {
	if len(sub) == 0 {
		return 0, true
	}
	base, p := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(sub)))
	if p < base || p-base > uintptr(len(s)) || p-base+uintptr(len(sub)) > uintptr(len(s)) {
		return 0, false
	}
	return int(p - base), true
}

// encodeIndex is the index of f, the parse of s; nil when f cannot be
// indexed (a [DEFAULT] section, or a header or body that is not a substring
// of s).
func encodeIndex(f *rawFile, s string, sum [32]byte) []byte {
	if f.defaults != nil || uint64(len(s)) > 1<<32-1 {
		return nil
	}
	b := make([]byte, 0, indexHead+indexEntry*len(f.sections)+4)
	b = append(b, indexMagic...)
	b = append(b, sum[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f.sections)))
	for _, r := range f.sections {
		h, ok1 := offsetIn(s, r.header)
		body, ok2 := offsetIn(s, r.body)
		if !ok1 || !ok2 || r.line < 0 {
			return nil
		}
		for _, v := range [...]uint32{uint32(h), uint32(len(r.header)), uint32(body), uint32(len(r.body)), uint32(r.line)} {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// decodeIndex rebuilds the parse of s from its index b, or returns nil when
// b is not an intact index of s.
func decodeIndex(b []byte, s string, sum [32]byte) *rawFile {
	if len(b) < indexHead+4 || string(b[:len(indexMagic)]) != indexMagic {
		return nil
	}
	if crc32.ChecksumIEEE(b[:len(b)-4]) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil
	}
	p := b[len(indexMagic) : len(b)-4]
	if [32]byte(p[:32]) != sum || binary.LittleEndian.Uint64(p[32:40]) != uint64(len(s)) {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(p[40:44]))
	p = p[44:]
	if len(p) != n*indexEntry {
		return nil
	}
	secs := make([]rawSection, n)
	f := &rawFile{sections: make([]*rawSection, n)}
	for i := range secs {
		e := p[i*indexEntry : (i+1)*indexEntry]
		h, hl := int(binary.LittleEndian.Uint32(e)), int(binary.LittleEndian.Uint32(e[4:]))
		bo, bl := int(binary.LittleEndian.Uint32(e[8:])), int(binary.LittleEndian.Uint32(e[12:]))
		line := binary.LittleEndian.Uint32(e[16:])
		if h+hl > len(s) || bo+bl > len(s) || line > 1<<31-1 {
			return nil
		}
		secs[i] = rawSection{header: s[h : h+hl], body: s[bo : bo+bl], line: int32(line)}
		f.sections[i] = &secs[i]
	}
	return f
}
