package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// uploadRetryAfter is what a refused upload is told to wait, in seconds:
// about the time one upload of the largest size takes on a slow line.
const uploadRetryAfter = 10

// quotaError refuses a file of size bytes that would take case c past its
// quota; nil when it fits.
func (s *Service) quotaError(c *accreditation.Case, size int64) error {
	var used int64
	for _, e := range c.Evidence {
		used += e.Size
	}
	extra := map[string]any{"max_case_files": s.quota.Files, "max_case_bytes": s.quota.Bytes, "case_files": len(c.Evidence), "case_bytes": used}
	if len(c.Evidence) >= s.quota.Files {
		extra["quota"] = "files"
		return &domain.Error{Code: domain.Unprocessable, Extra: extra,
			Message: fmt.Sprintf("this case already holds %d files, the most one case may hold; remove one before adding another", s.quota.Files),
			Fields:  []domain.FieldError{{Field: "file", Reason: fmt.Sprintf("over the quota of %d files per case", s.quota.Files)}}}
	}
	if used+size > s.quota.Bytes {
		extra["quota"] = "bytes"
		return &domain.Error{Code: domain.Unprocessable, Extra: extra,
			Message: fmt.Sprintf("this file of %d bytes would take the case's evidence to %d bytes, over the quota of %d bytes per case", size, used+size, s.quota.Bytes),
			Fields:  []domain.FieldError{{Field: "file", Reason: fmt.Sprintf("over the quota of %d bytes per case", s.quota.Bytes)}}}
	}
	return nil
}

// Upload is one evidence file as it arrives.
type Upload struct {
	Kind       string
	Title      string
	FileName   string
	Categories []int
	Indicators []int
	File       io.Reader
	// RequestHash, when set, is the request hash of the upload given its
	// file's SHA-256 (known once the file is spooled): it replaces the
	// command's, so that its key is bound to the file's content too.
	RequestHash func(fileSHA256 []byte) string
	// Rest, when set, reads what follows the file in the request, once the
	// file is read and before anything is stored: an error refuses the
	// upload, so that nothing is stored for a request answered with one.
	Rest func() error
}

// AddEvidence checks, encrypts and stores an evidence file, then records it.
// Nothing is stored when the file is too large, of a refused type or named
// for another type, past the case's quota, or the command is refused. The
// file is spooled to disk and sealed from there into the store in segments,
// so memory per upload stays small whatever the file's size; uploads in
// flight are bounded per person and in all (TooManyRequests past them).
func (s *Service) AddEvidence(ctx context.Context, m aggregate.Meta, id string, up Upload) (string, aggregate.Result, error) {
	c, _, err := s.visible(m.Actor, id)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	up.FileName = evidence.BaseName(up.FileName) // "C:\Users\me\log.pdf" is log.pdf; "/" is none
	var fields []domain.FieldError
	if !accreditation.EvidenceKind(up.Kind).Valid() {
		fields = append(fields, domain.FieldError{Field: "kind", Reason: "one of " + kindList()})
	}
	if t := strings.TrimSpace(up.Title); t == "" {
		fields = append(fields, domain.FieldError{Field: "title", Reason: "required"})
	}
	for _, e := range []*domain.FieldError{limits.Short.Text("title", strings.TrimSpace(up.Title)), limits.OneLine("title", strings.TrimSpace(up.Title)), limits.FileName.Text("file", up.FileName), limits.OneLine("file", up.FileName),
		limits.Categories.List("categories", len(up.Categories)), repeated("categories[%d]", len(up.Categories), func(i int) int { return up.Categories[i] }),
		limits.Indicators.List("indicators", len(up.Indicators))} {
		if e != nil {
			fields = append(fields, *e)
		}
	}
	if up.File == nil {
		fields = append(fields, domain.FieldError{Field: "file", Reason: "required"})
	}
	if len(fields) > 0 {
		return "", aggregate.Result{}, domain.InvalidFields("invalid evidence", fields...)
	}
	// A retry of an upload recorded already is answered as the first once
	// its file is read (its request hash is the file's too): the checks of
	// a new upload (the case's state, its quota) would refuse it when the
	// case has moved on since, or when this upload filled it.
	anyRequest := m
	anyRequest.RequestHash = "" // the file is not read yet: is the id recorded at all?
	_, retry, _ := s.repo.Applied(ctx, anyRequest)
	if !retry { // a full case, or an applicant at their quota: refused before a byte is read
		// So is an upload the case would refuse whatever its file: from
		// someone other than its applicant (the office, an assessor who
		// reads the case), or to a case that takes no evidence now
		// (submitted, in assessment, withdrawn).
		if err := c.MayAddEvidence(m.Actor, s.now()); err != nil {
			return "", aggregate.Result{}, s.hideForbidden(c, m.Actor, id, err)
		}
		if err := s.quotaError(c, 0); err != nil {
			return "", aggregate.Result{}, err
		}
		others, err := s.otherEvidenceBytes(ctx, c.ApplicantID, id)
		if err != nil {
			return "", aggregate.Result{}, err
		}
		if err := s.applicantQuotaError(c, others, 1); err != nil {
			return "", aggregate.Result{}, err
		}
	}
	release, ok := s.gate.Enter(m.Actor.ID)
	if !ok {
		total, per := s.gate.Limits()
		return "", aggregate.Result{}, &domain.Error{Code: domain.TooManyRequests, RetryAfter: uploadRetryAfter,
			Message: fmt.Sprintf("too many uploads at once: at most %d per person and %d in all; try again when one has finished", per, total),
			Extra:   map[string]any{"max_uploads_per_user": per, "max_uploads_in_flight": total}}
	}
	defer release()
	// Spool to a temporary file, hashing, and stop at the limit.
	tmp, err := os.CreateTemp(s.tmpDir, "upload-*")
	if err != nil {
		return "", aggregate.Result{}, domain.Wrap(domain.Internal, err, "spool upload")
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(up.File, s.maxUpload+1))
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			return "", aggregate.Result{}, de
		}
		return "", aggregate.Result{}, domain.Wrap(domain.Invalid, err, "the upload was interrupted")
	}
	if n > s.maxUpload {
		return "", aggregate.Result{}, &domain.Error{Code: domain.TooLarge, Message: fmt.Sprintf("the file is over the limit of %d bytes", s.maxUpload),
			Extra: map[string]any{"max_bytes": s.maxUpload}}
	}
	if up.Rest != nil {
		if err := up.Rest(); err != nil {
			return "", aggregate.Result{}, err
		}
	}
	// The whole upload is here: a client that leaves now (a closed tab, a
	// timeout of its own) has sent what it meant to, and cancelling would
	// drop it, or leave its object stored with no event naming it. It is
	// finished, within a bound of its own; a retry with the same
	// Idempotency-Key is then answered as this one.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), uploadFinishTimeout)
	defer cancel()
	sum := h.Sum(nil)
	if up.RequestHash != nil && m.CommandID != "" {
		m.RequestHash = up.RequestHash(sum)
	}
	if retry {
		if res, ok, err := s.repo.Applied(ctx, m); ok {
			if err != nil {
				return "", res, err
			}
			evID, err := s.recordedEvidence(ctx, res)
			return evID, res, err
		}
	}
	if n == 0 {
		// Refused for its type it would read "not accepted", which names
		// the wrong fault: a file chosen by mistake, or lost on its way.
		return "", aggregate.Result{}, domain.InvalidFields("the file is empty: choose the file that holds the evidence",
			domain.FieldError{Field: "file", Reason: "empty"})
	}
	typ, err := evidence.Check(tmp, n, up.FileName)
	if err != nil {
		var r *evidence.Refusal
		errors.As(err, &r)
		de := &domain.Error{Code: domain.Unprocessable, Message: err.Error(), Fields: []domain.FieldError{{Field: "file", Reason: "type not accepted"}}}
		if r != nil && r.Real != "" {
			de.Fields[0].Reason = "its name does not match its content (" + r.Real + ")"
			de.Extra = map[string]any{"detected_type": r.Real}
		}
		return "", aggregate.Result{}, de
	}
	if err := s.quotaError(c, n); err != nil {
		return "", aggregate.Result{}, err
	}
	// The applicant's quota: checked and recorded one upload of theirs at
	// a time, each seeing what those before it recorded.
	defer s.applicants.lock(c.ApplicantID)()
	others, err := s.otherEvidenceBytes(ctx, c.ApplicantID, id)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	if err := s.applicantQuotaError(c, others, n); err != nil {
		return "", aggregate.Result{}, err
	}
	subject := c.ApplicantID
	title, err := s.seal(ctx, subject, up.Title)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	name := up.FileName
	if name == "" {
		name = "evidence" + typ.Extension
	}
	fileName, err := s.seal(ctx, subject, name)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	evID := ulid.Make().String()
	in := accreditation.EvidenceInput{ID: evID, Kind: accreditation.EvidenceKind(up.Kind), Title: title, FileName: fileName,
		ContentType: typ.MediaType, Size: n, SHA256: hex.EncodeToString(sum), Object: id + "/" + evID,
		Categories: up.Categories, Indicators: up.Indicators}
	// Decide first (a refused command stores nothing), then store, then
	// append. A stop between the last two leaves an object no event names:
	// the retention job's SweepOrphanEvidence deletes it after OrphanMargin.
	if _, err := c.AddEvidence(m.Actor, s.now(), in); err != nil {
		return "", aggregate.Result{}, s.hideForbidden(c, m.Actor, id, err)
	}
	if err := s.storeSealed(ctx, subject, in.Object, io.NewSectionReader(tmp, 0, n)); err != nil {
		return "", aggregate.Result{}, err
	}
	res, err := s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		if err := s.quotaError(c, n); err != nil { // another upload to the case may have come first
			return nil, err
		}
		if err := s.applicantQuotaError(c, others, n); err != nil { // one recorded on another process
			return nil, err
		}
		return c.AddEvidence(m.Actor, now, in)
	})
	if res.Duplicate || refused(err) {
		// Not recorded: do not keep it. A command that may have been
		// recorded (its answer lost, or this process not caught up with
		// it) keeps its file: the case may refer to it.
		_ = s.blobs.Delete(context.WithoutCancel(ctx), in.Object)
	}
	if err == nil && res.Duplicate {
		// A retry: its answer names the item its first attempt recorded,
		// not the id made up above, which names nothing stored.
		evID, err = s.recordedEvidence(ctx, res)
	}
	return evID, res, err
}

// uploadFinishTimeout bounds what an upload does once its body is read
// (checks, sealing, storing, recording), which its client leaving does not
// cancel: minutes, where it takes a second or two.
const uploadFinishTimeout = 2 * time.Minute

// recordedEvidence is the id of the evidence item the command that
// answered res recorded.
func (s *Service) recordedEvidence(ctx context.Context, res aggregate.Result) (string, error) {
	events, err := s.repo.Recorded(ctx, res)
	if err != nil {
		return "", err
	}
	for _, e := range events {
		if e.Type != string(accreditation.EventEvidenceAdded) {
			continue
		}
		var d accreditation.EvidenceAdded
		if err := json.Unmarshal(e.Data, &d); err != nil || d.EvidenceID == "" {
			break
		}
		return d.EvidenceID, nil
	}
	return "", domain.Errorf(domain.Internal, "the evidence this upload recorded (seq %d) cannot be read", res.Seq)
}

// refused reports whether a command that returned err was refused, and so
// stored nothing: by the process's rules or for its input. The store's or
// this process's unavailability, or an unexpected error, leaves it open
// whether the command was stored.
func refused(err error) bool {
	switch domain.ErrorCode(err) {
	case "", domain.Unavailable, domain.Internal:
		return false
	}
	return true
}

// storeSealed seals plain with subject's key into the object store as it is
// read: the object store reads a chunk, the sealer writes a segment, and
// neither ever holds the whole file.
func (s *Service) storeSealed(ctx context.Context, subject, object string, plain io.Reader) error {
	pr, pw := io.Pipe()
	var sealErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		w, err := s.vault.SealFile(ctx, subject, pw)
		if err != nil {
			sealErr = err
			pw.CloseWithError(err)
			return
		}
		if _, err = io.Copy(w, plain); err == nil {
			err = w.Close()
		}
		pw.CloseWithError(err) // nil: the reader sees the end
	}()
	err := s.blobs.Put(ctx, object, pr)
	pr.CloseWithError(errors.New("store stopped reading")) // unblocks the sealer if the store gave up
	<-done
	switch {
	case sealErr != nil:
		return domain.Wrap(domain.Unavailable, sealErr, "key store unavailable")
	case err != nil:
		_ = s.blobs.Delete(ctx, object)
		return domain.Wrap(domain.Unavailable, err, "evidence store unavailable")
	}
	return nil
}

// EvidenceEdit is the new description of an evidence file: every field, as
// an upload gives it.
type EvidenceEdit struct {
	Kind       string
	Title      string
	Categories []int
	Indicators []int
}

// EditEvidence replaces the description of an evidence file (the file
// stays); the title is sealed as an upload's is.
func (s *Service) EditEvidence(ctx context.Context, m aggregate.Meta, id, evID string, in EvidenceEdit) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	var fields []domain.FieldError
	if !accreditation.EvidenceKind(in.Kind).Valid() {
		fields = append(fields, domain.FieldError{Field: "kind", Reason: "one of " + kindList()})
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		fields = append(fields, domain.FieldError{Field: "title", Reason: "required"})
	}
	for _, e := range []*domain.FieldError{limits.Short.Text("title", title), limits.OneLine("title", title),
		limits.Categories.List("categories", len(in.Categories)), repeated("categories[%d]", len(in.Categories), func(i int) int { return in.Categories[i] }),
		limits.Indicators.List("indicators", len(in.Indicators))} {
		if e != nil {
			fields = append(fields, *e)
		}
	}
	if len(fields) > 0 {
		return aggregate.Result{}, domain.InvalidFields("invalid evidence", fields...)
	}
	sealed, err := s.sealOn(ctx, id, title)
	if err != nil {
		return aggregate.Result{}, err
	}
	return s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.EditEvidence(m.Actor, now, accreditation.EditEvidenceInput{ID: evID, Kind: accreditation.EvidenceKind(in.Kind),
			Title: sealed, Categories: in.Categories, Indicators: in.Indicators})
	})
}

// RemoveEvidence removes an evidence file from the application.
func (s *Service) RemoveEvidence(ctx context.Context, m aggregate.Meta, id, evID string) (aggregate.Result, error) {
	res, err := s.run(ctx, m, id, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.RemoveEvidence(m.Actor, now, accreditation.RemoveEvidenceInput{ID: evID})
	})
	if err == nil || errors.Is(err, aggregate.ErrNotCaughtUp) {
		// Recorded (a retry answered as a duplicate too: its first answer
		// may have been lost before the file was deleted).
		_ = s.blobs.Delete(context.WithoutCancel(ctx), id+"/"+evID)
	}
	return res, err
}

// File is an evidence file being decrypted as Body is read. The caller
// closes Body. A file altered in the store fails on read before its end,
// and so does one replaced by another file of the same person (which opens
// with their key as well): Body yields its last byte only once what it read
// has the size and SHA-256 the case records.
type File struct {
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Body        io.ReadCloser
}

// EvidenceFile opens an evidence file for someone who may see the case.
func (s *Service) EvidenceFile(ctx context.Context, actor domain.Actor, id, evID string) (File, error) {
	c, _, err := s.visible(actor, id)
	if err != nil {
		return File{}, err
	}
	i := slices.IndexFunc(c.Evidence, func(e accreditation.Evidence) bool { return e.ID == evID })
	if i < 0 {
		return File{}, domain.Errorf(domain.NotFound, "no evidence %s in case %s", evID, id)
	}
	if !s.seesFiles(c, actor) {
		return File{}, filesClosed(c, actor)
	}
	ev := c.Evidence[i]
	sealed, err := s.blobs.Get(ctx, ev.Object)
	if err != nil {
		return File{}, domain.Errorf(domain.NotFound, "the file of evidence %s is not stored", evID)
	}
	plain, err := s.vault.OpenFile(ctx, c.ApplicantID, sealed)
	if err != nil {
		sealed.Close()
		if errors.Is(err, pii.ErrErased) {
			return File{}, domain.Errorf(domain.NotFound, "the file of evidence %s was erased", evID)
		}
		return File{}, domain.Wrap(domain.Internal, err, "open evidence file")
	}
	return File{Name: s.vault.Reveal(ctx, ev.FileName), ContentType: ev.ContentType, Size: ev.Size, SHA256: ev.SHA256,
		Body: readCloser{&recorded{r: plain, h: sha256.New(), size: ev.Size, sum: ev.SHA256, id: evID}, sealed}}, nil
}

// seesFiles is Case.SeesEvidenceFiles with the actor's own profile, read
// as canSee reads it.
func (s *Service) seesFiles(c *accreditation.Case, actor domain.Actor) bool {
	return c.SeesEvidenceFiles(actor, s.ownProfile(actor))
}

// filesClosed is the Forbidden of an assessor who sees the case but may
// not open its evidence files (Case.SeesEvidenceFiles).
func filesClosed(c *accreditation.Case, actor domain.Actor) error {
	if c.SeesProceedings(actor) {
		return domain.Wrap(domain.Forbidden, ErrFilesClosed, "you have declared a conflict of interest with this case's applicant: its evidence files are closed to you")
	}
	return domain.Wrap(domain.Forbidden, ErrFilesClosed, "take a role on this case to open its evidence files: until then you see what they are, not the files")
}

// recorded reads a file's clear text as far as it matches what was
// recorded of it. It holds back the last byte until the end is read, and
// fails instead when the file is longer or shorter than size or its
// SHA-256 is not sum: a download then ends short of its Content-Length,
// never as a whole file that is not the one recorded.
type recorded struct {
	r    io.Reader
	h    hash.Hash
	n    int64 // bytes yielded
	size int64
	sum  string
	id   string
	err  error
}

func (v *recorded) Read(p []byte) (int, error) {
	if v.err != nil || len(p) == 0 {
		return 0, v.err
	}
	if left := v.size - 1 - v.n; left > 0 {
		n, err := v.r.Read(p[:min(int64(len(p)), left)])
		v.h.Write(p[:n])
		v.n += int64(n)
		if errors.Is(err, io.EOF) {
			err = v.altered("shorter than recorded")
		}
		v.err = err
		return n, err
	}
	var last [1]byte
	n, err := io.ReadFull(v.r, last[:v.size-v.n])
	if err != nil {
		v.err = v.altered("shorter than recorded")
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			v.err = err
		}
		return 0, v.err
	}
	var more [1]byte
	switch m, err := io.ReadFull(v.r, more[:]); {
	case m > 0:
		v.err = v.altered("longer than recorded")
	case !errors.Is(err, io.EOF):
		v.err = err
	}
	if v.err != nil {
		return 0, v.err
	}
	v.h.Write(last[:n])
	if hex.EncodeToString(v.h.Sum(nil)) != v.sum {
		v.err = v.altered("its SHA-256 is not the one recorded")
		return 0, v.err
	}
	v.err = io.EOF
	v.n += int64(copy(p, last[:n]))
	return n, nil
}

func (v *recorded) altered(how string) error {
	return domain.Errorf(domain.Internal, "the file of evidence %s was altered in the store: %s", v.id, how)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// kindList names the evidence kinds as a field error lists them.
func kindList() string {
	var b strings.Builder
	for i, k := range accreditation.EvidenceKinds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(k))
	}
	return b.String()
}
