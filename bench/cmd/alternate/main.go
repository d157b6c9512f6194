// Command alternate times whole processes side by side: the commands of a
// group run in turn, in a new shuffled order every round, so that whatever
// else the machine does at the time (other builds, thermal state, page cache)
// falls on every command alike. It prints, per command, the median wall time,
// the spread (min, p10, p90, max), the median peak RSS (from the kernel's
// rusage of the child) and the ratio to the group's other commands.
//
// It reads the commands from a file, one per line:
//
//	GROUP NAME ARGV...
//
// split on blanks (no quoting: the commands bench/compare.sh writes need
// none); lines starting with # are skipped. Words of the form NAME=VALUE
// before the program are set in that command's environment (as env(1) would,
// without its exec), so that two commands can read different files; every
// command inherits the rest of this process's environment; stdout goes to /dev/null, stderr is kept to explain
// a failure. Any command that exits non-zero stops the run.
//
// It is a measurement tool for bench/, not part of ssocli.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type command struct {
	group, name string
	env         []string // NAME=VALUE words before the program
	argv        []string
	wall        []time.Duration
	rssKiB      []int64
}

func main() {
	runs := flag.Int("runs", 20, "measured runs of each command")
	warmup := flag.Int("warmup", 2, "unmeasured rounds before the measured ones")
	only := flag.String("group", "", "run only this group")
	runsFor := flag.String("runs-for", "", "per-group run counts, e.g. login=10,sts=20 (default -runs)")
	jsonOut := flag.String("json", "", "also write the raw samples to this file")
	limit := flag.Duration("timeout", 60*time.Second, "longest one command may run")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: alternate [flags] COMMANDS-FILE\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	cmds, err := readCommands(flag.Arg(0))
	if err != nil {
		fatal(err)
	}
	counts, err := parseCounts(*runsFor)
	if err != nil {
		fatal(err)
	}
	var groups []string
	byGroup := map[string][]*command{}
	for _, c := range cmds {
		if *only != "" && c.group != *only {
			continue
		}
		if _, ok := byGroup[c.group]; !ok {
			groups = append(groups, c.group)
		}
		byGroup[c.group] = append(byGroup[c.group], c)
	}
	for _, g := range groups {
		n := *runs
		if v, ok := counts[g]; ok {
			n = v
		}
		if err := runGroup(byGroup[g], *warmup, n, *limit); err != nil {
			fatal(err)
		}
		report(g, byGroup[g])
	}
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, cmds); err != nil {
			fatal(err)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "alternate:", err)
	os.Exit(1)
}

func parseCounts(s string) (map[string]int, error) {
	out := map[string]int{}
	if s == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		var n int
		if _, err := fmt.Sscan(v, &n); !ok || err != nil || n < 1 {
			return nil, fmt.Errorf("-runs-for: %q is not GROUP=N", kv)
		}
		out[k] = n
	}
	return out, nil
}

func readCommands(path string) ([]*command, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*command
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("%s: %q: want GROUP NAME ARGV...", path, line)
		}
		c := &command{group: f[0], name: f[1], argv: f[2:]}
		for len(c.argv) > 1 && isAssignment(c.argv[0]) {
			c.env, c.argv = append(c.env, c.argv[0]), c.argv[1:]
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

func runGroup(cmds []*command, warmup, runs int, limit time.Duration) error {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	order := slices.Clone(cmds)
	for round := range warmup + runs {
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, c := range order {
			wall, rss, err := runOnce(c, devnull, limit)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", c.group, c.name, err)
			}
			if round >= warmup {
				c.wall = append(c.wall, wall)
				c.rssKiB = append(c.rssKiB, rss)
			}
		}
	}
	return nil
}

// isAssignment reports whether w is NAME=VALUE with a shell variable's name.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// runOnce runs c once and returns its wall time (fork to reaped exit, as a
// shell measures it) and its peak resident set in KiB.
func runOnce(c *command, stdout *os.File, limit time.Duration) (time.Duration, int64, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	if len(c.env) > 0 {
		cmd.Env = append(os.Environ(), c.env...)
	}
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	t := time.AfterFunc(limit, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	wall := time.Since(start)
	t.Stop()
	if err != nil {
		return 0, 0, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	return wall, maxRSS(cmd.ProcessState), nil
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// Nearest rank on the sorted samples.
	i := int(q*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

func median[T int64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func report(group string, cmds []*command) {
	fmt.Printf("\n### %s (%d runs each, alternating)\n\n", group, len(cmds[0].wall))
	fmt.Println("| command | median ms | min | p10 | p90 | max | peak RSS MiB (median) |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, c := range cmds {
		s := slices.Clone(c.wall)
		slices.Sort(s)
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %.1f |\n", c.name, ms(median(c.wall)), ms(s[0]),
			ms(quantile(s, 0.1)), ms(quantile(s, 0.9)), ms(s[len(s)-1]), float64(median(c.rssKiB))/1024)
	}
	if len(cmds) < 2 {
		return
	}
	fmt.Println()
	for i, a := range cmds {
		for _, b := range cmds[i+1:] {
			ma, mb := median(a.wall), median(b.wall)
			if ma == 0 || mb == 0 {
				continue
			}
			fmt.Printf("- ratio of medians %s / %s = %.2f\n", b.name, a.name, float64(mb)/float64(ma))
		}
	}
}

func writeJSON(path string, cmds []*command) error {
	type sample struct {
		Group, Name string
		Argv        []string
		WallNs      []int64
		MaxRSSKiB   []int64
	}
	var out []sample
	for _, c := range cmds {
		s := sample{Group: c.group, Name: c.name, Argv: c.argv, MaxRSSKiB: c.rssKiB}
		for _, w := range c.wall {
			s.WallNs = append(s.WallNs, int64(w))
		}
		out = append(out, s)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
