package main

import (
	"fmt"
	"os"
	"strings"

	"margin/models"
	"margin/models/w3c"
)

func annotationsCommand(e cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(e.stderr, "usage: margin annotations import [-document ID] [-as USER] FILE...")
		return fmt.Errorf("annotations: the only subcommand is import")
	}
	fs := newFlagSet(e, "annotations import", "margin annotations import [-document ID] [-as USER] FILE...",
		"Imports W3C Web Annotations (one Annotation, an AnnotationPage, an AnnotationCollection with its\n"+
			"first page, or an array) and Hypothesis exports and API results onto documents of the library.\n"+
			"Each annotation goes to -document, or to the document its target names (this site's IRIs, by\n"+
			"-base-url) or whose source URL it is; it is anchored by its quote and position. Annotations whose\n"+
			"target is not found in the text are kept as orphans of the document and listed. Importing the\n"+
			"same annotations again adds nothing. The exit status is 1 when anything could not be imported.")
	var store storeFlags
	store.register(fs)
	docID := fs.Uint("document", 0, "import every annotation onto this document `ID`")
	as := fs.String("as", "", "the `USER` who writes the imported notes (required)")
	baseURL := fs.String("base-url", envOr("MARGIN_BASE_URL", ""), "public `URL` of the site, to recognise its own IRIs (env MARGIN_BASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 || *as == "" {
		fs.Usage()
		return fmt.Errorf("annotations import: name the writer with -as and at least one file")
	}
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)
	author, err := models.UserByName(db, *as)
	if err != nil {
		return fmt.Errorf("annotations import: no user %q", *as)
	}
	opt := models.ImportOptions{Author: author, Site: w3c.Site{Base: strings.TrimRight(*baseURL, "/")}}
	if *docID != 0 {
		if opt.Document, err = models.DocumentByID(db, uint(*docID)); err != nil {
			return fmt.Errorf("annotations import: no document %d", *docID)
		}
	}

	var problems []string
	var total models.ImportReport
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		notes, bad, err := w3c.ParseFile(data)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		for _, b := range bad {
			problems = append(problems, fmt.Sprintf("%s: %v", path, b))
		}
		if len(notes) == 0 {
			continue
		}
		bar := newProgress(e, len(notes))
		opt.Progress = func(done, n int) { bar.step(done, fmt.Sprintf("%s: %d of %d", path, done, n)) }
		rep, err := models.ImportAnnotations(db, notes, opt)
		bar.done()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, p := range rep.Problems {
			problems = append(problems, path+": "+p)
		}
		for _, o := range rep.Orphans {
			fmt.Fprintln(e.stdout, path+": "+o)
		}
		total.Placed += rep.Placed
		total.Replies += rep.Replies
		total.Orphaned += rep.Orphaned
		total.Existing += rep.Existing
	}
	// A large import can change what the planner should choose.
	if total.Imported() > 0 {
		if err := models.RefreshStatistics(db); err != nil {
			return fmt.Errorf("annotations import: refresh planner statistics: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "%d imported: %d on their passages, %d replies, %d kept as orphans; %d already there\n",
		total.Imported(), total.Placed, total.Replies, total.Orphaned, total.Existing)
	if len(problems) > 0 {
		fmt.Fprintf(e.stderr, "%d to look at:\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(e.stderr, "  "+p)
		}
		return exitError{msg: "annotations import: " + plural(len(problems), "problem")}
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
