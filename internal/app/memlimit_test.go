package app

import "testing"

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1048576", 1 << 20, true},
		{"128MiB", 128 << 20, true},
		{"2GiB", 2 << 30, true},
		{"512KiB", 512 << 10, true},
		{"100B", 100, true},
		{"", 0, false},
		{"-1MiB", 0, false},
		{"128MB", 0, false},
		{"lots", 0, false},
		{"9999999999999GiB", 0, false},
	} {
		got, err := parseBytes(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}
