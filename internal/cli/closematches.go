package cli

import (
	"slices"
	"strings"
)

// closeMatches is Python's difflib.get_close_matches(word, possibilities,
// n=3, cutoff=0.8), with which the AWS CLI's parser suggests a choice for a
// mistyped one (argparser.py CLIArgParser._check_value). Hand-written for its
// results: cobra's suggestions (Levenshtein distance and prefixes) propose
// other words, and the suggestion is part of the message.
func closeMatches(word string, possibilities []string) []string {
	type scored struct {
		score float64
		s     string
	}
	var res []scored
	for _, p := range possibilities {
		if r := seqRatio([]rune(p), []rune(word)); r >= 0.8 {
			res = append(res, scored{r, p})
		}
	}
	// heapq.nlargest(3, (score, x)): highest score first, then the greater string.
	slices.SortFunc(res, func(a, b scored) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return -strings.Compare(a.s, b.s)
	})
	var out []string
	for i := 0; i < len(res) && i < 3; i++ {
		out = append(out, res[i].s)
	}
	return out
}

// seqRatio is SequenceMatcher(None, a, b).ratio(): twice the number of
// elements in the matching blocks (longest common block first, then the same
// on each side of it) over the total length. Without junk and for the short
// words here (autojunk starts at 200 elements) find_longest_match is the
// plain dynamic programme.
func seqRatio(a, b []rune) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	b2j := map[rune][]int{}
	for j, r := range b {
		b2j[r] = append(b2j[r], j)
	}
	longest := func(alo, ahi, blo, bhi int) (int, int, int) {
		besti, bestj, bestsize := alo, blo, 0
		j2len := map[int]int{}
		for i := alo; i < ahi; i++ {
			next := map[int]int{}
			for _, j := range b2j[a[i]] {
				if j < blo {
					continue
				}
				if j >= bhi {
					break
				}
				k := j2len[j-1] + 1
				next[j] = k
				if k > bestsize {
					besti, bestj, bestsize = i-k+1, j-k+1, k
				}
			}
			j2len = next
		}
		return besti, bestj, bestsize
	}
	matches := 0
	queue := [][4]int{{0, len(a), 0, len(b)}}
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		i, j, k := longest(q[0], q[1], q[2], q[3])
		if k == 0 {
			continue
		}
		matches += k
		if q[0] < i && q[2] < j {
			queue = append(queue, [4]int{q[0], i, q[2], j})
		}
		if i+k < q[1] && j+k < q[3] {
			queue = append(queue, [4]int{i + k, q[1], j + k, q[3]})
		}
	}
	return 2 * float64(matches) / float64(len(a)+len(b))
}
