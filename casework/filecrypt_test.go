package casework

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"

	"fundwatch/store"
)

func encryptForTest(t *testing.T, key, plain []byte, writes int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := EncryptFile(&out, key)
	if err != nil {
		t.Fatal(err)
	}
	// Written in uneven pieces, as a request body arrives.
	step := max(1, len(plain)/max(writes, 1)+7)
	for p := plain; len(p) > 0; {
		k := min(step, len(p))
		if _, err := w.Write(p[:k]); err != nil {
			t.Fatal(err)
		}
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestFileEncryptionRoundTripsEverySize(t *testing.T) {
	key, err := NewFileKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, fileChunkSize - 1, fileChunkSize, fileChunkSize + 1, 3*fileChunkSize + 17} {
		plain := make([]byte, n)
		_, _ = rand.Read(plain)
		stored := encryptForTest(t, key, plain, 5)
		if int64(len(stored)) != EncryptedFileSize(int64(n)) {
			t.Errorf("%d bytes: stored %d, EncryptedFileSize says %d", n, len(stored), EncryptedFileSize(int64(n)))
		}
		if bytes.Contains(stored, plain[:min(n, 64)]) && n >= 16 {
			t.Errorf("%d bytes: the stored form holds the plaintext", n)
		}
		r, err := DecryptFile(bytes.NewReader(stored), key)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: got %d bytes back, err %v", n, len(got), err)
		}
	}
}

// Every way of tampering with a stored file fails to decrypt, and no byte of
// a bad chunk comes out.
func TestFileEncryptionRefusesTampering(t *testing.T) {
	key, _ := NewFileKey()
	other, _ := NewFileKey()
	plain := bytes.Repeat([]byte("社保基金证据材料"), 3*fileChunkSize/24+100) // four chunks
	stored := encryptForTest(t, key, plain, 3)
	chunk := fileChunkSize + 16
	flip := bytes.Clone(stored)
	flip[len(fileMagic)+chunk+5] ^= 1
	swapped := bytes.Clone(stored)
	copy(swapped[len(fileMagic):], stored[len(fileMagic)+chunk:len(fileMagic)+2*chunk])
	copy(swapped[len(fileMagic)+chunk:], stored[len(fileMagic):len(fileMagic)+chunk])
	cases := map[string]struct {
		stored []byte
		key    []byte
	}{
		"a flipped bit":            {flip, key},
		"two chunks swapped":       {swapped, key},
		"cut after a full chunk":   {stored[:len(fileMagic)+2*chunk], key},
		"cut inside a chunk":       {stored[:len(stored)-3], key},
		"only the header":          {stored[:len(fileMagic)], key},
		"a chunk added at the end": {append(bytes.Clone(stored), stored[len(fileMagic):len(fileMagic)+chunk]...), key},
		"another file's key":       {stored, other},
		"not an encrypted file":    {[]byte("%PDF-1.7 plain"), key},
		"nothing at all":           {nil, key},
	}
	for name, tc := range cases {
		r, err := DecryptFile(bytes.NewReader(tc.stored), tc.key)
		if err == nil {
			var got []byte
			got, err = io.ReadAll(r)
			if err != nil && len(got)%fileChunkSize != 0 {
				t.Errorf("%s: %d bytes came out before the error, not whole good chunks", name, len(got))
			}
		}
		if store.ErrorCode(err) != store.EINTERNAL {
			t.Errorf("%s: err %v, want EINTERNAL", name, err)
		}
	}
}

func TestFileKeysAreSealedForTheirFile(t *testing.T) {
	k := testKeyring(t, 7)
	key, _ := NewFileKey()
	sealed, err := k.SealFileKey("file-a", key)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, key) {
		t.Fatal("the sealed key holds the key")
	}
	got, err := k.OpenFileKey("file-a", sealed)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("open: %v", err)
	}
	if _, err := k.OpenFileKey("file-b", sealed); err == nil {
		t.Error("a key sealed for one file opened for another")
	}
	if _, err := k.OpenSecret("totp", "file-a", sealed); err == nil {
		t.Error("a file key opened as a TOTP secret")
	}
}
