package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// stalledClient is a client that stops reading its answer: a write to it
// waits until released, as a write to a full socket does.
type stalledClient struct {
	header   http.Header
	once     sync.Once
	writing  chan struct{} // closed at the first write
	released chan struct{}
}

func (w *stalledClient) Header() http.Header { return w.header }
func (w *stalledClient) WriteHeader(int)     {}
func (w *stalledClient) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.writing) })
	<-w.released
	return len(p), nil
}

// A client that stops reading its answer does not hold the read side: while
// a read's answer waits on it, the next event is applied and a read
// that waits for that event is answered. Before, a read's answer was
// written under the read models' lock: the follower waited for it (up to
// the server's write timeout, 5 minutes, for a client that reads nothing),
// and every read after that waited behind the follower.
func TestAStalledClientDoesNotHoldTheReadSide(t *testing.T) {
	in := Start(t)
	office := in.AdminToken(t)
	// The whole register (written once the read is over) and a page of it
	// (made during the read, held, and sent after it).
	for i, path := range []string{"/api/v1/register", "/api/v1/register?limit=50"} {
		t.Run(path, func(t *testing.T) {
			stalled := &stalledClient{header: http.Header{}, writing: make(chan struct{}), released: make(chan struct{})}
			served := make(chan struct{})
			go func() {
				defer close(served)
				in.App.API.Echo.ServeHTTP(stalled, httptest.NewRequest(http.MethodGet, path, nil))
			}()
			defer func() {
				close(stalled.released)
				<-served
			}()
			select {
			case <-stalled.writing:
			case <-time.After(time.Minute):
				t.Fatal("the answer was never written")
			}

			// An event, and a read that waits until the read side has applied it.
			created := Expect(t, in.Post(t, "/api/v1/users", office, map[string]string{"email": fmt.Sprintf("late%d@example.org", i),
				"name": "Late Comer", "role": "applicant", "password": "a password of the late comer"}), 201)
			seq := created.Header.Get("X-Accredit-Seq")
			if seq == "" {
				t.Fatalf("no X-Accredit-Seq on the command's answer: %v", created.Header)
			}
			client := &http.Client{Timeout: time.Minute}
			resp, err := client.Get(in.URL + "/api/v1/register?limit=1&min_seq=" + seq)
			if err != nil {
				t.Fatalf("a read waiting for seq %s while a client reads nothing of %s: %v", seq, path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("a read waiting for seq %s while a client reads nothing of %s: %s", seq, path, resp.Status)
			}
		})
	}
}
