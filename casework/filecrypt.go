package casework

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"fundwatch/store"
)

// Evidence files are encrypted at rest, each with a key of its own: the key
// is random, sealed under the server's secret key for the file's record
// (SealFileKey), and kept in that record, never beside the bytes. The bytes
// are a stream of chunks so that a 20 MB file is encrypted and decrypted
// with a fixed 64 KB buffer, and so that a reordered, repeated or cut-off
// chunk fails to open:
//
//	"FWE1" | chunk… with chunk = AES-256-GCM(64 KB of plaintext)
//
// The nonce of chunk i is i (11 bytes, big-endian) and a last byte that is 1
// for the final chunk only, the construction of Hoang, Reyhanitabar, Rogaway
// and Vizár ("STREAM"). The final chunk may be empty; every file has one.

// FileKeySize is the size of a file's own key.
const FileKeySize = 32

// fileChunkSize is the plaintext size of every chunk but the last.
const fileChunkSize = 64 * 1024

var fileMagic = []byte("FWE1")

// filePurpose is the purpose a file key is sealed under (see SealSecret).
const filePurpose = "evidence-file"

// errFile is the one safe message for any failure to encrypt or decrypt a
// stored file; the cause stays in the wrapped error for the log.
const errFile = "文件解密失败，文件可能已损坏。请联系系统管理员。"

// NewFileKey returns a new random key for one file.
func NewFileKey() ([]byte, error) {
	key := make([]byte, FileKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, store.Wrap(store.EINTERNAL, err, errFile)
	}
	return key, nil
}

// SealFileKey seals the key of file fileID for its record; it opens only
// with the same server key and for the same file id.
func (k *Keyring) SealFileKey(fileID string, key []byte) ([]byte, error) {
	return k.SealSecret(filePurpose, fileID, key)
}

// OpenFileKey opens what SealFileKey sealed for the same file.
func (k *Keyring) OpenFileKey(fileID string, sealed []byte) ([]byte, error) {
	key, err := k.OpenSecret(filePurpose, fileID, sealed)
	if err == nil && len(key) != FileKeySize {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("open file key: %d bytes", len(key)), errFile)
	}
	return key, err
}

func fileAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != FileKeySize {
		return nil, fmt.Errorf("file key: %d bytes, want %d", len(key), FileKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func chunkNonce(nonce []byte, i uint64, last bool) {
	clear(nonce)
	binary.BigEndian.PutUint64(nonce[3:11], i)
	if last {
		nonce[11] = 1
	}
}

// EncryptedFileSize is the size of the stored form of a file of n bytes.
func EncryptedFileSize(n int64) int64 {
	chunks := max(1, (n+fileChunkSize-1)/fileChunkSize)
	return int64(len(fileMagic)) + n + chunks*16
}

// EncryptFile returns a writer that encrypts what is written to it under
// key and writes the stored form to w. Close writes the final chunk and
// must be called; it does not close w.
func EncryptFile(w io.Writer, key []byte) (io.WriteCloser, error) {
	aead, err := fileAEAD(key)
	if err != nil {
		return nil, store.Wrap(store.EINTERNAL, err, errFile)
	}
	if _, err := w.Write(fileMagic); err != nil {
		return nil, err
	}
	return &fileEncrypter{w: w, aead: aead, buf: make([]byte, 0, fileChunkSize+aead.Overhead()), nonce: make([]byte, aead.NonceSize())}, nil
}

type fileEncrypter struct {
	w      io.Writer
	aead   cipher.AEAD
	buf    []byte // plaintext of the chunk being filled
	nonce  []byte
	i      uint64
	closed bool
	err    error
}

func (e *fileEncrypter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.closed {
		return 0, errors.New("write to a closed file encrypter")
	}
	n := 0
	for len(p) > 0 {
		// A full chunk is sealed only once more data comes, so the final
		// chunk is known when Close is called.
		if len(e.buf) == fileChunkSize {
			if e.err = e.seal(false); e.err != nil {
				return n, e.err
			}
		}
		k := min(fileChunkSize-len(e.buf), len(p))
		e.buf = append(e.buf, p[:k]...)
		p, n = p[k:], n+k
	}
	return n, nil
}

func (e *fileEncrypter) seal(last bool) error {
	chunkNonce(e.nonce, e.i, last)
	e.i++
	out := e.aead.Seal(e.buf[:0], e.nonce, e.buf, nil)
	_, err := e.w.Write(out)
	e.buf = e.buf[:0]
	return err
}

func (e *fileEncrypter) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if e.err == nil {
		e.err = e.seal(true)
	}
	clear(e.buf[:cap(e.buf)])
	return e.err
}

// DecryptFile returns a reader of the plaintext of a file EncryptFile
// stored. A file that was altered, cut short or extended fails with an
// EINTERNAL *store.Error before any byte of the bad chunk is returned.
func DecryptFile(r io.Reader, key []byte) (io.Reader, error) {
	aead, err := fileAEAD(key)
	if err != nil {
		return nil, store.Wrap(store.EINTERNAL, err, errFile)
	}
	br := bufio.NewReaderSize(r, fileChunkSize+aead.Overhead()+1)
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != string(fileMagic) {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("decrypt file: bad header (%v)", err), errFile)
	}
	return &fileDecrypter{r: br, aead: aead, buf: make([]byte, fileChunkSize+aead.Overhead()), nonce: make([]byte, aead.NonceSize())}, nil
}

type fileDecrypter struct {
	r     *bufio.Reader
	aead  cipher.AEAD
	buf   []byte
	plain []byte // what is left of the opened chunk
	nonce []byte
	i     uint64
	done  bool
	err   error
}

func (d *fileDecrypter) Read(p []byte) (int, error) {
	for len(d.plain) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.plain)
	d.plain = d.plain[n:]
	return n, nil
}

func (d *fileDecrypter) next() error {
	n, err := io.ReadFull(d.r, d.buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		d.done = true // a short chunk is the last one
	case err != nil:
		return err
	default:
		// A full chunk is the last one when nothing follows it.
		if _, perr := d.r.Peek(1); perr == io.EOF {
			d.done = true
		} else if perr != nil {
			return perr
		}
	}
	chunkNonce(d.nonce, d.i, d.done)
	d.i++
	plain, oerr := d.aead.Open(d.buf[:0], d.nonce, d.buf[:n], nil)
	if oerr != nil {
		return store.Wrap(store.EINTERNAL, fmt.Errorf("decrypt file: chunk %d: %w", d.i-1, oerr), errFile)
	}
	d.plain = plain
	return nil
}
