package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"margin/models"
	"margin/models/passhash"
)

const userUsage = `Usage: margin user COMMAND [flags] ...

Commands:
  create [-role ROLE] [-email ADDRESS] NAME   create an account; the password is read from standard input
  set-role NAME ROLE                         change a role: reader, moderator, educator or admin
  set-password NAME                          replace a password (read from standard input); ends the user's sessions
  end-sessions NAME                          log a user out everywhere

Passwords are never taken as flags, so they stay out of shell history and process lists:
  printf '%%s\n' 'a long passphrase' | margin user create -role admin alice
`

func userCommand(e cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, userUsage)
		if len(args) == 0 {
			return errors.New("user: a command is required")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "user "+sub, "margin user "+sub+" [flags] ...", "Manages accounts; see margin user -h.")
	var store storeFlags
	store.register(fs)
	role := fs.String("role", "reader", "role of the new account: reader, moderator, educator or admin")
	email := fs.String("email", "", "e-mail address of the new account")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	want := map[string]int{"create": 1, "set-role": 2, "set-password": 1, "end-sessions": 1}
	n, ok := want[sub]
	if !ok {
		fmt.Fprintf(e.stderr, userUsage)
		return fmt.Errorf("user: unknown command %q", sub)
	}
	if len(rest) != n {
		return fmt.Errorf("user %s: expected %d argument(s), got %d (see margin user -h)", sub, n, len(rest))
	}
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)
	switch sub {
	case "create":
		r, err := models.ParseRole(*role)
		if err != nil {
			return err
		}
		password, err := readPassword(e)
		if err != nil {
			return err
		}
		u, err := models.CreateUser(db, models.NewUser{Username: rest[0], Email: *email, Password: password, Role: r}, passhash.Default)
		if err != nil {
			return fmt.Errorf("user create: %w", err)
		}
		fmt.Fprintf(e.stdout, "created %s (%s)\n", u.Username, u.Role)
	case "set-role":
		r, err := models.ParseRole(rest[1])
		if err != nil {
			return err
		}
		u, err := models.SetRole(db, rest[0], r)
		if err != nil {
			return fmt.Errorf("user set-role %s: %w", rest[0], err)
		}
		fmt.Fprintf(e.stdout, "%s is now %s\n", u.Username, r)
	case "set-password":
		password, err := readPassword(e)
		if err != nil {
			return err
		}
		if err := models.SetPassword(db, rest[0], password, passhash.Default); err != nil {
			return fmt.Errorf("user set-password %s: %w", rest[0], err)
		}
		fmt.Fprintf(e.stdout, "password of %s changed; their sessions have ended\n", models.NormalizeUsername(rest[0]))
	case "end-sessions":
		u, err := models.UserByName(db, rest[0])
		if err != nil {
			return fmt.Errorf("user end-sessions %s: %w", rest[0], err)
		}
		if err := models.EndSessions(db, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "every session of %s has ended\n", u.Username)
	}
	return nil
}

// readPassword reads one line from standard input, without echo on a terminal.
func readPassword(e cliEnv) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		return passwordText(string(b))
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input (pipe it in, one line)")
	}
	return passwordText(strings.TrimRight(line, "\r\n"))
}

// passwordText refuses what the login form refuses: a password holding a
// NUL or bytes that are not UTF-8 could never be typed in to log in.
func passwordText(s string) (string, error) {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return "", errors.New("the password holds a NUL or bytes that are not UTF-8; use plain text")
	}
	return s, nil
}
