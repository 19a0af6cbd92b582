package api

import (
	"bytes"
	"net/http"
	"sync"
)

// heldAnswer keeps what a read writes while it holds the read models, to
// be sent once it has let them go (Server.read). Sent from inside, the
// answer waits on the client's socket: a client that reads slowly (the
// whole register over a slow link) or not at all held the read lock for
// as long as the server's write timeout, the follower could not apply
// the next events, and every other read then waited too (a sync.RWMutex
// lets no new reader in while a writer waits). Headers go to the
// response at once; the status and the body are kept.
type heldAnswer struct {
	http.ResponseWriter
	status int
	body   *bytes.Buffer
}

var heldBodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// heldBodyKept is the largest body buffer put back in the pool: a whole
// register's is larger, and kept it would stay in memory for a page.
const heldBodyKept = 1 << 20

func holdAnswer(w http.ResponseWriter) *heldAnswer {
	b := heldBodies.Get().(*bytes.Buffer)
	b.Reset()
	return &heldAnswer{ResponseWriter: w, body: b}
}

func (h *heldAnswer) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldAnswer) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

// drop gives the buffer back, unsent.
func (h *heldAnswer) drop() {
	if h.body.Cap() <= heldBodyKept {
		heldBodies.Put(h.body)
	}
	h.body = nil
}

// send writes what was kept to the response, if anything was, and gives
// the buffer back.
func (h *heldAnswer) send() error {
	defer h.drop()
	if h.status == 0 {
		return nil
	}
	h.ResponseWriter.WriteHeader(h.status)
	if h.body.Len() == 0 {
		return nil
	}
	_, err := h.ResponseWriter.Write(h.body.Bytes())
	return err
}
