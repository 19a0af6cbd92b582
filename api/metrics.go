package api

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus series of one accreditd.
type Metrics struct {
	Registry *prometheus.Registry

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	commands *prometheus.CounterVec
	appended prometheus.Counter
}

// StoreFigures reads the JetStream figures at scrape time.
type StoreFigures func(ctx context.Context) map[string]StreamFigures

// StreamFigures are one stream's or bucket's size.
type StreamFigures struct {
	Messages uint64
	Bytes    uint64
	LastSeq  uint64
}

// NewMetrics registers the series; positions reports each read model's
// position and lag; store reads the JetStream figures on every scrape;
// decodeErrors counts the commits the read side could not decode.
func NewMetrics(positions func() []ProjectionInfo, store StoreFigures, decodeErrors func() float64) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accredit_http_requests_total",
			Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "accredit_http_request_duration_seconds",
			Help: "HTTP request latency by route and method.", Buckets: prometheus.DefBuckets}, []string{"route", "method"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accredit_commands_total",
			Help: "Commands by type and outcome (accepted, rejected, conflict)."}, []string{"command", "outcome"}),
		appended: prometheus.NewCounter(prometheus.CounterOpts{Name: "accredit_events_appended_total",
			Help: "Events appended by this process."}),
	}
	reg.MustRegister(m.requests, m.latency, m.commands, m.appended,
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(gcCPU)), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&positionCollector{positions: positions}, &storeCollector{figures: store},
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accredit_projection_decode_errors_total",
			Help: "Commits the read side skipped because they could not be decoded."}, decodeErrors))
	return m
}

// gcCPU adds the runtime's estimate of the CPU its collector spent
// (go_cpu_classes_gc_total_cpu_seconds_total) to the Go collector's
// defaults: the read side holds gigabytes at 100k cases, and the share of
// the CPU that marking them takes is what an operator sizing the memory
// limit against the cores needs to see.
var gcCPU = collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/cpu/classes/gc/total:cpu-seconds$`)}

// ObserveRebuilds exports the read-model rebuilds that failed or were
// interrupted (the read models were kept, not replaced), and whether the
// last rebuild did; both read at scrape time.
func (m *Metrics) ObserveRebuilds(failures, lastFailed func() float64) {
	m.Registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accredit_projection_rebuild_failures_total",
			Help: "Read-model rebuilds that failed or were interrupted; the read models were kept."}, failures),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accredit_projection_last_rebuild_failed",
			Help: "1 when the last read-model rebuild failed (the read models were not replaced), else 0."}, lastFailed))
}

// ObserveSessions exports the login sessions' cache, read at scrape time
// from figures: whether it is on, and how many session reads it and the
// server answered.
func (m *Metrics) ObserveSessions(figures func() (on bool, hits, serverReads int64)) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accredit_session_cache_on",
			Help: "1 while this process caches login sessions (its watch of the sessions bucket runs on a connected connection); 0: every request reads its session from the server."},
			func() float64 {
				if on, _, _ := figures(); on {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accredit_session_cache_hits_total",
			Help: "Session reads answered from this process's cache."},
			func() float64 { _, hits, _ := figures(); return float64(hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accredit_session_server_reads_total",
			Help: "Session reads that asked the server (not cached, cache off, or no such session)."},
			func() float64 { _, _, reads := figures(); return float64(reads) }))
}

// GroupCommitFigures are the event store's group commit's figures (see
// natsstore.EventStore.GroupCommitFigures).
type GroupCommitFigures struct {
	On                        bool
	Batches, Batched, Refused int64
}

// ObserveGroupCommit exports the event store's group commit, read at
// scrape time from figures: whether it is on, the batches it sent, the
// commits they carried and the batches the server refused.
func (m *Metrics) ObserveGroupCommit(figures func() GroupCommitFigures) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accredit_group_commit_on",
			Help: "1 when concurrent event appends are gathered into JetStream atomic batches (an embedded server that fsyncs every write), else 0."},
			func() float64 {
				if figures().On {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accredit_group_commit_batches_total",
			Help: "Atomic batches the group commit sent."},
			func() float64 { return float64(figures().Batches) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accredit_group_commit_batched_commits_total",
			Help: "Commits the group commit's batches carried (divided by the batches: the mean batch)."},
			func() float64 { return float64(figures().Batched) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accredit_group_commit_refused_batches_total",
			Help: "Batches the server refused; their commits were then published alone."},
			func() float64 { return float64(figures().Refused) }))
}

// Command counts one command's outcome.
func (m *Metrics) Command(command, outcome string) {
	if m != nil {
		m.commands.WithLabelValues(command, outcome).Inc()
	}
}

// Appended counts appended events.
func (m *Metrics) Appended(n int) {
	if m != nil {
		m.appended.Add(float64(n))
	}
}

func (m *Metrics) observe(c echo.Context, d time.Duration) {
	if m == nil {
		return
	}
	route := c.Path()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(c.Response().Status)).Inc()
	m.latency.WithLabelValues(route, c.Request().Method).Observe(d.Seconds())
}

// Handler serves the registry.
func (m *Metrics) Handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
}

var (
	posDesc = prometheus.NewDesc("accredit_projection_position", "Store sequence a read model has applied.", []string{"read_model"}, nil)
	lagDesc = prometheus.NewDesc("accredit_projection_lag", "Commits a read model is behind the store.", []string{"read_model"}, nil)
	msgDesc = prometheus.NewDesc("accredit_jetstream_messages", "Messages in a JetStream stream or bucket.", []string{"stream"}, nil)
	bytDesc = prometheus.NewDesc("accredit_jetstream_bytes", "Bytes in a JetStream stream or bucket.", []string{"stream"}, nil)
	seqDesc = prometheus.NewDesc("accredit_jetstream_last_seq", "Last sequence of a JetStream stream.", []string{"stream"}, nil)
)

type positionCollector struct{ positions func() []ProjectionInfo }

func (p *positionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- posDesc; ch <- lagDesc }
func (p *positionCollector) Collect(ch chan<- prometheus.Metric) {
	if p.positions == nil {
		return
	}
	for _, rm := range p.positions() {
		ch <- prometheus.MustNewConstMetric(posDesc, prometheus.GaugeValue, float64(rm.Position), rm.Name)
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(rm.Lag), rm.Name)
	}
}

type storeCollector struct{ figures StoreFigures }

func (s *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- msgDesc
	ch <- bytDesc
	ch <- seqDesc
}
func (s *storeCollector) Collect(ch chan<- prometheus.Metric) {
	if s.figures == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for name, f := range s.figures(ctx) {
		ch <- prometheus.MustNewConstMetric(msgDesc, prometheus.GaugeValue, float64(f.Messages), name)
		ch <- prometheus.MustNewConstMetric(bytDesc, prometheus.GaugeValue, float64(f.Bytes), name)
		ch <- prometheus.MustNewConstMetric(seqDesc, prometheus.GaugeValue, float64(f.LastSeq), name)
	}
}
