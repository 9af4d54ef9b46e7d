// Command margin runs the Margin annotation server and its administrative
// subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Margin: read documents together and write in their margins.

Usage:
  margin [serve] [flags]       run the web server (the default)
  margin import [flags] FILE...  import documents (plain text, Markdown, HTML)
  margin annotations import [-document ID] -as USER FILE...  import W3C and Hypothesis annotations
  margin user create|set-role|set-password|end-sessions ...  manage accounts
  margin spam train|eval|stats|reset|purge ...  the spam model, and purging old spam
  margin mail test|status|retry ...  e-mail notifications: a test message, the outbox
  margin -h | margin COMMAND -h  help

Every command reads -data / MARGIN_DATA (default ./margin-data) and DATABASE_URL
(postgres://... selects PostgreSQL instead of the SQLite file in the data directory).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		var ee exitError
		if !errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "margin:", err)
		}
		os.Exit(1)
	}
}

// exitError ends the program with status 1 after its details were printed.
type exitError struct{ msg string }

func (e exitError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
	env := cliEnv{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	switch cmd {
	case "serve":
		return serveCommand(env, args)
	case "import":
		return importCommand(env, args)
	case "annotations":
		return annotationsCommand(env, args)
	case "user":
		return userCommand(env, args)
	case "spam":
		return spamCommand(env, args)
	case "mail":
		return mailCommand(env, args)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// cliEnv is what every subcommand may use: no globals.
type cliEnv struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (e cliEnv) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
