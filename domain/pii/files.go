package pii

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	streamingsubtle "github.com/tink-crypto/tink-go/v2/streamingaead/subtle"
)

// Evidence files are sealed in segments (format 2) so that neither sealing
// nor opening ever holds a whole file: Tink's streaming AEAD, AES-256-GCM
// over 64 KiB segments, each file under its own key derived (HKDF-SHA256,
// random salt) from the person's file key, with the segment's index and a
// last-segment flag in each nonce, so that reordered, dropped or truncated
// segments fail to open. Files stored before (format 1) are one GCM seal of
// the whole file; they carry no marker and are still opened.
//
// Format 2 starts with fileMagic. A format-1 file starts with a random
// nonce, so it begins with the same 16 bytes once in 2^128.
var fileMagic = []byte("accredit-file/2\n")

// fileSegment is the ciphertext segment size of format 2.
const fileSegment = 64 << 10

// newFileStream derives the person's file key from their data key (so that
// one key is never used both as an AES key and as an HKDF secret) and sets
// up the streaming AEAD over it.
func newFileStream(dk []byte) (*streamingsubtle.AESGCMHKDF, error) {
	fk, err := hkdf.Key(sha256.New, dk, nil, "accredit evidence files v2", 32)
	if err != nil {
		return nil, err
	}
	return streamingsubtle.NewAESGCMHKDF(fk, "SHA256", 32, fileSegment, 0)
}

func fileAD(subject string) []byte { return []byte("file:" + subject) }

// SealFile returns a writer that seals what is written to it into w with
// subject's key (created on first use). Close seals the last segment: a file
// not closed cannot be opened.
func (v *Vault) SealFile(ctx context.Context, subject string, w io.Writer) (io.WriteCloser, error) {
	if subject == "" {
		return nil, errors.New("seal file: no subject")
	}
	k, err := v.key(ctx, subject, createKey)
	if err != nil {
		return nil, fmt.Errorf("seal file: %w", err)
	}
	stream, err := k.files()
	if err != nil {
		return nil, fmt.Errorf("seal file: %w", err)
	}
	if _, err := w.Write(fileMagic); err != nil {
		return nil, fmt.Errorf("seal file: %w", err)
	}
	sw, err := stream.NewEncryptingWriter(w, fileAD(subject))
	if err != nil {
		return nil, fmt.Errorf("seal file: %w", err)
	}
	return sw, nil
}

// OpenFile returns a reader of the clear text of a file sealed by SealFile
// (or, stored before, by SealBytes); ErrErased when subject was erased. A
// file that was altered, truncated or reordered fails on read, never
// yielding its last segment.
func (v *Vault) OpenFile(ctx context.Context, subject string, r io.Reader) (io.Reader, error) {
	k, err := v.key(ctx, subject, useKey)
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(fileMagic))
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("open file of %s: %w", subject, err)
	}
	if n == len(head) && bytes.Equal(head, fileMagic) {
		stream, err := k.files()
		if err != nil {
			return nil, fmt.Errorf("open file of %s: %w", subject, err)
		}
		sr, err := stream.NewDecryptingReader(r, fileAD(subject))
		if err != nil {
			return nil, fmt.Errorf("open file of %s: %w", subject, err)
		}
		return sr, nil
	}
	// Format 1: whole, so read whole; such files are at most the upload limit.
	data, err := io.ReadAll(io.MultiReader(bytes.NewReader(head[:n]), r))
	if err != nil {
		return nil, fmt.Errorf("open file of %s: %w", subject, err)
	}
	p, err := open(k.aead, data, fileAD(subject))
	if err != nil {
		return nil, fmt.Errorf("open file of %s: %w", subject, err)
	}
	return bytes.NewReader(p), nil
}

// SealBytes seals a whole file in format 1, as files were stored before
// format 2. Only tests use it: to make such files and check they still open.
func (v *Vault) SealBytes(ctx context.Context, subject string, plain []byte) ([]byte, error) {
	k, err := v.key(ctx, subject, createKey)
	if err != nil {
		return nil, fmt.Errorf("seal file: %w", err)
	}
	return seal(k.aead, plain, fileAD(subject)), nil
}
