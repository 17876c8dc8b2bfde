package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Why a proxy: FerretDB 1.x runs update, findAndModify and delete as "read the matching
// documents, change them in memory, write them back", with nothing isolating one command
// from another's (FerretDB issue 3040), so concurrent updates of one document can lose one
// and an updateMany can change a document that no longer matches its filter. MongoDB
// updates each document atomically and re-checks the filter per document, and the
// service relies on that. The embedding API offers no hook into FerretDB's handler, so the
// test server listens in front of it and runs each command that may write while no other
// command runs; read-only commands run together. That is stricter than MongoDB, which is
// fine for a test server.

// MongoDB wire protocol op codes the proxy looks into.
const (
	opQuery = 2004
	opMsg   = 2013
)

// OP_MSG flag bits.
const (
	flagChecksumPresent = 1 << 0
	flagExhaustAllowed  = 1 << 16
)

const (
	headerLen = 16
	// The largest message FerretDB accepts (wire.MaxMsgLen).
	maxMessageLen = 48_000_000
)

// The field the proxy adds to buildInfo replies, so tests can tell this server isolates
// commands (a plain FerretDB answers buildInfo with ferretdbVersion and nothing more).
const isolationMarkField = "isolatedTestServer"

// readOnlyCommands run under the shared lock. Anything else, including commands unknown
// here, runs alone: a command missing from this list costs concurrency, not isolation.
var readOnlyCommands = map[string]bool{
	"buildInfo": true, "buildinfo": true, "collStats": true, "connectionStatus": true, "count": true,
	"currentOp": true, "dataSize": true, "dbStats": true, "dbstats": true, "distinct": true, "explain": true,
	"find": true, "getCmdLineOpts": true, "getFreeMonitoringStatus": true, "getLog": true, "getMore": true,
	"getParameter": true, "hello": true, "hostInfo": true, "isMaster": true, "ismaster": true,
	"listCollections": true, "listCommands": true, "listDatabases": true, "listIndexes": true, "ping": true,
	"serverStatus": true, "whatsmyuri": true,
}

// isolatingProxy relays MongoDB-wire connections to FerretDB, one backend connection per
// client connection, holding commands from the request until its reply is back.
type isolatingProxy struct {
	backendAddr string
	logger      *slog.Logger

	// Held shared by a read-only command and exclusively by any other, from sending the
	// request to the backend until its reply has been read.
	commands sync.RWMutex

	connsMu sync.Mutex
	conns   map[net.Conn]struct{}
	closing bool
	relays  sync.WaitGroup
}

func newIsolatingProxy(backendAddr string, logger *slog.Logger) *isolatingProxy {
	return &isolatingProxy{backendAddr: backendAddr, logger: logger, conns: map[net.Conn]struct{}{}}
}

// serve accepts client connections until ctx is canceled, then closes every connection
// and returns once all relays have ended.
func (p *isolatingProxy) serve(ctx context.Context, listener net.Listener) {
	go func() {
		<-ctx.Done()
		_ = listener.Close()
		p.closeAll()
	}()

	for {
		client, err := listener.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				break
			}
			// Such as too many open files: wait for some to close rather than spin.
			p.logger.Warn("proxy: accept failed", slog.String("error", err.Error()))
			time.Sleep(100 * time.Millisecond)

			continue
		}

		p.relays.Add(1)

		go func() {
			defer p.relays.Done()
			p.relay(client)
		}()
	}

	p.relays.Wait()
}

// track registers conn so that closeAll closes it; false (and conn closed) once closing.
func (p *isolatingProxy) track(conn net.Conn) bool {
	p.connsMu.Lock()
	defer p.connsMu.Unlock()

	if p.closing {
		_ = conn.Close()
		return false
	}

	p.conns[conn] = struct{}{}

	return true
}

func (p *isolatingProxy) untrack(conn net.Conn) {
	p.connsMu.Lock()
	delete(p.conns, conn)
	p.connsMu.Unlock()

	_ = conn.Close()
}

func (p *isolatingProxy) closeAll() {
	p.connsMu.Lock()
	defer p.connsMu.Unlock()

	p.closing = true
	for conn := range p.conns {
		_ = conn.Close()
	}
}

// relay serves one client connection until either side closes it or fails.
func (p *isolatingProxy) relay(client net.Conn) {
	if !p.track(client) {
		return
	}
	defer p.untrack(client)

	backend, err := net.Dial("tcp", p.backendAddr)
	if err != nil {
		p.logger.Warn("proxy: cannot reach FerretDB", slog.String("error", err.Error()))
		return
	}

	if !p.track(backend) {
		return
	}
	defer p.untrack(backend)

	clientReader := bufio.NewReader(client)
	backendReader := bufio.NewReader(backend)

	for {
		request, err := readMessage(clientReader)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				p.logger.Debug("proxy: client connection ended", slog.String("error", err.Error()))
			}

			return
		}

		// The driver streams hello replies only when asked with exhaustAllowed, and then
		// a reply would not be the only one: the proxy relays one reply per request.
		request = withoutExhaust(request)
		command := commandName(request)

		reply, err := p.roundTrip(backend, backendReader, request, isReadOnly(command, request))
		if err != nil {
			p.logger.Debug("proxy: FerretDB connection ended", slog.String("error", err.Error()))
			return
		}

		if command == "buildInfo" || command == "buildinfo" {
			reply = withIsolationMark(reply)
		}

		if _, err = client.Write(reply); err != nil {
			return
		}
	}
}

// roundTrip sends request to FerretDB and reads its reply under the command lock.
// FerretDB 1.24 answers every request with exactly one reply (even one flagged
// moreToCome: its connection loop reads one message, then writes one), and never streams.
func (p *isolatingProxy) roundTrip(backend net.Conn, backendReader *bufio.Reader, request []byte, readOnly bool) ([]byte, error) {
	if readOnly {
		p.commands.RLock()
		defer p.commands.RUnlock()
	} else {
		p.commands.Lock()
		defer p.commands.Unlock()
	}

	if _, err := backend.Write(request); err != nil {
		return nil, err
	}

	return readMessage(backendReader)
}

// readMessage reads one whole message: the 16-byte header (messageLength first) and body.
func readMessage(r *bufio.Reader) ([]byte, error) {
	var header [headerLen]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}

	length := int(int32(binary.LittleEndian.Uint32(header[0:4])))
	if length < headerLen || length > maxMessageLen {
		return nil, fmt.Errorf("invalid message length %d", length)
	}

	message := make([]byte, length)
	copy(message, header[:])

	if _, err := io.ReadFull(r, message[headerLen:]); err != nil {
		return nil, err
	}

	return message, nil
}

func opCode(message []byte) int32 {
	return int32(binary.LittleEndian.Uint32(message[12:16]))
}

// withoutExhaust clears exhaustAllowed in an OP_MSG request. A checksum over the old
// flags would no longer match, so it is dropped with it (the checksum is optional).
func withoutExhaust(message []byte) []byte {
	if opCode(message) != opMsg || len(message) < headerLen+4 {
		return message
	}

	flags := binary.LittleEndian.Uint32(message[16:20])
	if flags&flagExhaustAllowed == 0 {
		return message
	}

	if flags&flagChecksumPresent != 0 && len(message) >= headerLen+8 {
		message = message[:len(message)-4]
		flags &^= flagChecksumPresent
		binary.LittleEndian.PutUint32(message[0:4], uint32(len(message)))
	}

	binary.LittleEndian.PutUint32(message[16:20], flags&^flagExhaustAllowed)

	return message
}

// bodyDocument returns the offset and length of the command document: the kind 0 section
// of an OP_MSG, or the query of an OP_QUERY (the driver's first hello). ok is false for
// anything else or anything malformed.
func bodyDocument(message []byte) (offset, length int, ok bool) {
	switch opCode(message) {
	case opMsg:
		if len(message) < headerLen+4 {
			return 0, 0, false
		}

		end := len(message)
		if binary.LittleEndian.Uint32(message[16:20])&flagChecksumPresent != 0 {
			end -= 4
		}

		for i := headerLen + 4; i+5 <= end; {
			kind := message[i]
			size := int(int32(binary.LittleEndian.Uint32(message[i+1 : i+5])))

			if size < 5 || i+1+size > end {
				return 0, 0, false
			}

			if kind == 0 {
				return i + 1, size, true
			}

			if kind != 1 {
				return 0, 0, false
			}

			i += 1 + size
		}

		return 0, 0, false

	case opQuery:
		// flags, fullCollectionName (cstring), numberToSkip, numberToReturn, query
		name := headerLen + 4
		nul := bytes.IndexByte(message[min(name, len(message)):], 0)

		if nul < 0 {
			return 0, 0, false
		}

		start := name + nul + 1 + 8
		if start+5 > len(message) {
			return 0, 0, false
		}

		size := int(int32(binary.LittleEndian.Uint32(message[start : start+4])))
		if size < 5 || start+size > len(message) {
			return 0, 0, false
		}

		return start, size, true

	default:
		return 0, 0, false
	}
}

// commandName is the first key of the command document ("" if there is none): in the
// MongoDB wire protocol the command is always named by the first key.
func commandName(message []byte) string {
	offset, length, ok := bodyDocument(message)
	if !ok || message[offset+4] == 0 {
		return ""
	}

	key := message[offset+5 : offset+length]

	nul := bytes.IndexByte(key, 0)
	if nul < 0 {
		return ""
	}

	return string(key[:nul])
}

// isReadOnly tells whether the command cannot write. An aggregate writes only through
// $out or $merge; any message naming one (as a key or any string) is taken as a write.
func isReadOnly(command string, message []byte) bool {
	if command == "aggregate" {
		return !bytes.Contains(message, []byte("$out\x00")) && !bytes.Contains(message, []byte("$merge\x00"))
	}

	return readOnlyCommands[command]
}

// withIsolationMark adds isolatedTestServer: true to the body of an OP_MSG reply.
func withIsolationMark(message []byte) []byte {
	if opCode(message) != opMsg || len(message) < headerLen+4 ||
		binary.LittleEndian.Uint32(message[16:20])&flagChecksumPresent != 0 {
		return message
	}

	offset, length, ok := bodyDocument(message)
	if !ok {
		return message
	}

	// A boolean element (type 0x08), inserted before the document's closing 0x00.
	element := append(append([]byte{0x08}, isolationMarkField...), 0x00, 0x01)
	end := offset + length - 1

	marked := make([]byte, 0, len(message)+len(element))
	marked = append(marked, message[:end]...)
	marked = append(marked, element...)
	marked = append(marked, message[end:]...)

	binary.LittleEndian.PutUint32(marked[0:4], uint32(len(marked)))
	binary.LittleEndian.PutUint32(marked[offset:offset+4], uint32(length+len(element)))

	return marked
}
