package transport

// hintError is an error that carries advice as data, apart from its message
// (age's errorWithHint is the model): the CLIs print the message on the
// "error:" line and each hint on a "hint:" line of its own, and tests can
// check the advice without parsing sentences.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

// Hint is what the person at the keyboard can do about the error.
func (e hintError) Hint() string { return e.hint }

// WithHint returns err carrying hint, the next step a person can take
// ("pass --max-fee-rate if that fee is really meant"). A nil err stays nil.
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return hintError{err: err, hint: hint}
}

// Hints returns the hints along err's chain, outermost first, without
// repeats: what `hint:` lines the CLIs print under the error.
func Hints(err error) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(error)
	walk = func(e error) {
		for e != nil {
			if h, ok := e.(interface{ Hint() string }); ok && h.Hint() != "" && !seen[h.Hint()] {
				seen[h.Hint()] = true
				out = append(out, h.Hint())
			}
			switch u := e.(type) {
			case interface{ Unwrap() []error }:
				for _, inner := range u.Unwrap() {
					walk(inner)
				}
				return
			case interface{ Unwrap() error }:
				e = u.Unwrap()
			default:
				return
			}
		}
	}
	walk(err)
	return out
}
