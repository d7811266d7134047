// Command precompress writes the compressed forms of large static files at
// build time, so the server does not spend seconds of CPU on them at every
// start: for each file named, "FILE.gz" (gzip) and "FILE.br" (brotli), both
// at their best levels, beside it. The server's asset loader
// (handlers/web.NewAssets) uses a sibling only when it decodes to exactly
// the file, so a stale one fails the start and the tests instead of being
// served.
//
// It is run by go generate (see public/embed.go):
//
//	go generate ./public/
//
// and writes a file only when its content changes, so running it again
// leaves the work tree clean.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/valyala/fasthttp"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: precompress FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	for _, name := range flag.Args() {
		if err := precompress(name); err != nil {
			fmt.Fprintln(os.Stderr, "precompress:", err)
			os.Exit(1)
		}
	}
}

// precompress writes name.gz and name.br.
func precompress(name string) error {
	body, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	gz := fasthttp.AppendGzipBytesLevel(nil, body, fasthttp.CompressBestCompression)
	br := fasthttp.AppendBrotliBytesLevel(nil, body, fasthttp.CompressBrotliBestCompression)
	for _, f := range []struct {
		name string
		body []byte
	}{{name + ".gz", gz}, {name + ".br", br}} {
		if old, err := os.ReadFile(f.name); err == nil && bytes.Equal(old, f.body) {
			continue
		}
		if err := os.WriteFile(f.name, f.body, 0o644); err != nil {
			return err
		}
		fmt.Printf("precompress: %s: %d bytes (%.0f%% of %d)\n", f.name, len(f.body), 100*float64(len(f.body))/float64(len(body)), len(body))
	}
	return nil
}
