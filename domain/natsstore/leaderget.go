package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
