package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserCommandManagesStaffAccounts(t *testing.T) {
	in := newInstallation(t)
	code, out := in.command("Tianchi lake 2026 winter\n", "user", "add", "--name", "Admin.One", "--role", "admin",
		"--region", "220000", "--full-name", "王管理", "--totp")
	if code != 0 || !strings.Contains(out, "已创建用户 admin.one（系统管理员，吉林省）") || !otpSecret.MatchString(out) {
		t.Fatalf("user add: exit %d\n%s", code, out)
	}
	// The password never shows in the output.
	if strings.Contains(out, "Tianchi lake") {
		t.Error("user add printed the password")
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"a taken username", "Tianchi lake 2026 winter\n", []string{"add", "--name", "admin.one", "--role", "handler", "--region", "220100"}, "该用户名已被使用"},
		{"a common password", "password123456\n", []string{"add", "--name", "li.si", "--role", "handler", "--region", "220100"}, "常见"},
		{"an unknown role", "Tianchi lake 2026 winter\n", []string{"add", "--name", "li.si", "--role", "boss", "--region", "220100"}, "角色无效"},
		{"an unknown region", "Tianchi lake 2026 winter\n", []string{"add", "--name", "li.si", "--role", "handler", "--region", "110000"}, "所属地区无效"},
		{"no name", "", []string{"add", "--role", "handler", "--region", "220100"}, "--name"},
		{"an unknown user", "Tianchi lake 2026 winter\n", []string{"passwd", "--name", "nobody"}, "用户不存在"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := in.command(tc.stdin, "user", tc.args...)
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want 2 with %q:\n%s", code, tc.want, out)
			}
		})
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("Songhua river bank 88\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := in.command("", "user", "add", "--name", "zhang.san", "--role", "handler", "--region", "220102", "--password-file", pwFile); code != 0 {
		t.Fatalf("user add with a password file: exit %d\n%s", code, out)
	}
	if code, out := in.command("", "user", "disable", "--name", "zhang.san"); code != 0 || !strings.Contains(out, "已停用") {
		t.Errorf("disable: exit %d\n%s", code, out)
	}
	code, out = in.command("", "user", "list")
	if code != 0 || !strings.Contains(out, "admin.one") || !strings.Contains(out, "已绑定") || !strings.Contains(out, "zhang.san") ||
		!strings.Contains(out, "已停用") || !strings.Contains(out, "南关区") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	if code, out := in.command("", "user", "list", "--region", "220200"); code != 0 || strings.Contains(out, "zhang.san") {
		t.Errorf("list of 吉林市 shows 长春's user:\n%s", out)
	}
	if code, out := in.command("Another good pass 2027\n", "user", "passwd", "--name", "zhang.san"); code != 0 || !strings.Contains(out, "已修改") {
		t.Errorf("passwd: exit %d\n%s", code, out)
	}
	// Every change is in the audit log as done by "cli", and the chain holds.
	code, out = in.command("", "audit", "verify")
	if code != 0 || !strings.Contains(out, "审计日志完好") {
		t.Fatalf("audit verify: exit %d\n%s", code, out)
	}
}

// TestAuditVerifyNamesTheFirstEditedEntry edits one entry in the SQLite
// file, as someone with the database in hand could, and runs the command.
func TestAuditVerifyNamesTheFirstEditedEntry(t *testing.T) {
	in := newInstallation(t)
	if strings.Contains(strings.Join(in.args, " "), "mongo") {
		t.Skip("edits the SQLite file; the MongoDB edit is tested in store/mongo")
	}
	for _, name := range []string{"a.one", "b.two", "c.three"} {
		if code, out := in.command("Tianchi lake 2026 winter\n", "user", "add", "--name", name, "--role", "handler", "--region", "220100"); code != 0 {
			t.Fatalf("user add: %d\n%s", code, out)
		}
	}
	if code, out := in.command("", "audit", "verify"); code != 0 || !strings.Contains(out, "共校验 3 条") {
		t.Fatalf("verify before the edit: exit %d\n%s", code, out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(in.args[1], "fundwatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit SET detail = '新建用户 b.two（负责人）' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out := in.command("", "audit", "verify")
	if code != 1 || !strings.Contains(out, "第 2 条记录与哈希链不符") {
		t.Errorf("verify after editing entry 2: exit %d\n%s", code, out)
	}
}
