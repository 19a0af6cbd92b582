// Package cpushare splits the CPU time of a Go CPU profile (the gzipped
// protobuf runtime/pprof writes) among the parts of a process, by the
// functions on each sample's stack. A benchmark that runs a server, its
// clients and an embedded nats-server in one process uses it to say what
// the server itself spends, which getrusage cannot.
//
// It reads only what that needs (samples, locations, functions, strings)
// and imports nothing outside the standard library.
package cpushare

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"time"
)

// Split sums the CPU time of profile's samples by part, as classify names
// the part of a stack (function names, the running one first, inlined
// callees before their callers).
func Split(profile []byte, classify func(stack []string) string) (map[string]time.Duration, error) {
	p, err := decode(profile)
	if err != nil {
		return nil, err
	}
	funcs := map[uint64]string{}
	for id, nameIdx := range p.funcs {
		if nameIdx < uint64(len(p.strings)) {
			funcs[id] = p.strings[nameIdx]
		}
	}
	cpu := -1
	for i, t := range p.types {
		if t.typ < uint64(len(p.strings)) && p.strings[t.typ] == "cpu" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, errors.New("cpushare: not a CPU profile (no cpu sample type)")
	}
	out := map[string]time.Duration{}
	var stack []string
	for _, s := range p.samples {
		if cpu >= len(s.values) {
			return nil, errors.New("cpushare: a sample lacks its cpu value")
		}
		stack = stack[:0]
		for _, loc := range s.locations {
			for _, fn := range p.locations[loc] {
				stack = append(stack, funcs[fn])
			}
		}
		out[classify(stack)] += time.Duration(s.values[cpu])
	}
	return out, nil
}

type valueType struct{ typ, unit uint64 }

type sample struct {
	locations []uint64
	values    []int64
}

type profile struct {
	types     []valueType
	samples   []sample
	locations map[uint64][]uint64 // location id: function ids, innermost first
	funcs     map[uint64]uint64   // function id: name's string index
	strings   []string
}

func decode(gz []byte) (*profile, error) {
	data := gz
	if len(gz) > 2 && gz[0] == 0x1f && gz[1] == 0x8b {
		r, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, fmt.Errorf("cpushare: %w", err)
		}
		if data, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("cpushare: %w", err)
		}
	}
	p := &profile{locations: map[uint64][]uint64{}, funcs: map[uint64]uint64{}}
	err := fields(data, func(num int, v uint64, b []byte) error {
		switch num {
		case 1: // sample_type
			var t valueType
			err := fields(b, func(n int, v uint64, _ []byte) error {
				switch n {
				case 1:
					t.typ = v
				case 2:
					t.unit = v
				}
				return nil
			})
			p.types = append(p.types, t)
			return err
		case 2: // sample
			var s sample
			err := fields(b, func(n int, v uint64, b []byte) error {
				switch n {
				case 1:
					return repeated(v, b, func(x uint64) { s.locations = append(s.locations, x) })
				case 2:
					return repeated(v, b, func(x uint64) { s.values = append(s.values, int64(x)) })
				}
				return nil
			})
			p.samples = append(p.samples, s)
			return err
		case 4: // location
			var id uint64
			var fns []uint64
			err := fields(b, func(n int, v uint64, b []byte) error {
				switch n {
				case 1:
					id = v
				case 4: // line
					return fields(b, func(n int, v uint64, _ []byte) error {
						if n == 1 {
							fns = append(fns, v)
						}
						return nil
					})
				}
				return nil
			})
			p.locations[id] = fns
			return err
		case 5: // function
			var id, name uint64
			err := fields(b, func(n int, v uint64, _ []byte) error {
				switch n {
				case 1:
					id = v
				case 2:
					name = v
				}
				return nil
			})
			p.funcs[id] = name
			return err
		case 6: // string_table
			p.strings = append(p.strings, string(b))
		}
		return nil
	})
	return p, err
}

// fields calls fn for each field of a protobuf message: its number and
// either its varint value or its bytes (length-delimited); fixed-width
// fields are skipped.
func fields(b []byte, fn func(num int, v uint64, b []byte) error) error {
	for len(b) > 0 {
		key, n := uvarint(b)
		if n <= 0 {
			return errBad
		}
		b = b[n:]
		num, wire := int(key>>3), key&7
		switch wire {
		case 0:
			v, n := uvarint(b)
			if n <= 0 {
				return errBad
			}
			b = b[n:]
			if err := fn(num, v, nil); err != nil {
				return err
			}
		case 1:
			if len(b) < 8 {
				return errBad
			}
			b = b[8:]
		case 2:
			l, n := uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errBad
			}
			if err := fn(num, 0, b[n:n+int(l)]); err != nil {
				return err
			}
			b = b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errBad
			}
			b = b[4:]
		default:
			return errBad
		}
	}
	return nil
}

// repeated reads a repeated varint field, packed (b) or not (v).
func repeated(v uint64, b []byte, add func(uint64)) error {
	if b == nil {
		add(v)
		return nil
	}
	for len(b) > 0 {
		x, n := uvarint(b)
		if n <= 0 {
			return errBad
		}
		add(x)
		b = b[n:]
	}
	return nil
}

var errBad = errors.New("cpushare: malformed profile")

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}
