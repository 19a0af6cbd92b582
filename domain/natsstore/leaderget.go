package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A key-value bucket answers Get with a direct get, which any replica of a
// cluster may serve, and a replica is allowed to answer while it is still a
// little behind the leader. A key written a moment ago (a new login's
// session, a new person's data key) can then read as missing on the next
// request. A miss is therefore confirmed by the stream leader, which has
// every acknowledged write; hits, the common case, stay direct and cheap.

// kvOp is what the last message of a key says.
type kvOp int

const (
	kvNone    kvOp = iota // no message: the key never had a value
	kvPut                 // a value
	kvDeleted             // a delete or purge marker
)

// leaderLast asks the stream leader for the last message on subject. It
// answers found=false when there is none or when the key's last operation
// is a delete or purge.
func leaderLast(ctx context.Context, nc *nats.Conn, stream, subject string) (value []byte, found bool, err error) {
	v, op, err := leaderLastOp(ctx, nc, stream, subject)
	return v, op == kvPut, err
}

// leaderLastOp is leaderLast telling a key that never had a value from one
// deleted.
func leaderLastOp(ctx context.Context, nc *nats.Conn, stream, subject string) (value []byte, op kvOp, err error) {
	req, _ := json.Marshal(struct {
		LastBySubject string `json:"last_by_subj"`
	}{subject})
	msg, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+stream, req)
	if err != nil {
		return nil, kvNone, fmt.Errorf("leader get %s: %w", subject, err)
	}
	var resp struct {
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
		Message *struct {
			Header []byte `json:"hdrs"`
			Data   []byte `json:"data"`
		} `json:"message"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, kvNone, fmt.Errorf("leader get %s: %w", subject, err)
	}
	if resp.Error != nil {
		if resp.Error.Code == 404 {
			return nil, kvNone, nil
		}
		return nil, kvNone, fmt.Errorf("leader get %s: %s (%d)", subject, resp.Error.Description, resp.Error.ErrCode)
	}
	if resp.Message == nil {
		return nil, kvNone, errors.New("leader get " + subject + ": empty answer")
	}
	if len(resp.Message.Header) > 0 {
		h, err := nats.DecodeHeadersMsg(resp.Message.Header)
		if err != nil {
			return nil, kvNone, fmt.Errorf("leader get %s: headers: %w", subject, err)
		}
		if op := h.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			return nil, kvDeleted, nil
		}
	}
	return resp.Message.Data, kvPut, nil
}

// kvLeaderOp is kvLeaderGet telling a key never written from one deleted.
func kvLeaderOp(ctx context.Context, js jetstream.JetStream, bucket, key string) ([]byte, kvOp, error) {
	return leaderLastOp(ctx, js.Conn(), "KV_"+bucket, "$KV."+bucket+"."+key)
}

// kvLeaderGet confirms a key-value miss with the leader of bucket's stream.
func kvLeaderGet(ctx context.Context, js jetstream.JetStream, bucket, key string) ([]byte, bool, error) {
	return leaderLast(ctx, js.Conn(), "KV_"+bucket, "$KV."+bucket+"."+key)
}

// leaderNext asks the stream leader for the first message at or after seq
// (nil when there is none). A direct get that found nothing there may have
// been answered by a replica still behind; in a stream that allows deletes
// the gap may also be real, and only the leader tells which.
func leaderNext(ctx context.Context, nc *nats.Conn, stream string, seq uint64) (*jetstream.RawStreamMsg, error) {
	return leaderNextOn(ctx, nc, stream, seq, ">")
}

// leaderNextOn is leaderNext among the messages on subject (a filter).
func leaderNextOn(ctx context.Context, nc *nats.Conn, stream string, seq uint64, subject string) (*jetstream.RawStreamMsg, error) {
	req, _ := json.Marshal(struct {
		Seq  uint64 `json:"seq"`
		Next string `json:"next_by_subj"`
	}{seq, subject})
	msg, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+stream, req)
	if err != nil {
		return nil, fmt.Errorf("leader get %s %d: %w", stream, seq, err)
	}
	var resp struct {
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
		Message *struct {
			Subject  string    `json:"subject"`
			Sequence uint64    `json:"seq"`
			Header   []byte    `json:"hdrs"`
			Data     []byte    `json:"data"`
			Time     time.Time `json:"time"`
		} `json:"message"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, fmt.Errorf("leader get %s %d: %w", stream, seq, err)
	}
	if resp.Error != nil {
		if resp.Error.Code == 404 {
			return nil, nil
		}
		return nil, fmt.Errorf("leader get %s %d: %s (%d)", stream, seq, resp.Error.Description, resp.Error.ErrCode)
	}
	if resp.Message == nil {
		return nil, fmt.Errorf("leader get %s %d: empty answer", stream, seq)
	}
	m := &jetstream.RawStreamMsg{Subject: resp.Message.Subject, Sequence: resp.Message.Sequence, Data: resp.Message.Data, Time: resp.Message.Time}
	if len(resp.Message.Header) > 0 {
		if m.Header, err = nats.DecodeHeadersMsg(resp.Message.Header); err != nil {
			return nil, fmt.Errorf("leader get %s %d: headers: %w", stream, seq, err)
		}
	}
	return m, nil
}
