package reports

import (
	"bytes"
	"testing"
)

func TestWriteDocument(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDocument(&b, struct {
		Level string `json:"level"`
	}{"vnet"}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"version\": \"devel\",\n  \"level\": \"vnet\"\n}\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	for _, v := range []any{[]int{1}, struct{}{}, "text"} {
		if err := WriteDocument(&bytes.Buffer{}, v); err == nil {
			t.Errorf("WriteDocument(%#v) wrote a document that is not a non-empty object", v)
		}
	}
}
