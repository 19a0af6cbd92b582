package natsstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/emcc/accredit/domain/evidence"
)

// Blobs keeps evidence files (already encrypted by the caller) in a
// JetStream object store bucket.
//
// Objects are written and read here chunk by chunk in the object store's own
// layout (chunks on $O.<bucket>.C.<nuid>, the description on
// $O.<bucket>.M.<name>), so that the library's object store, the nats CLI
// and backups read them as any other object. The library's Put publishes
// every chunk asynchronously with no bound, so a fast reader and a slow disk
// (fsync on every write) pile a whole file up in the server's ingest queue;
// its Get pushes every chunk to the client at once. Here one chunk is
// published and acknowledged at a time, and read back one at a time by
// direct get, so a file in flight costs about one chunk of memory.
type Blobs struct {
	js     jetstream.JetStream
	os     jetstream.ObjectStore
	stream jetstream.Stream
}

// chunkSize is half the library's default (128 KiB). What a file in flight
// holds is a few copies of one chunk (the reader's buffer, the client's and
// the server's, the stream's queue) and the collector lets the heap grow by
// as much again before it runs. With 64 KiB, the RSS growth per concurrent
// 20 MiB upload (BenchmarkUploadRSS; issue 11's target is under 4 MiB) fell
// from 4.6 to 3.5 MiB on average and per download from 10.6 to 7.6 MiB
// (twelve runs of each, alternated), for a seventh more time per file (twice
// the round trips). Objects of any chunk size are read alike.
const chunkSize = 64 << 10

// ErrNoBlob is returned for a missing object: the port's error.
var ErrNoBlob = evidence.ErrNoBlob

// OpenBlobs creates or updates the evidence bucket.
func OpenBlobs(ctx context.Context, js jetstream.JetStream, cfg Config) (*Blobs, error) {
	os, err := ensure(ctx, cfg.Log, "create object store "+EvidenceBucket, func(ctx context.Context) (jetstream.ObjectStore, error) {
		return js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket: EvidenceBucket, Description: "Evidence files, encrypted per person",
			Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
		})
	})
	if err != nil {
		return nil, err
	}
	stream, err := ensure(ctx, cfg.Log, "object store stream "+EvidenceBucket, func(ctx context.Context) (jetstream.Stream, error) {
		st, err := js.Stream(ctx, "OBJ_"+EvidenceBucket)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			// Created a moment ago, by us or another process: the cluster
			// may not have told this server yet.
			return nil, fmt.Errorf("%w: %w", errNotYet, err)
		}
		return st, err
	})
	if err != nil {
		return nil, err
	}
	return &Blobs{js: js, os: os, stream: stream}, nil
}

func chunkSubject(nuid string) string { return "$O." + EvidenceBucket + ".C." + nuid }

// Put implements evidence.Blobs: each chunk is acknowledged before the next
// is read, so memory stays at one chunk whatever the file's size.
func (b *Blobs) Put(ctx context.Context, name string, r io.Reader) error {
	id := nuid.Next()
	subj := chunkSubject(id)
	failed := func(err error) error {
		_ = b.stream.Purge(context.WithoutCancel(ctx), jetstream.WithPurgeSubject(subj))
		return fmt.Errorf("put object %s: %w", name, err)
	}
	old, err := b.os.GetInfo(ctx, name, jetstream.GetObjectInfoShowDeleted())
	if err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("put object %s: %w", name, err)
	}
	buf := make([]byte, chunkSize)
	h := sha256.New()
	var size uint64
	var chunks uint32
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			h.Write(buf[:n])
			if _, err := b.js.PublishMsg(ctx, &nats.Msg{Subject: subj, Data: buf[:n]}); err != nil {
				return failed(err)
			}
			size += uint64(n)
			chunks++
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return failed(rerr)
		}
	}
	info := jetstream.ObjectInfo{ObjectMeta: jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: chunkSize}},
		Bucket: EvidenceBucket, NUID: id, Size: size, ModTime: time.Now().UTC(), Chunks: chunks, Digest: jetstream.GetObjectDigestValue(h)}
	data, err := json.Marshal(info)
	if err != nil {
		return failed(err)
	}
	meta := nats.NewMsg("$O." + EvidenceBucket + ".M." + base64.URLEncoding.EncodeToString([]byte(name)))
	meta.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	meta.Data = data
	if _, err := b.js.PublishMsg(ctx, meta); err != nil {
		return failed(err)
	}
	if old != nil && !old.Deleted { // replaced: its chunks go
		_ = b.stream.Purge(ctx, jetstream.WithPurgeSubject(chunkSubject(old.NUID)))
	}
	return nil
}

// Get implements evidence.Blobs: chunks are fetched one at a time as the
// caller reads, and the size and digest are checked at the end.
func (b *Blobs) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	info, err := b.os.GetInfo(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, ErrNoBlob
	}
	if err != nil {
		return nil, err
	}
	if info.Deleted {
		return nil, ErrNoBlob
	}
	if info.Opts != nil && info.Opts.Link != nil {
		return nil, fmt.Errorf("object %s is a link", name)
	}
	return &objectReader{ctx: ctx, stream: b.stream, info: info, subj: chunkSubject(info.NUID), seq: 1, h: sha256.New()}, nil
}

type objectReader struct {
	ctx    context.Context
	stream jetstream.Stream
	info   *jetstream.ObjectInfo
	subj   string
	seq    uint64
	got    uint32
	size   uint64
	buf    []byte
	h      hash.Hash
	err    error
}

func (o *objectReader) Read(p []byte) (int, error) {
	for len(o.buf) == 0 && o.err == nil {
		if o.got == o.info.Chunks {
			o.err = o.verify()
			break
		}
		m, err := o.stream.GetMsg(o.ctx, o.seq, jetstream.WithGetMsgSubject(o.subj))
		if err != nil {
			o.err = fmt.Errorf("read object %s chunk %d: %w", o.info.Name, o.got+1, err)
			break
		}
		o.seq, o.got, o.buf = m.Sequence+1, o.got+1, m.Data
		o.size += uint64(len(m.Data))
		o.h.Write(m.Data)
	}
	if len(o.buf) == 0 {
		return 0, o.err
	}
	n := copy(p, o.buf)
	o.buf = o.buf[n:]
	return n, nil
}

func (o *objectReader) verify() error {
	want, err := jetstream.DecodeObjectDigest(o.info.Digest)
	if err != nil {
		return fmt.Errorf("object %s: %w", o.info.Name, err)
	}
	if o.size != o.info.Size || !bytes.Equal(o.h.Sum(nil), want) {
		return fmt.Errorf("object %s: size or digest does not match", o.info.Name)
	}
	return io.EOF
}

func (o *objectReader) Close() error { return nil }

// Delete implements evidence.Blobs; the object's chunks are purged.
func (b *Blobs) Delete(ctx context.Context, name string) error {
	err := b.os.Delete(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	return err
}

// Walk implements evidence.Blobs: the objects' descriptions come one at a
// time from a watch of the bucket's last description per object, and stop
// at the marker that says all were given. When an object was stored is
// when the server stored its description (the last thing a put writes).
func (b *Blobs) Walk(ctx context.Context, fn func(name string, stored time.Time) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.os.Watch(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("walk objects: %w", err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("walk objects: %w", ctx.Err())
		case info, ok := <-w.Updates():
			if !ok {
				return errors.New("walk objects: the watch ended before its last object")
			}
			if info == nil {
				return nil // every object given
			}
			if err := fn(info.Name, info.ModTime); err != nil {
				return err
			}
		}
	}
}
