package api

import (
	"crypto/tls"
	"io"
	"net/http"
	"time"
)

const (
	tlsVersion11 = tls.VersionTLS11
	tlsVersion12 = tls.VersionTLS12
	tlsVersion13 = tls.VersionTLS13
)

// getTLS GETs https://url with a client limited to TLS maxVersion.
func getTLS(url string, maxVersion uint16) (int, error) {
	tr := &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // self-signed test certificate
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         maxVersion,
	}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get("https://" + url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
