package spamfilter

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Seed is a model learnt elsewhere and shipped read-only: the counts of a
// store, weighted. A Classifier adds it under the counts of its own store,
// whose every learnt message weighs SiteWeight times a seed message, so a
// site's own decisions soon outweigh it.
type Seed struct {
	SpamDocs, HamDocs         float64
	SpamFeatures, HamFeatures float64 // features learnt per class, weighted
	Counts                    map[string]Weighted
}

// Weighted are a feature's counts in a Seed.
type Weighted struct{ Spam, Ham float64 }

// Group is one source of labelled examples (a site, a corpus).
type Group struct {
	Name     string
	Examples []Example
}

// SeedOptions says how BuildSeed mixes its groups.
type SeedOptions struct {
	// Alpha shares each class's weight among the groups that hold it in
	// proportion to size^Alpha: 1 keeps the corpora's own sizes, 0 gives
	// every group the same say whatever its size.
	Alpha float64
	// MinGroups keeps a word, phrase or link feature only when it occurs
	// in at least this many groups: a word that only one source uses is
	// that source's topic, not a sign of spam or of its absence.
	MinGroups int
	// MinSeen drops features whose weighted sightings are below it.
	MinSeen float64
	// OneClassSignals learns only signals (see isSignal) from a group that
	// holds one class: its words and its shape are its topic and its
	// register, which nothing in it contrasts with the other class.
	OneClassSignals bool
}

// DefaultSeedOptions are the options of the seed Margin ships.
var DefaultSeedOptions = SeedOptions{Alpha: 0.5, MinGroups: 2, MinSeen: 1.5, OneClassSignals: true}

// lexical features are those of one site's vocabulary.
func lexical(f string) bool {
	return strings.HasPrefix(f, prefixWord) || strings.HasPrefix(f, prefixBigram) || strings.HasPrefix(f, prefixFirst) ||
		strings.HasPrefix(f, prefixHost) || strings.HasPrefix(f, prefixDomain)
}

// BuildSeed learns a Seed from several groups, balancing them: both
// classes weigh the same in total, and within a class the groups share
// the weight as opts says, so that neither the largest corpus nor the
// class a one-class corpus holds decides what its words mean.
func BuildSeed(groups []Group, opts SeedOptions) *Seed {
	featured := make([][]Featured, len(groups))
	for gi, g := range groups {
		for _, e := range g.Examples {
			featured[gi] = append(featured[gi], Featured{Features(e.Text), e.Spam})
		}
	}
	return BuildSeedFeatured(featured, opts)
}

// Featured is an example already turned into its features.
type Featured struct {
	Features []string
	Spam     bool
}

// BuildSeedFeatured is BuildSeed for examples whose features are known.
func BuildSeedFeatured(groups [][]Featured, opts SeedOptions) *Seed {
	type learnt struct {
		features []string
		spam     bool
		group    int
	}
	var all []learnt
	size := make([][2]float64, len(groups)) // [ham, spam] per group
	for gi, g := range groups {
		seen := map[string]bool{}
		for _, e := range g {
			key := strconv.FormatBool(e.Spam) + "\x00" + strings.Join(e.Features, "\x00")
			if seen[key] {
				continue
			}
			seen[key] = true
			all = append(all, learnt{e.Features, e.Spam, gi})
			size[gi][b2i(e.Spam)]++
		}
	}
	// weight per message of each group and class
	var total [2]float64
	for _, s := range size {
		total[0] += s[0]
		total[1] += s[1]
	}
	half := (total[0] + total[1]) / 2
	weight := make([][2]float64, len(groups))
	for c := 0; c < 2; c++ {
		var shares float64
		for _, s := range size {
			if s[c] > 0 {
				shares += math.Pow(s[c], opts.Alpha)
			}
		}
		for gi, s := range size {
			if s[c] > 0 {
				weight[gi][c] = half * math.Pow(s[c], opts.Alpha) / shares / s[c]
			}
		}
	}
	groupsOf := map[string]uint64{}
	for _, l := range all {
		for _, f := range l.features {
			if lexical(f) {
				groupsOf[f] |= 1 << (l.group % 64)
			}
		}
	}
	seed := &Seed{Counts: map[string]Weighted{}}
	for _, l := range all {
		w := weight[l.group][b2i(l.spam)]
		oneClass := size[l.group][0] == 0 || size[l.group][1] == 0
		n := 0.0
		for _, f := range l.features {
			if lexical(f) && popcount(groupsOf[f]) < opts.MinGroups {
				continue
			}
			if oneClass && opts.OneClassSignals && !isSignal(f) {
				continue
			}
			c := seed.Counts[f]
			if l.spam {
				c.Spam += w
			} else {
				c.Ham += w
			}
			seed.Counts[f] = c
			n++
		}
		if l.spam {
			seed.SpamDocs += w
			seed.SpamFeatures += w * n
		} else {
			seed.HamDocs += w
			seed.HamFeatures += w * n
		}
	}
	for f, c := range seed.Counts {
		if c.Spam+c.Ham < opts.MinSeen {
			delete(seed.Counts, f)
		}
	}
	return seed
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// seedFile is the seed Margin ships, learnt from the corpora of
// ../shared/spam by cmd/spamseed (see docs/spam-eval.md).
//
//go:embed seed.bin
var seedFile []byte

var defaultSeed = sync.OnceValue(func() *Seed {
	s, err := ReadSeed(bytes.NewReader(seedFile))
	if err != nil {
		panic("spamfilter: the embedded seed is damaged: " + err.Error())
	}
	return s
})

// DefaultSeed is the model shipped in the binary, used under a site's own
// counts until its moderators' decisions take over.
func DefaultSeed() *Seed { return defaultSeed() }

// seedHeader names the file format and the feature vocabulary.
const seedHeader = "margin-spam-seed"

// WriteSeed writes s compressed, features in order so the same seed gives
// the same bytes.
func WriteSeed(w io.Writer, s *Seed) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	fmt.Fprintf(bw, "%s %d\n%g %g %g %g\n", seedHeader, FeatureVersion, s.SpamDocs, s.HamDocs, s.SpamFeatures, s.HamFeatures)
	keys := make([]string, 0, len(s.Counts))
	for f := range s.Counts {
		keys = append(keys, f)
	}
	sort.Strings(keys)
	for _, f := range keys {
		c := s.Counts[f]
		fmt.Fprintf(bw, "%s\t%.4g\t%.4g\n", f, c.Spam, c.Ham)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// ReadSeed reads what WriteSeed wrote. A seed of another feature
// vocabulary is refused: its counts would mean nothing.
func ReadSeed(r io.Reader) (*Seed, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var version int
	s := &Seed{Counts: map[string]Weighted{}}
	if !sc.Scan() {
		return nil, fmt.Errorf("empty seed")
	}
	if _, err := fmt.Sscanf(sc.Text(), seedHeader+" %d", &version); err != nil || version != FeatureVersion {
		return nil, fmt.Errorf("seed of feature version %d, want %d", version, FeatureVersion)
	}
	if !sc.Scan() {
		return nil, fmt.Errorf("seed without totals")
	}
	if _, err := fmt.Sscanf(sc.Text(), "%g %g %g %g", &s.SpamDocs, &s.HamDocs, &s.SpamFeatures, &s.HamFeatures); err != nil {
		return nil, fmt.Errorf("seed totals: %w", err)
	}
	for sc.Scan() {
		f, rest, ok := strings.Cut(sc.Text(), "\t")
		sp, hm, ok2 := strings.Cut(rest, "\t")
		if !ok || !ok2 {
			return nil, fmt.Errorf("seed line %q", sc.Text())
		}
		var c Weighted
		if c.Spam, err = strconv.ParseFloat(sp, 64); err == nil {
			c.Ham, err = strconv.ParseFloat(hm, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("seed line %q: %w", sc.Text(), err)
		}
		s.Counts[f] = c
	}
	return s, sc.Err()
}
