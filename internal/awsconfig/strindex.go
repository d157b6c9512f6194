package awsconfig

import "hash/maphash"

// strIndex finds an item of a slice the caller owns by its key (a string the
// item holds): a hash table of the items' positions, 4 bytes a slot, at most
// two thirds full. A file of 10,000 sections needs two such sets (the section
// headers, for the duplicate check, and the profile names); as Go maps of
// strings they took ~100 bytes a section, a third of all that a
// `configure export-credentials` allocates per profile in ~/.aws/config, and
// their hashing and inserts a tenth of its instructions (issue 14, third
// pass, BENCHMARKS.md).
type strIndex struct {
	seed  maphash.Seed
	slots []int32 // 1 + the item's position; 0 is an empty slot
	n     int     // items indexed
}

// init makes room for n items.
func (x *strIndex) init(n int) {
	size := 8
	for size < n+n/2+1 { // at most two thirds full
		size <<= 1
	}
	x.slots, x.n = make([]int32, size), 0
	if x.seed == (maphash.Seed{}) {
		x.seed = maphash.MakeSeed()
	}
}

// slot returns the slot of key in x: the one holding the item whose key it
// is, or the empty one where it would go.
func slot[T any](x *strIndex, items []*T, keyOf func(*T) string, key string) *int32 {
	mask := uint64(len(x.slots) - 1)
	for h := maphash.String(x.seed, key) & mask; ; h = (h + 1) & mask {
		s := &x.slots[h]
		if *s == 0 || keyOf(items[*s-1]) == key {
			return s
		}
	}
}

// find returns the position in items of the item whose key is key.
func find[T any](x *strIndex, items []*T, keyOf func(*T) string, key string) (int, bool) {
	if x.n == 0 {
		return 0, false
	}
	s := slot(x, items, keyOf, key)
	return int(*s) - 1, *s != 0
}

// add indexes items[i] under its key unless an item with that key is indexed:
// then it returns that item's position and false.
func add[T any](x *strIndex, items []*T, keyOf func(*T) string, i int) (int, bool) {
	if n := x.n + 1; n+n/2+1 > len(x.slots) {
		old := x.slots
		x.init(2 * n)
		for _, s := range old {
			if s != 0 {
				*slot(x, items, keyOf, keyOf(items[s-1])) = s
				x.n++
			}
		}
	}
	s := slot(x, items, keyOf, keyOf(items[i]))
	if *s != 0 {
		return int(*s) - 1, false
	}
	*s = int32(i + 1)
	x.n++
	return i, true
}
