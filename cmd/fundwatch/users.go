package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

const userUsage = `fundwatch user — 管理工作人员账户

  fundwatch user add --name 用户名 --role handler|leader|publisher|admin --region 地区代码
                     [--full-name 姓名] [--email 邮箱] [--totp] [--password-file 文件]
  fundwatch user passwd --name 用户名 [--password-file 文件] [--must-change]
  fundwatch user disable --name 用户名
  fundwatch user enable --name 用户名
  fundwatch user list [--region 地区代码]

密码从 --password-file 读取（第一行），否则在终端提示输入（不回显）。
--totp 立即生成并绑定动态验证码，只打印一次 otpauth:// 地址，请用验证器扫描或手动输入。
负责人和系统管理员必须使用动态验证码：不加 --totp 时，其首次登录时在网页上绑定。
存储相关参数（--data、--store、--mongo-uri 等）与 fundwatch serve 相同。
`

// userCommand runs `fundwatch user …`. The first administrator comes from
// here; every change goes through the service layer as the system actor
// "cli", so it is checked and audited like one made in the admin pages.
func userCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		fmt.Fprint(stdout, userUsage)
		return 0
	}
	sub, args := args[0], args[1:]
	var name, role, region, fullName, email, passwordFile string
	var withTOTP, mustChange bool
	cfg, err := parseConfig("user "+sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "用户名（登录名）")
		fs.StringVar(&role, "role", "", "角色：handler（承办人）、leader（负责人）、publisher（信息公开）、admin（系统管理员）")
		fs.StringVar(&region, "region", "", "所属地区代码，如 220000（全省）、220100（长春市）")
		fs.StringVar(&fullName, "full-name", "", "姓名（默认同用户名）")
		fs.StringVar(&email, "email", "", "电子邮箱（接收通知，可不填）")
		fs.StringVar(&passwordFile, "password-file", "", "从文件第一行读取密码")
		fs.BoolVar(&withTOTP, "totp", false, "立即绑定动态验证码并打印 otpauth:// 地址")
		fs.BoolVar(&mustChange, "must-change", false, "要求用户下次登录时修改密码")
	})
	if errors.Is(err, flagHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch user:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch user: 无法打开存储：", store.ErrorMessage(err))
		return 1
	}
	defer st.Close()
	key, err := loadOrCreateKey(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch user:", err)
		return 1
	}
	keyring, err := casework.NewKeyring(key)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch user:", err)
		return 1
	}
	regions := casework.DefaultRegions()
	svc := &caseflow.Service{Store: st, Keyring: keyring, Regions: regions, Rules: caseflow.DefaultRules(), Log: log}
	actor := caseflow.SystemActor("cli", regions)

	fail := func(err error) int {
		fmt.Fprintln(stderr, "fundwatch user:", store.ErrorMessage(err))
		if store.ErrorCode(err) == store.EINVALID || store.ErrorCode(err) == store.ECONFLICT || store.ErrorCode(err) == store.ENOTFOUND {
			return 2
		}
		return 1
	}
	needName := func() bool {
		if strings.TrimSpace(name) == "" {
			fmt.Fprintln(stderr, "fundwatch user: 请用 --name 指定用户名")
			return false
		}
		return true
	}

	switch sub {
	case "add":
		if !needName() {
			return 2
		}
		pw, err := readPassword(passwordFile, stdin, stderr, true)
		if err != nil {
			return fail(err)
		}
		if fullName == "" {
			fullName = name
		}
		in := caseflow.NewUser{Username: name, Name: fullName, Role: role, RegionCode: region, Email: email,
			Password: pw, MustChangePassword: mustChange}
		uri := ""
		if withTOTP {
			secret, u, err := casework.NewTOTPSecret("社保基金监督平台", casework.NormalizeUsername(name))
			if err != nil {
				return fail(err)
			}
			in.TOTPSecret, uri = secret, u
		}
		u, err := svc.CreateUser(ctx, actor, in)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "已创建用户 %s（%s，%s）\n", u.Username, casework.RoleLabel(u.Role), regions.FullName(u.RegionCode))
		if uri != "" {
			fmt.Fprintln(stdout, "动态验证码（只显示这一次，请立即添加到验证器）：")
			fmt.Fprintln(stdout, uri)
		} else if casework.RoleRequiresTOTP(u.Role) {
			fmt.Fprintln(stdout, "该角色必须使用动态验证码，首次登录时将在网页上绑定。")
		}
		return 0
	case "passwd":
		if !needName() {
			return 2
		}
		u, err := st.UserByUsername(ctx, name)
		if err != nil {
			return fail(err)
		}
		pw, err := readPassword(passwordFile, stdin, stderr, true)
		if err != nil {
			return fail(err)
		}
		if err := svc.ResetPassword(ctx, actor, u.ID, pw); err != nil {
			return fail(err)
		}
		if !mustChange {
			// The operator at the console sets the password they will use.
			fresh, err := st.UserByID(ctx, u.ID)
			if err != nil {
				return fail(err)
			}
			fresh.MustChangePassword = false
			if err := st.UpdateUser(ctx, fresh); err != nil {
				return fail(err)
			}
		}
		fmt.Fprintf(stdout, "已修改用户 %s 的密码，其所有登录已退出。\n", u.Username)
		return 0
	case "disable", "enable":
		if !needName() {
			return 2
		}
		u, err := st.UserByUsername(ctx, name)
		if err != nil {
			return fail(err)
		}
		err = svc.UpdateUser(ctx, actor, u, caseflow.UserChanges{Name: u.Name, Role: u.Role, RegionCode: u.RegionCode,
			Email: u.Email, Disabled: sub == "disable"}, 0)
		if err != nil {
			return fail(err)
		}
		if sub == "disable" {
			fmt.Fprintf(stdout, "已停用用户 %s，其所有登录已退出。\n", u.Username)
		} else {
			fmt.Fprintf(stdout, "已启用用户 %s。\n", u.Username)
		}
		return 0
	case "list":
		f := store.UserFilter{IncludeDisabled: true}
		if region != "" {
			f.RegionCodes = regions.Descendants(region)
			if f.RegionCodes == nil {
				fmt.Fprintln(stderr, "fundwatch user: 未知的地区代码", region)
				return 2
			}
		}
		users, err := st.ListUsers(ctx, f)
		if err != nil {
			return fail(err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "用户名\t姓名\t角色\t地区\t动态验证码\t状态")
		for _, u := range users {
			totp, state := "未绑定", "正常"
			if len(u.TOTPSealed) > 0 {
				totp = "已绑定"
			}
			if u.Disabled {
				state = "已停用"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.Name, casework.RoleLabel(u.Role),
				regions.FullName(u.RegionCode), totp, state)
		}
		_ = tw.Flush()
		return 0
	}
	fmt.Fprintf(stderr, "fundwatch user: 未知的子命令 %q\n\n%s", sub, userUsage)
	return 2
}

// readPassword reads a new password from the first line of file, or asks
// for it twice at the terminal without echo.
func readPassword(file string, stdin io.Reader, stderr io.Writer, confirm bool) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", store.Wrap(store.EINVALID, err, "无法读取密码文件："+file)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "新密码：")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if confirm {
			fmt.Fprint(stderr, "再次输入：")
			p2, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			if err != nil {
				return "", err
			}
			if string(p1) != string(p2) {
				return "", store.Errorf(store.EINVALID, "两次输入的密码不一致。")
			}
		}
		return string(p1), nil
	}
	// Not a terminal (a script): the first line of standard input.
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", store.Errorf(store.EINVALID, "请用 --password-file 指定密码文件，或在终端中运行以输入密码。")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// auditCommand runs `fundwatch audit verify`: it walks the whole chain and
// names the first entry that does not fit (exit 1), or says how many were
// checked (exit 0).
func auditCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: fundwatch audit verify [--data DIR | --store mongo --mongo-uri URI]")
		return 2
	}
	cfg, err := parseConfig("audit verify", args[1:])
	if errors.Is(err, flagHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch audit:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch audit: 无法打开存储：", store.ErrorMessage(err))
		return 1
	}
	defer st.Close()
	checked, firstBad, err := store.VerifyAuditChain(ctx, st, 500)
	if err != nil {
		fmt.Fprintln(stderr, "fundwatch audit:", store.ErrorMessage(err))
		return 1
	}
	if firstBad > 0 {
		fmt.Fprintf(stdout, "审计日志校验失败：第 %d 条记录与哈希链不符（此前 %d 条完好）。该记录或其前一条已被修改、删除或调换。\n", firstBad, checked)
		return 1
	}
	fmt.Fprintf(stdout, "审计日志完好：共校验 %d 条记录，哈希链连续。\n", checked)
	return 0
}
