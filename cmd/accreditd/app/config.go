package app

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/mail"
)

// Config is everything accreditd can be told. Flags win over environment
// variables, which win over the defaults.
type Config struct {
	Addr               string        // ACCREDIT_ADDR
	DataDir            string        // ACCREDIT_DATA_DIR
	NATSURL            string        // ACCREDIT_NATS_URL: external server/cluster; embedded off
	NATSListen         string        // ACCREDIT_NATS_LISTEN: client port of the embedded server
	Replicas           int           // ACCREDIT_REPLICAS
	Sync               string        // ACCREDIT_SYNC: "always" or an interval such as "1s"
	AdminEmail         string        // ACCREDIT_ADMIN_EMAIL
	AdminPassword      string        // ACCREDIT_ADMIN_PASSWORD
	SigningKeyFile     string        // ACCREDIT_SIGNING_KEY_FILE
	MasterKeyFile      string        // ACCREDIT_MASTER_KEY_FILE
	CredentialKeyDir   string        // ACCREDIT_CREDENTIAL_KEY_DIR: the office's credential keys, one file each
	PublicURL          string        // ACCREDIT_PUBLIC_URL: where users reach the site; links in emails start with it, and it names the office's DID
	CheckpointInterval time.Duration // ACCREDIT_CHECKPOINT_INTERVAL
	LogFormat          string        // ACCREDIT_LOG_FORMAT: json or text
	MetricsAddr        string        // ACCREDIT_METRICS_ADDR: unauthenticated /metrics here
	PprofAddr          string        // ACCREDIT_PPROF_ADDR: Go's pprof handlers here, off by default
	MaxUpload          int64         // ACCREDIT_MAX_UPLOAD_BYTES: evidence file limit
	MaxCaseFiles       int           // ACCREDIT_MAX_CASE_FILES: evidence files per case
	MaxCaseBytes       int64         // ACCREDIT_MAX_CASE_BYTES: evidence bytes per case
	MaxApplicantBytes  int64         // ACCREDIT_MAX_APPLICANT_BYTES: evidence bytes per applicant, all their cases
	UploadsInFlight    int           // ACCREDIT_MAX_UPLOADS_IN_FLIGHT: uploads at once, in all
	UploadsPerUser     int           // ACCREDIT_MAX_UPLOADS_PER_USER: uploads at once, per person
	SLADays            int           // ACCREDIT_SLA_DAYS: days from submission (or the fee's payment) to decision
	SecureCookies      bool          // ACCREDIT_SECURE_COOKIES: login cookie only over HTTPS
	RetentionYears     int           // ACCREDIT_RETENTION_YEARS: erase inactive applicants' personal data after this; 0 keeps it
	TrustedProxies     []*net.IPNet  // ACCREDIT_TRUSTED_PROXIES: only these may say who the client is (X-Forwarded-For)
	AggregateCache     int           // ACCREDIT_AGGREGATE_CACHE: aggregates of each kind kept in memory; 0 is aggregate.DefaultCacheSize
	ReadSnapshotAfter  int           // ACCREDIT_READ_SNAPSHOT_AFTER: commits after which the read models' snapshot is written ahead; 0 is projections.DefaultSnapshotAfter
	SMTPURL            string        // ACCREDIT_SMTP_URL: smtp://user:pass@host:port (STARTTLS when offered) or smtps://; none keeps mail in the outbox
	MailFrom           string        // ACCREDIT_MAIL_FROM: the From of every email
	MailKeepDays       int           // ACCREDIT_MAIL_KEEP_DAYS: mail done with (sent, failed, kept, cancelled) is purged after this
	ReadWait           time.Duration // ACCREDIT_READ_WAIT: how long read-your-writes waits (a read's ?min_seq, the page after a web form)
	ShutdownTimeout    time.Duration
}

// SyncInterval is the fsync interval; 0 for every write.
func (c Config) SyncInterval() (time.Duration, error) {
	if c.Sync == "" || c.Sync == "always" {
		return 0, nil
	}
	d, err := time.ParseDuration(c.Sync)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("ACCREDIT_SYNC: %q is neither \"always\" nor a positive interval such as \"1s\"", c.Sync)
	}
	return d, nil
}

// MaxReadWait is the longest ACCREDIT_READ_WAIT: a read that waits longer
// is better told 503 with Retry-After, and the HTTP server's timeouts
// (minutes) must leave room for the answer.
const MaxReadWait = time.Minute

// Defaults returns the configuration of a bare `accreditd`.
func Defaults() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "./data", Replicas: 1, Sync: "always", SLADays: 91, RetentionYears: 7, MailKeepDays: 400,
		CheckpointInterval: time.Hour, LogFormat: "json", ShutdownTimeout: 8 * time.Second, ReadWait: 2 * time.Second}
}

// Parse reads flags (args) over the environment (getenv) over the defaults.
func Parse(args []string, getenv func(string) string) (Config, error) {
	c, _, err := parse(args, getenv)
	return c, err
}

// parse is Parse that also returns its flag set, so that a test can list
// every flag (README's configuration table is checked against it).
func parse(args []string, getenv func(string) string) (Config, *flag.FlagSet, error) {
	c := Defaults()
	env := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	env("ACCREDIT_ADDR", &c.Addr)
	env("ACCREDIT_DATA_DIR", &c.DataDir)
	env("ACCREDIT_NATS_URL", &c.NATSURL)
	env("ACCREDIT_NATS_LISTEN", &c.NATSListen)
	env("ACCREDIT_SYNC", &c.Sync)
	env("ACCREDIT_ADMIN_EMAIL", &c.AdminEmail)
	env("ACCREDIT_ADMIN_PASSWORD", &c.AdminPassword)
	env("ACCREDIT_SIGNING_KEY_FILE", &c.SigningKeyFile)
	env("ACCREDIT_MASTER_KEY_FILE", &c.MasterKeyFile)
	env("ACCREDIT_CREDENTIAL_KEY_DIR", &c.CredentialKeyDir)
	env("ACCREDIT_PUBLIC_URL", &c.PublicURL)
	env("ACCREDIT_LOG_FORMAT", &c.LogFormat)
	env("ACCREDIT_METRICS_ADDR", &c.MetricsAddr)
	env("ACCREDIT_PPROF_ADDR", &c.PprofAddr)
	env("ACCREDIT_SMTP_URL", &c.SMTPURL)
	env("ACCREDIT_MAIL_FROM", &c.MailFrom)
	var replicas, interval, maxUpload, sla, secure, retention, proxies string
	env("ACCREDIT_TRUSTED_PROXIES", &proxies)
	env("ACCREDIT_RETENTION_YEARS", &retention)
	env("ACCREDIT_SECURE_COOKIES", &secure)
	env("ACCREDIT_SLA_DAYS", &sla)
	env("ACCREDIT_MAX_UPLOAD_BYTES", &maxUpload)
	var caseFiles, caseBytes, applicantBytes, inFlight, perUser, mailKeep string
	env("ACCREDIT_MAIL_KEEP_DAYS", &mailKeep)
	env("ACCREDIT_MAX_CASE_FILES", &caseFiles)
	env("ACCREDIT_MAX_CASE_BYTES", &caseBytes)
	env("ACCREDIT_MAX_APPLICANT_BYTES", &applicantBytes)
	env("ACCREDIT_MAX_UPLOADS_IN_FLIGHT", &inFlight)
	env("ACCREDIT_MAX_UPLOADS_PER_USER", &perUser)
	var aggCache string
	env("ACCREDIT_AGGREGATE_CACHE", &aggCache)
	var readSnap string
	env("ACCREDIT_READ_SNAPSHOT_AFTER", &readSnap)
	env("ACCREDIT_REPLICAS", &replicas)
	env("ACCREDIT_CHECKPOINT_INTERVAL", &interval)
	var readWait string
	env("ACCREDIT_READ_WAIT", &readWait)

	fs := flag.NewFlagSet("accreditd", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (ACCREDIT_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (ACCREDIT_DATA_DIR)")
	fs.StringVar(&c.NATSURL, "nats-url", c.NATSURL, "external NATS server or cluster URL; embedded server off (ACCREDIT_NATS_URL)")
	fs.StringVar(&c.NATSListen, "nats-listen", c.NATSListen, "client address of the embedded NATS server, e.g. 127.0.0.1:4222; none by default (ACCREDIT_NATS_LISTEN)")
	fs.StringVar(&replicas, "replicas", replicas, "replicas of every stream and bucket, default 1; above 1 needs a cluster (ACCREDIT_REPLICAS)")
	fs.StringVar(&c.Sync, "sync", c.Sync, `fsync policy: "always" or an interval such as "1s" (ACCREDIT_SYNC)`)
	fs.StringVar(&c.SigningKeyFile, "signing-key-file", c.SigningKeyFile, "Ed25519 key signing audit checkpoints, created 0600 if missing, default <data-dir>/keys/audit-ed25519.pem (ACCREDIT_SIGNING_KEY_FILE)")
	fs.StringVar(&c.MasterKeyFile, "master-key-file", c.MasterKeyFile, "key wrapping the per-person data keys, created 0600 if missing, default <data-dir>/keys/master.key (ACCREDIT_MASTER_KEY_FILE)")
	fs.StringVar(&c.CredentialKeyDir, "credential-key-dir", c.CredentialKeyDir, "directory of the Ed25519 keys signing award credentials; the newest signs, default <data-dir>/keys/credentials (ACCREDIT_CREDENTIAL_KEY_DIR)")
	fs.StringVar(&interval, "checkpoint-interval", interval, "how often to sign an audit checkpoint, default 1h (ACCREDIT_CHECKPOINT_INTERVAL)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "separate address serving /metrics without login, e.g. 127.0.0.1:9090; none by default: /metrics on the main address needs an office login (ACCREDIT_METRICS_ADDR)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", c.PprofAddr, "separate address serving Go's /debug/pprof/ without login, e.g. 127.0.0.1:6060; off by default, never the public address (ACCREDIT_PPROF_ADDR)")
	fs.StringVar(&secure, "secure-cookies", secure, "mark the web cookies Secure (HTTPS, or http://localhost) and name the session and CSRF seed __Host-; set false for plain-HTTP development on another host, default true (ACCREDIT_SECURE_COOKIES)")
	fs.StringVar(&retention, "retention-years", retention, "erase the personal data of applicants inactive this many years (no case open, no active accreditation); 0 keeps it, default 7 (ACCREDIT_RETENTION_YEARS)")
	fs.StringVar(&sla, "sla-days", sla, "service-level target in days from submission (or the fee's payment, where one is due) to decision, default 91: the published \"within 3 months\" (ACCREDIT_SLA_DAYS)")
	fs.StringVar(&maxUpload, "max-upload-bytes", maxUpload, "evidence file size limit in bytes, default 20 MiB (ACCREDIT_MAX_UPLOAD_BYTES)")
	fs.StringVar(&proxies, "trusted-proxies", proxies, "comma-separated CIDRs or addresses of reverse proxies whose X-Forwarded-For is believed; none by default, so the client is the connection's address (ACCREDIT_TRUSTED_PROXIES)")
	fs.StringVar(&caseFiles, "max-case-files", caseFiles, "evidence files one case may hold, default 50 (ACCREDIT_MAX_CASE_FILES)")
	fs.StringVar(&caseBytes, "max-case-bytes", caseBytes, "evidence bytes one case may hold in all, default 200 MiB (ACCREDIT_MAX_CASE_BYTES)")
	fs.StringVar(&applicantBytes, "max-applicant-bytes", applicantBytes, "evidence bytes the cases of one applicant may hold in all, ended ones too, default 1 GiB (ACCREDIT_MAX_APPLICANT_BYTES)")
	fs.StringVar(&inFlight, "max-uploads-in-flight", inFlight, "evidence uploads in progress at once in all; more wait (429), default 16 (ACCREDIT_MAX_UPLOADS_IN_FLIGHT)")
	fs.StringVar(&perUser, "max-uploads-per-user", perUser, "evidence uploads in progress at once per person; more wait (429), default 2 (ACCREDIT_MAX_UPLOADS_PER_USER)")
	fs.StringVar(&aggCache, "aggregate-cache", aggCache, "aggregates of each kind (cases, users, email reservations) kept in memory, the ones used last; the others are read from their streams when needed; default 10000 (ACCREDIT_AGGREGATE_CACHE)")
	fs.StringVar(&readSnap, "read-snapshot-after", readSnap, "commits applied since the read models' last snapshot after which the next is written, ahead of a stop that may have no time for it; default 10000 (ACCREDIT_READ_SNAPSHOT_AFTER)")
	fs.StringVar(&readWait, "read-wait", readWait, "how long a read given ?min_seq waits for the write side and the read models together before 503, and a web form for the page it redirects to, default 2s; at most 1m (ACCREDIT_READ_WAIT)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "where users reach the web application, e.g. https://accredit.example.org; links in emails start with it and it names the office's did:web; default http://<addr> (ACCREDIT_PUBLIC_URL)")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "smtp://user:pass@host:port (STARTTLS when offered) or smtps://...; none keeps mail in the outbox for the office (ACCREDIT_SMTP_URL)")
	fs.StringVar(&c.MailFrom, "mail-from", c.MailFrom, "the From of every email, default EMCC Accredit <accredit@<public URL's host>> (ACCREDIT_MAIL_FROM)")
	fs.StringVar(&mailKeep, "mail-keep-days", mailKeep, "days the outbox keeps mail done with (sent, failed, kept, cancelled) before purging it, at least 100 (longer than the 90-day renewal reminder), default 400 (ACCREDIT_MAIL_KEEP_DAYS)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "json or text (ACCREDIT_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	var errs []error
	if fs.NArg() > 0 { // the flag package stops at the first; the ones after it would be dropped unread
		errs = append(errs, fmt.Errorf("unexpected argument %q: accreditd takes flags only (-data-dir DIR or -data-dir=DIR; accreditd -h lists them)", fs.Arg(0)))
	}
	if replicas != "" {
		n, err := strconv.Atoi(replicas)
		if err != nil || n < 1 || n > 5 {
			errs = append(errs, fmt.Errorf("ACCREDIT_REPLICAS: %q must be 1 to 5", replicas))
		}
		c.Replicas = n
	}
	if interval != "" {
		d, err := time.ParseDuration(interval)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("ACCREDIT_CHECKPOINT_INTERVAL: %q is not a positive duration", interval))
		}
		c.CheckpointInterval = d
	}
	if readWait != "" {
		d, err := time.ParseDuration(readWait)
		if err != nil || d <= 0 || d > MaxReadWait {
			errs = append(errs, fmt.Errorf("ACCREDIT_READ_WAIT: %q is not a positive duration of at most %s", readWait, MaxReadWait))
		}
		c.ReadWait = d
	}
	c.SecureCookies = true
	if secure != "" {
		b, err := strconv.ParseBool(secure)
		if err != nil {
			errs = append(errs, fmt.Errorf("ACCREDIT_SECURE_COOKIES: %q must be true or false", secure))
		}
		c.SecureCookies = b
	}
	if proxies != "" {
		nets, err := ParseCIDRs(proxies)
		if err != nil {
			errs = append(errs, fmt.Errorf("ACCREDIT_TRUSTED_PROXIES: %w", err))
		}
		c.TrustedProxies = nets
	}
	if retention != "" {
		n, err := strconv.Atoi(retention)
		if err != nil || n < 0 || n > 100 {
			errs = append(errs, fmt.Errorf("ACCREDIT_RETENTION_YEARS: %q must be 0 to 100", retention))
		}
		c.RetentionYears = n
	}
	if sla != "" {
		n, err := strconv.Atoi(sla)
		if err != nil || n < 1 || n > 3650 {
			errs = append(errs, fmt.Errorf("ACCREDIT_SLA_DAYS: %q must be 1 to 3650 days", sla))
		}
		c.SLADays = n
	}
	if maxUpload != "" {
		n, err := strconv.ParseInt(maxUpload, 10, 64)
		if err != nil || n < 1024 || n > 1<<30 {
			errs = append(errs, fmt.Errorf("ACCREDIT_MAX_UPLOAD_BYTES: %q must be a number of bytes from 1024 to 1073741824", maxUpload))
		}
		c.MaxUpload = n
	}
	intIn := func(name, v string, lo, hi int64) int64 {
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("%s: %q must be a number from %d to %d", name, v, lo, hi))
		}
		return n
	}
	c.MaxCaseFiles = int(intIn("ACCREDIT_MAX_CASE_FILES", caseFiles, 1, 10_000))
	c.MaxCaseBytes = intIn("ACCREDIT_MAX_CASE_BYTES", caseBytes, 1024, 1<<40)
	c.MaxApplicantBytes = intIn("ACCREDIT_MAX_APPLICANT_BYTES", applicantBytes, 1024, 1<<40)
	c.UploadsInFlight = int(intIn("ACCREDIT_MAX_UPLOADS_IN_FLIGHT", inFlight, 1, 10_000))
	c.UploadsPerUser = int(intIn("ACCREDIT_MAX_UPLOADS_PER_USER", perUser, 1, 1000))
	c.AggregateCache = int(intIn("ACCREDIT_AGGREGATE_CACHE", aggCache, 1, 10_000_000))
	c.ReadSnapshotAfter = int(intIn("ACCREDIT_READ_SNAPSHOT_AFTER", readSnap, 1, 100_000_000))
	if mailKeep != "" {
		c.MailKeepDays = int(intIn("ACCREDIT_MAIL_KEEP_DAYS", mailKeep, int64(mail.MinKeep/(24*time.Hour)), 36_500))
	}
	if _, err := c.SyncInterval(); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("ACCREDIT_LOG_FORMAT: %q must be json or text", c.LogFormat))
	}
	if c.NATSURL == "" && c.Replicas > 1 {
		errs = append(errs, errors.New("ACCREDIT_REPLICAS > 1 needs a cluster: set ACCREDIT_NATS_URL"))
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		errs = append(errs, errors.New("set both ACCREDIT_ADMIN_EMAIL and ACCREDIT_ADMIN_PASSWORD, or neither"))
	}
	errs = append(errs, c.checkMail()...)
	if c.SigningKeyFile == "" {
		c.SigningKeyFile = filepath.Join(c.DataDir, "keys", "audit-ed25519.pem")
	}
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.DataDir, "keys", "master.key")
	}
	if c.CredentialKeyDir == "" {
		c.CredentialKeyDir = filepath.Join(c.DataDir, "keys", "credentials")
	}
	if c.NATSListen != "" {
		// Read here, not first by the embedded server, so that a wrong one
		// is refused with the others and named as they are.
		if _, port, err := net.SplitHostPort(c.NATSListen); err != nil || !isPort(port) {
			errs = append(errs, fmt.Errorf("ACCREDIT_NATS_LISTEN: %q is not a host:port such as 127.0.0.1:4222", c.NATSListen))
		}
	}
	if c.PprofAddr != "" && c.PprofAddr == c.Addr {
		errs = append(errs, errors.New("ACCREDIT_PPROF_ADDR must differ from ACCREDIT_ADDR: profiles are never served on the public address"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("ACCREDIT_PUBLIC_URL: %q is not an http(s) address such as https://accredit.example.org", c.PublicURL))
		}
	}
	return c, fs, errors.Join(byFlag(errs, fs)...)
}

// usageVariable is the variable a flag's usage ends with: "(ACCREDIT_SLA_DAYS)".
var usageVariable = regexp.MustCompile(`\((ACCREDIT_[A-Z_]+)\)$`)

// byFlag names the flag in the error of a value given as one: `accreditd
// -sla-days x` is told "-sla-days: ...", not about ACCREDIT_SLA_DAYS, which
// it never set. A value from the environment keeps its variable's name.
func byFlag(errs []error, fs *flag.FlagSet) []error {
	given := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if m := usageVariable.FindStringSubmatch(f.Usage); m != nil {
			given[m[1]] = "-" + f.Name
		}
	})
	for i, err := range errs {
		msg := err.Error()
		if name, _, ok := strings.Cut(msg, " "); ok && given[strings.TrimSuffix(name, ":")] != "" {
			name = strings.TrimSuffix(name, ":")
			errs[i] = errors.New(given[name] + strings.TrimPrefix(msg, name))
		}
	}
	return errs
}

// isPort reports whether s is a port number, 0 to 65535.
func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 65535
}

// ParseCIDRs reads a comma- or space-separated list of CIDRs; a bare
// address stands for itself alone (/32 or /128).
func ParseCIDRs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", f)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// FromOS parses os.Args and the environment.
func FromOS() (Config, error) { return Parse(os.Args[1:], os.Getenv) }

// SLA is the service-level target from submission (or the fee's payment, accreditation.Case.ServiceStart) to decision.
func (c Config) SLA() time.Duration { return time.Duration(c.SLADays) * 24 * time.Hour }
