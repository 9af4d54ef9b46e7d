package spamfilter

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestHiddenLinksAndNumbersAreFound(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"visit example. com for more", "obfuscated-link"},
		{"see example(dot)com today", "obfuscated-link"},
		{"go to bit.ly\\Kw769F now", "obfuscated-link"},
		{"♥♥♥HDMovieStream.COMl♥♥♥", "obfuscated-link"},
		{"call 1-8OO-555-0199 now", "dodged-number"},
		{"Frее mоney here", "mixed-scripts"},
		{"𝓯𝓻𝓮𝓮 𝓶𝓸𝓷𝓮𝔂", "fancy-letters"},
		{"Call Apple Support at +1 (888) 555 0123", "has-phone-number"},
		{"Do My College Essay for me cheap", "call:trade"},
		{"check out my channel", "call:visit"},
	} {
		if fs := Features(tc.text); !slices.Contains(fs, tc.want) {
			t.Errorf("%q: no %s in %q", tc.text, tc.want, fs)
		}
	}
	for _, tc := range []struct{ text, not string }{
		{"I use ASP .NET and C#", "obfuscated-link"},
		{"achieved 100% training accuracy, MSE 0.0123456789", "has-phone-number"},
		{"posted on 2013-07-04 at 10:22:31", "has-phone-number"},
		{"the envelope id 123456789012 was returned", "has-phone-number"},
		{"Hi, please can you help me? Thank you", "call:contact"},
	} {
		if fs := Features(tc.text); slices.Contains(fs, tc.not) {
			t.Errorf("%q: %s in %q", tc.text, tc.not, fs)
		}
	}
}

// Courtesy never weighs as spam, however often spammers are polite.
func TestCourtesyNeverCountsAsSpam(t *testing.T) {
	store := NewMemoryStore()
	c := New(store)
	for i := 0; i < 30; i++ {
		c.Learn("hi please thank you can you help me check out my channel http://spam.example/"+strings.Repeat("x", i), true)
		c.Learn("the treaty article was signed in april", false)
	}
	_, reasons, _ := c.Score("Hi, can you please help me? Thank you http://docs.example/guide")
	for _, r := range reasons[1:] {
		for _, w := range []string{`"hi"`, `"please"`, `"thank you"`, `"can you"`, `"help me"`} {
			if strings.Contains(r, w) {
				t.Errorf("courtesy weighed as spam: %q", reasons)
			}
		}
	}
}

// Odd words without a link, a contact or a call to action never hold a note.
func TestNoHoldWithoutASignal(t *testing.T) {
	c := &Classifier{Store: NewMemoryStore(), Seed: DefaultSeed()}
	for _, text := range []string{
		"Groping people in public wasn't already illegal? What's up with that?",
		"Can someone please help? I get error 400 when I create the envelope.",
		"achieved 100% training accuracy but the validation loss is 0.31",
	} {
		p, reasons, err := c.Score(text)
		if err != nil || p >= DefaultThreshold {
			t.Errorf("%q: %.2f %q %v", text, p, reasons, err)
		}
	}
	for _, text := range []string{
		"Check out my channel and subscribe!!! http://bit.ly/x7",
		"Call Apple Support at +1 (888) 555 0123, toll free, for help with your account",
		"WINNER!! You have won a £1000 prize. Text CLAIM to 87121 to claim now",
	} {
		if p, reasons, _ := c.Score(text); p < DefaultThreshold {
			t.Errorf("spam %q scored %.2f %q", text, p, reasons)
		}
	}
}

func TestSeedRoundTrip(t *testing.T) {
	s := DefaultSeed()
	if len(s.Counts) < 5000 || s.SpamDocs <= 0 || s.HamDocs <= 0 {
		t.Fatalf("embedded seed: %d features, %.0f / %.0f messages", len(s.Counts), s.SpamDocs, s.HamDocs)
	}
	var buf bytes.Buffer
	if err := WriteSeed(&buf, s); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSeed(&buf)
	if err != nil || len(back.Counts) != len(s.Counts) || back.SpamFeatures != s.SpamFeatures {
		t.Fatalf("round trip: %v, %d features", err, len(back.Counts))
	}
}

// A site's own decisions outweigh the seed as they accumulate.
func TestSiteDecisionsOutweighTheSeed(t *testing.T) {
	store := NewMemoryStore()
	c := &Classifier{Store: store, Seed: DefaultSeed()}
	text := "Our webinar on e-signature APIs is on Friday, register at http://events.example/signup"
	before, _, _ := c.Score(text)
	for i := 0; i < 40; i++ {
		c.Learn("webinar on e-signature APIs, register at http://events.example/signup "+strings.Repeat("a", i+1), false)
		c.Learn("cheap pills online buy now http://pills.example/"+strings.Repeat("b", i+1), true)
	}
	after, _, _ := c.Score(text)
	if after >= before || after >= 0.3 {
		t.Errorf("after 40 genuine decisions the score went %.2f -> %.2f", before, after)
	}
}
