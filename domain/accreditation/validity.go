package accreditation

import "time"

// InForce reports whether an accreditation of status s that runs until
// validUntil is valid at now: active, and now before its date. From its date
// on it is due to expire (Expire), and no longer valid even before the
// expiry job has recorded that. The public register's verification answers
// with it.
func InForce(s AccreditationStatus, validUntil, now time.Time) bool {
	return s == StatusActive && now.Before(validUntil)
}
