package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies a domain error; the API maps each code to one HTTP status.
type Code string

// The error codes. Interface comments name the codes a method returns.
const (
	Invalid            Code = "invalid"             // the input is wrong
	NotFound           Code = "not_found"           // no such thing, or the caller may not see it
	Conflict           Code = "conflict"            // the state moved on (stale version, duplicate)
	Forbidden          Code = "forbidden"           // the caller may not do this
	Unauthorized       Code = "unauthorized"        // the caller is not known
	PreconditionFailed Code = "precondition_failed" // If-Match did not match
	Unprocessable      Code = "unprocessable"       // a rule of the process is not met (e.g. not eligible)
	TooLarge           Code = "too_large"           // an upload or body over its limit
	TooManyRequests    Code = "too_many_requests"   // slowed down after failures
	Unavailable        Code = "unavailable"         // try again shortly
	Internal           Code = "internal"            // a bug or an outage; never shown in detail
)

// FieldError names one input field that was wrong and why.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the one domain error type.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Extra is attached to the problem document as is (e.g. the unmet rules).
	Extra map[string]any
	// RetryAfter, in seconds, for Unavailable and TooManyRequests.
	RetryAfter int
	err        error
}

func (e *Error) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.err }

// Errorf makes a domain error with a message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap makes a domain error that keeps err as its cause.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), err: err}
}

// InvalidFields makes an Invalid error naming the fields that were wrong.
func InvalidFields(msg string, fields ...FieldError) *Error {
	return &Error{Code: Invalid, Message: msg, Fields: fields}
}

// ErrorCode returns the code of err, Internal for any error that is not a
// domain error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the user-facing message of err; internal errors never
// show their cause.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "internal error"
}

// Is reports whether err is a domain error of code c.
func Is(err error, c Code) bool { return ErrorCode(err) == c }

// List writes values as a field's reason names them: "a, b, c" (fmt's %v
// would show Go's "[a b c]" to the user).
func List[T ~string](values []T) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(v))
	}
	return b.String()
}
