// Command ferretdb-test-server runs an embedded FerretDB (v1.24.2, Apache-2.0)
// with the SQLite backend as a MongoDB-wire-compatible server for tests.
//
// FerretDB listens on an internal loopback port; clients connect to -listen, where a proxy
// runs each command that may write in isolation (see proxy.go).
//
// It listens on loopback addresses only and stops cleanly (exit 0) on SIGTERM/SIGINT.
//
//	ferretdb-test-server -data DIR [-listen 127.0.0.1:27018] [-log-level warn]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// loopbackAddr validates that addr is host:port with a literal loopback IP
// (or "localhost", mapped to 127.0.0.1) and a non-zero port.
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("invalid -listen %q: %w", addr, err)
	}

	if host == "localhost" {
		host = "127.0.0.1"
	}

	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("refusing to listen on %q: only loopback IP addresses (127.0.0.0/8, ::1) are allowed", addr)
	}

	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("invalid -listen %q: port must be 1-65535", addr)
	}

	return net.JoinHostPort(ip.String(), port), nil
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on (loopback only)")
	data := flag.String("data", "", "directory for SQLite data files (required; created if missing)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn, error")
	flag.Parse()

	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", flag.Args())
	}

	addr, err := loopbackAddr(*listen)
	if err != nil {
		return err
	}

	if *data == "" {
		return errors.New("-data DIR is required")
	}

	dir, err := filepath.Abs(*data)
	if err != nil {
		return err
	}

	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	var level slog.Level
	if err = level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("invalid -log-level: %w", err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// "file:///abs/dir/" – FerretDB requires the "file" scheme, no host and a trailing slash.
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/"}).String()

	// Port 0: the system picks a free one, which New binds before returning.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	backend, err := url.Parse(f.MongoDBURI())
	if err != nil {
		return err
	}

	// Opened once FerretDB listens, so a ping answered here means the server is ready.
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	fmt.Fprintf(os.Stderr, "ferretdb-test-server: listening on mongodb://%s (data %s)\n", addr, dir)

	proxyDone := make(chan struct{})

	go func() {
		defer close(proxyDone)
		newIsolatingProxy(backend.Host, logger).serve(ctx, listener)
	}()

	// Run blocks until ctx is canceled; it closes the listener, connections and backend.
	err = f.Run(ctx)
	<-proxyDone

	if err != nil {
		return err
	}

	fmt.Fprintln(os.Stderr, "ferretdb-test-server: stopped")

	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-test-server:", err)
		os.Exit(1)
	}
}
