package natsstore

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// Blobs writes chunks of its own size (chunkSize) in the object store's
// layout: an object the library wrote with its default chunk size reads
// back through Blobs, and one Blobs wrote reads back through the library
// (as the nats CLI and backups read it), each across several chunks and a
// partial last one.
func TestBlobsAndTheLibraryReadEachOthersObjects(t *testing.T) {
	ctx := context.Background()
	js := jetStreamOnAServer(t)
	blobs, err := OpenBlobs(ctx, js, Config{})
	if err != nil {
		t.Fatal(err)
	}
	const libraryChunk = 128 << 10 // nats.go's default
	if chunkSize == libraryChunk {
		t.Fatalf("chunkSize is the library's own (%d): this test would not tell the two apart", libraryChunk)
	}
	file := func(seed byte) []byte {
		b := make([]byte, 3*libraryChunk+2*chunkSize+11)
		for i := range b {
			b[i] = byte(i*7) ^ seed
		}
		return b
	}

	theirs := file(1)
	if _, err := blobs.os.PutBytes(ctx, "case/theirs", theirs); err != nil {
		t.Fatal(err)
	}
	info, err := blobs.os.GetInfo(ctx, "case/theirs")
	if err != nil {
		t.Fatal(err)
	}
	if want := uint32((len(theirs) + libraryChunk - 1) / libraryChunk); info.Chunks != want {
		t.Fatalf("the library wrote %d chunks, want %d of its default size", info.Chunks, want)
	}
	r, err := blobs.Get(ctx, "case/theirs")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil || !bytes.Equal(got, theirs) {
		t.Fatalf("Blobs read the library's object: %d bytes, %v; want its %d", len(got), err, len(theirs))
	}

	ours := file(2)
	if err := blobs.Put(ctx, "case/ours", bytes.NewReader(ours)); err != nil {
		t.Fatal(err)
	}
	info, err = blobs.os.GetInfo(ctx, "case/ours")
	if err != nil {
		t.Fatal(err)
	}
	if want := uint32((len(ours) + chunkSize - 1) / chunkSize); info.Chunks != want || info.Opts == nil || info.Opts.ChunkSize != chunkSize {
		t.Fatalf("Blobs wrote %d chunks (size %+v), want %d of %d bytes", info.Chunks, info.Opts, want, chunkSize)
	}
	got, err = blobs.os.GetBytes(ctx, "case/ours")
	if err != nil || !bytes.Equal(got, ours) {
		t.Fatalf("the library read Blobs' object: %d bytes, %v; want its %d", len(got), err, len(ours))
	}
}
