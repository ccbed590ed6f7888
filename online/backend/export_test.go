package backend

// SetScanFirstPage lets tests force searchrawtransactions pagination; it returns
// a function restoring the default.
func SetScanFirstPage(n int) (restore func()) {
	old := scanFirstPage
	scanFirstPage = n
	return func() { scanFirstPage = old }
}
