package eventstore

// isCompactJSON reports whether data is one JSON value written compactly
// (no white space outside strings): json.Compact would return it unchanged.
// It is sound, not complete: true only for what encoding/json accepts;
// false sends the caller to json.Compact, which decides. Payloads are made
// by json.Marshal, so nearly all are compact, and this one pass is several
// times cheaper than json.Compact's scanner (every event is hashed when
// appended, seeded or verified).
func isCompactJSON(data []byte) bool {
	i, ok := compactValue(data, 0, 0)
	return ok && i == len(data)
}

// CompactValueEnd returns where the JSON value written compactly at d[i:]
// ends, and whether there is one; like isCompactJSON it is sound, not
// complete (true only for what encoding/json accepts as it is). Decoders
// use it to find a payload's extent and check it in one pass.
func CompactValueEnd(d []byte, i int) (int, bool) { return compactValue(d, i, 0) }

// maxCompactDepth bounds the nesting compactValue follows (encoding/json
// allows 10000); deeper values go to json.Compact.
const maxCompactDepth = 200

// compactValue reads the compact value at d[i:] and returns where it ends.
func compactValue(d []byte, i, depth int) (int, bool) {
	if i >= len(d) || depth > maxCompactDepth {
		return i, false
	}
	switch c := d[i]; {
	case c == '{':
		return compactMembers(d, i+1, depth+1, '}', true)
	case c == '[':
		return compactMembers(d, i+1, depth+1, ']', false)
	case c == '"':
		return compactString(d, i)
	case c == 't':
		return compactLiteral(d, i, "true")
	case c == 'f':
		return compactLiteral(d, i, "false")
	case c == 'n':
		return compactLiteral(d, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		return compactNumber(d, i)
	}
	return i, false
}

// compactMembers reads an object's members (keyed) or an array's elements
// after the opening brace or bracket, up to and past end.
func compactMembers(d []byte, i, depth int, end byte, keyed bool) (int, bool) {
	if i < len(d) && d[i] == end {
		return i + 1, true
	}
	for {
		var ok bool
		if keyed {
			if i >= len(d) || d[i] != '"' {
				return i, false
			}
			if i, ok = compactString(d, i); !ok || i >= len(d) || d[i] != ':' {
				return i, false
			}
			i++
		}
		if i, ok = compactValue(d, i, depth); !ok || i >= len(d) {
			return i, false
		}
		switch d[i] {
		case ',':
			i++
		case end:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// compactString reads the string starting at the quote d[i].
func compactString(d []byte, i int) (int, bool) {
	for i++; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i >= len(d) {
				return i, false
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) {
					return i, false
				}
				for _, h := range d[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

func compactLiteral(d []byte, i int, lit string) (int, bool) {
	if len(d)-i < len(lit) || string(d[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// compactNumber reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func compactNumber(d []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		start := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i, i > start
	}
	if d[i] == '-' {
		i++
	}
	var ok bool
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i, _ = digits(i)
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		if i, ok = digits(i + 1); !ok {
			return i, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		if i++; i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i, ok = digits(i); !ok {
			return i, false
		}
	}
	return i, true
}
