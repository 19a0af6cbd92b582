package pii_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/emcc/accredit/domain/pii"
)

func sealFile(t *testing.T, v *pii.Vault, subject string, plain []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := v.SealFile(context.Background(), subject, &out)
	if err != nil {
		t.Fatal(err)
	}
	// Written in odd pieces, as a spooled upload is copied.
	for p := plain; len(p) > 0; {
		n := min(len(p), 7919)
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func openFile(v *pii.Vault, subject string, sealed []byte) ([]byte, error) {
	r, err := v.OpenFile(context.Background(), subject, bytes.NewReader(sealed))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestFileRoundTripAtSegmentBoundaries(t *testing.T) {
	v := newVault(t)
	seg := 64 << 10
	for _, size := range []int{0, 1, 15, 16, seg - 57, seg - 56, seg - 55, seg - 16, seg, seg + 1, 3*seg + 5, 1 << 20} {
		plain := make([]byte, size)
		_, _ = rand.Read(plain)
		sealed := sealFile(t, v, "user-1", plain)
		if size > 64 && bytes.Contains(sealed, plain[:64]) {
			t.Fatalf("size %d: sealed file holds the clear text", size)
		}
		got, err := openFile(v, "user-1", sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: got %d bytes, %v; want the %d bytes sealed", size, len(got), err, size)
		}
	}
}

func TestFileTamperingFails(t *testing.T) {
	v := newVault(t)
	plain := bytes.Repeat([]byte("0123456789abcdef"), 20_000) // 320 kB: five segments
	sealed := sealFile(t, v, "user-1", plain)
	seg := 64 << 10
	head := 16 + 40 // magic, then Tink's header; segment k >= 1 starts at 16+k*seg
	cases := map[string][]byte{
		"truncated at a segment boundary": sealed[:16+seg*2],
		"last byte dropped":               sealed[:len(sealed)-1],
		"bit flipped":                     flip(sealed, len(sealed)/2),
		"segments swapped": func() []byte {
			b := append([]byte{}, sealed...)
			a, c := b[16+seg:16+2*seg], b[16+2*seg:16+3*seg] // the second and third segments
			tmp := append([]byte{}, a...)
			copy(a, c)
			copy(c, tmp)
			return b
		}(),
		"magic only": sealed[:16],
		"header cut": sealed[:head-3],
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := openFile(v, "user-1", b)
			if err == nil {
				t.Fatalf("opened %d bytes of a tampered file, want an error", len(got))
			}
		})
	}
	t.Run("another person's key", func(t *testing.T) {
		if _, err := v.SealFile(context.Background(), "user-2", io.Discard); err != nil {
			t.Fatal(err)
		}
		if _, err := openFile(v, "user-2", sealed); err == nil {
			t.Fatal("user-1's file opened as user-2's")
		}
	})
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 1
	return c
}

// Files stored before segmented sealing (one GCM seal of the whole file,
// no marker) still open.
func TestFileSealedWholeStillOpens(t *testing.T) {
	v := newVault(t)
	plain := []byte("%PDF-1.7 an old certificate")
	old, err := v.SealBytes(context.Background(), "user-1", plain)
	if err != nil {
		t.Fatal(err)
	}
	got, err := openFile(v, "user-1", old)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("got %q, %v; want %q", got, err, plain)
	}
}

func TestFileErasedCannotBeOpened(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	sealed := sealFile(t, v, "user-1", []byte("reflections"))
	old, _ := v.SealBytes(ctx, "user-1", []byte("reflections"))
	if err := v.Erase(ctx, "user-1"); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"segmented": sealed, "whole": old} {
		if _, err := openFile(v, "user-1", b); !errors.Is(err, pii.ErrErased) {
			t.Fatalf("%s after erasure: got %v, want ErrErased", name, err)
		}
	}
}

// FuzzOpenFile: any bytes offered as a sealed file open to an error (or,
// only for what SealFile made, the clear text); never a panic.
func FuzzOpenFile(f *testing.F) {
	v, _ := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{7}, 32))
	var sealed bytes.Buffer
	w, _ := v.SealFile(context.Background(), "user-1", &sealed)
	_, _ = w.Write([]byte("clear text"))
	_ = w.Close()
	old, _ := v.SealBytes(context.Background(), "user-1", []byte("clear text"))
	f.Add(sealed.Bytes())
	f.Add(old)
	f.Add([]byte("accredit-file/2\n"))
	f.Add([]byte("accredit-file/2\n\x28"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := openFile(v, "user-1", data)
		if err == nil && string(got) != "clear text" {
			t.Fatalf("forged file opened to %q", got)
		}
	})
}

// FuzzRevealTree: any JSON payload (the audit export reveals every one) is
// walked without a panic and stays JSON.
func FuzzRevealTree(f *testing.F) {
	f.Add([]byte(`{"s":"user-1","c":"AAAA"}`))
	f.Add([]byte(`{"a":[{"s":"user-1","c":"!!"},{"s":1,"c":2}],"b":{"s":"x"}}`))
	f.Add([]byte(`[null,true,1.5,"x"]`))
	v, _ := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{7}, 32))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tree any
		if json.Unmarshal(data, &tree) != nil {
			return
		}
		if _, err := json.Marshal(pii.RevealTree(context.Background(), v, tree)); err != nil {
			t.Fatalf("revealed tree is not JSON: %v", err)
		}
	})
}
