package natsstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Conn is a client connection to JetStream: to an external NATS server or
// cluster (Dial), or to the embedded server, in process (OpenEmbedded). The
// stores, Backup and Restore are opened on it, so that cmd/ never handles a
// nats.go connection itself.
type Conn struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	embedded *Embedded // the server this connection started and stops; nil after Dial
	closed   sync.Once
}

func newConn(nc *nats.Conn, e *Embedded) (*Conn, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return &Conn{nc: nc, js: js, embedded: e}, nil
}

// DialOptions are how Dial connects.
type DialOptions struct {
	// Name is the client name the server sees.
	Name string
	// Creds is a credentials file (JWT and NKey), if the server wants one.
	Creds string
	// Timeout bounds the connection attempt; 0 is nats.go's default.
	Timeout time.Duration
	// ReconnectForever keeps reconnecting after a lost connection (a
	// long-running server); otherwise nats.go's default number of attempts.
	ReconnectForever bool
}

// Dial connects to the NATS server or cluster at urls (comma-separated,
// user:password@ or token@ allowed). The error is nats.go's: the caller
// says where, with the secrets hidden (RedactURLs).
func Dial(urls string, o DialOptions) (*Conn, error) {
	var opts []nats.Option
	if o.Name != "" {
		opts = append(opts, nats.Name(o.Name))
	}
	if o.Timeout > 0 {
		opts = append(opts, nats.Timeout(o.Timeout))
	}
	if o.Creds != "" {
		opts = append(opts, nats.UserCredentials(o.Creds))
	}
	if o.ReconnectForever {
		opts = append(opts, nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false))
	}
	nc, err := nats.Connect(urls, opts...)
	if err != nil {
		return nil, err
	}
	return newConn(nc, nil)
}

// RedactURLs is urls (as Dial takes them) fit for a log: each URL's
// password, and a user with no password, which nats.go sends as a token,
// written as xxxxx; a part that is not a URL as "(unparsable URL)".
func RedactURLs(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			parts[i] = "(unparsable URL)"
			continue
		}
		if u.User != nil {
			if _, has := u.User.Password(); !has {
				u.User = url.User("xxxxx") // a token
			}
		}
		parts[i] = u.Redacted()
	}
	return strings.Join(parts, ",")
}

// OpenEmbedded starts the embedded server on cfg.DataDir (see StartEmbedded;
// ErrDataDirLocked when another process holds it) and connects to it. Close
// stops the server too.
func OpenEmbedded(cfg EmbeddedConfig) (*Conn, error) {
	e, err := StartEmbedded(cfg)
	if err != nil {
		return nil, err
	}
	nc, err := e.Connect()
	if err != nil {
		e.Shutdown()
		return nil, err
	}
	c, err := newConn(nc, e)
	if err != nil {
		e.Shutdown()
		return nil, err
	}
	return c, nil
}

// Embedded is the embedded server this connection runs, or nil when it is
// connected to an external one.
func (c *Conn) Embedded() *Embedded { return c.embedded }

// OpenEventStore opens the event store on this connection (see the
// package-level OpenEventStore), with group commit when the connection's
// embedded server fsyncs every write.
func (c *Conn) OpenEventStore(ctx context.Context, cfg Config) (*EventStore, error) {
	if c.embedded != nil && c.embedded.syncAlways {
		cfg.GroupCommit = true
	}
	return OpenEventStore(ctx, c.nc, cfg)
}

// StreamFigures are the size and position of one stream.
type StreamFigures struct {
	Messages, Bytes, LastSeq uint64
}

// Streams reports every stream of the JetStream account, by name; a stream
// whose state cannot be read is left out, and one whose fresh state cannot
// be read is reported as last seen.
func (c *Conn) Streams(ctx context.Context) map[string]StreamFigures {
	out := map[string]StreamFigures{}
	for name := range c.js.StreamNames(ctx).Name() {
		st, err := c.js.Stream(ctx, name)
		if err != nil {
			continue
		}
		info := st.CachedInfo()
		if fresh, err := st.Info(ctx); err == nil {
			info = fresh
		}
		out[name] = StreamFigures{Messages: info.State.Msgs, Bytes: info.State.Bytes, LastSeq: info.State.LastSeq}
	}
	return out
}

// StreamState is what LookupStream reads of one stream.
type StreamState struct {
	Replicas int
	LastSeq  uint64
}

// LookupStream reads stream name's replica count and last sequence, creating
// and changing nothing (as OpenEventStore would: it creates or updates the
// stream with its Config); found is false when there is no such stream.
// What a cluster still forming answers is asked again, as OpenEventStore
// does (ensure).
func (c *Conn) LookupStream(ctx context.Context, name string) (st StreamState, found bool, err error) {
	type lookup struct {
		st    StreamState
		found bool
	}
	l, err := ensure(ctx, nil, "look up stream "+name, func(ctx context.Context) (lookup, error) {
		s, err := c.js.Stream(ctx, name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return lookup{}, nil
		}
		if err != nil {
			return lookup{}, err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return lookup{}, err
		}
		return lookup{StreamState{Replicas: info.Config.Replicas, LastSeq: info.State.LastSeq}, true}, nil
	})
	return l.st, l.found, err
}

// Close drains the connection, waiting up to wait for the drain to finish,
// closes it, and then stops the embedded server if this connection started
// it. Stop the stores' users (subscriptions, feeds) first. A second Close
// does nothing; the stores fail once it is closed.
func (c *Conn) Close(wait time.Duration) {
	c.closed.Do(func() {
		_ = c.nc.Drain()
		for deadline := time.Now().Add(wait); time.Now().Before(deadline) && !c.nc.IsClosed(); {
			time.Sleep(10 * time.Millisecond)
		}
		c.nc.Close()
		if c.embedded != nil {
			c.embedded.Shutdown()
		}
	})
}
