package api_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// procStatus reads a figure in kB from /proc/self/status (VmRSS, VmHWM).
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n << 10
		}
	}
	return -1
}

// peakRSS follows the resident set of this process (server and client
// alike) while f runs: the kernel's high-water mark, reset first, or
// sampling where that cannot be reset.
func peakRSS(f func()) (base, peak int64) {
	runtime.GC()
	debug.FreeOSMemory()
	resettable := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	base = procStatus("VmRSS")
	var mu sync.Mutex
	peak = base
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if r := procStatus("VmRSS"); r > 0 {
				mu.Lock()
				peak = max(peak, r)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	if resettable {
		peak = max(peak, procStatus("VmHWM"))
	}
	return base, peak
}

// pdfStream yields a PDF-looking file of size bytes without holding it.
type pdfStream struct {
	left int64
	rng  *rand.ChaCha8
	head bool
}

func (p *pdfStream) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.left)]
	n := 0
	if !p.head {
		n = copy(b, "%PDF-1.7\n")
		p.head = true
	}
	_, _ = p.rng.Read(b[n:])
	p.left -= int64(len(b))
	return len(b), nil
}

// streamUpload posts one evidence file of size bytes, generated as it is
// sent, and returns the status.
func streamUpload(url, caseID, token string, size int64, seed uint64) (int, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("kind", "other")
		_ = mw.WriteField("title", "Large file")
		f, _ := mw.CreateFormFile("file", "large.pdf")
		var seedBytes [32]byte
		seedBytes[0] = byte(seed)
		_, err := io.Copy(f, &pdfStream{left: size, rng: rand.NewChaCha8(seedBytes)})
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/cases/"+caseID+"/evidence", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusCreated {
		return resp.StatusCode, fmt.Errorf("upload: %d %s", resp.StatusCode, body)
	}
	return resp.StatusCode, nil
}

// BenchmarkUploadRSS measures how much the resident memory of accreditd
// (in this process, embedded NATS included) grows per concurrent 20 MiB
// evidence upload, and per concurrent download of such a file: the peak
// while they run less the resident memory before. It runs 1 and then 8 at
// once: the growth from 1 to 8, over 7, is what one more upload in flight
// costs (RSS-MiB/upload). The growth with 1 alone is mostly the garbage
// collector's headroom over the live heap, which the server has whatever
// it does; it is reported too (RSS-MiB/first-upload). Run with
// -benchtime 1x (make bench).
func BenchmarkUploadRSS(b *testing.B) {
	const few, many = 1, 8
	const size = 20 << 20
	cfg := Config(b.TempDir())
	cfg.UploadsPerUser, cfg.UploadsInFlight = many, many
	cfg.MaxCaseBytes = 1 << 40
	cfg.MaxCaseFiles = 10_000
	in := StartWith(b, cfg, app.Options{Log: processLog(b, cfg)})
	Expect(b, in.Post(b, "/api/v1/auth/register", "", map[string]string{"email": "carla@example.org", "password": "carla's long password", "name": "Carla Coach"}), 201)
	token := in.Login(b, "carla@example.org", "carla's long password")
	caseID := Expect(b, in.Post(b, "/api/v1/cases", token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(b)["id"].(string)
	// One upload and one download first: connections, keys and pools warm.
	if s, err := streamUpload(in.URL, caseID, token, size, 99); err != nil || s != http.StatusCreated {
		b.Fatalf("warm-up upload: %d %v", s, err)
	}
	evID := Expect(b, in.Get(b, "/api/v1/cases/"+caseID, token), 200).Map(b)["evidence"].([]any)[0].(map[string]any)["id"].(string)
	download := func() error {
		req, _ := http.NewRequest(http.MethodGet, in.URL+"/api/v1/cases/"+caseID+"/evidence/"+evID+"/file", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err == nil && (resp.StatusCode != 200 || n != size) {
			err = fmt.Errorf("download: %d, %d bytes", resp.StatusCode, n)
		}
		return err
	}
	if err := download(); err != nil {
		b.Fatal(err)
	}
	// growth runs n of op at once and returns the RSS growth in MiB.
	seed := uint64(0)
	growth := func(n int, op func(seed uint64) error) float64 {
		errs := make([]error, n)
		base, peak := peakRSS(func() {
			var wg sync.WaitGroup
			for j := range n {
				seed++
				s := seed
				wg.Go(func() { errs[j] = op(s) })
			}
			wg.Wait()
		})
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		return float64(peak-base) / (1 << 20)
	}
	upload := func(s uint64) error {
		_, err := streamUpload(in.URL, caseID, token, size, s)
		return err
	}
	var up1, upN, down1, downN float64
	b.ResetTimer()
	for range b.N {
		up1, upN = growth(few, upload), growth(many, upload)
		down1, downN = growth(few, func(uint64) error { return download() }), growth(many, func(uint64) error { return download() })
	}
	perUp, perDown := (upN-up1)/(many-few), (downN-down1)/(many-few)
	b.ReportMetric(perUp, "RSS-MiB/upload")
	b.ReportMetric(perDown, "RSS-MiB/download")
	b.ReportMetric(up1, "RSS-MiB/first-upload")
	fmt.Fprintf(os.Stdout, "RSS growth per concurrent 20 MiB upload: %.2f MiB (target: under 4 MiB), per download: %.2f MiB; "+
		"%d uploads at once grew RSS by %.1f MiB, 1 alone by %.1f MiB; %d downloads by %.1f MiB, 1 by %.1f MiB\n",
		perUp, perDown, many, upN, up1, many, downN, down1)
}
