package plural

import "testing"

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		n    int
		word string
		want string
	}{
		{1, "code", "1 code"},
		{0, "code", "0 codes"},
		{3, "QR frame", "3 QR frames"},
		{1, "input", "1 input"},
		{2, "address", "2 addresses"},
		{2, "entry", "2 entries"},
		{2, "key", "2 keys"},
		{2, "match", "2 matches"},
		{2, "box", "2 boxes"},
		{1, "alert", "1 alert"},
		{5, "confirmation", "5 confirmations"},
	} {
		if got := Of(tc.n, tc.word); got != tc.want {
			t.Errorf("Of(%d, %q) = %q, want %q", tc.n, tc.word, got, tc.want)
		}
	}
}
