package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ErrExists: the bundle's file already exists and replacing it was not asked for.
var ErrExists = errors.New("diagnostics: the file already exists")

// SaveError says why the bundle could not be written to Path, and what to do.
type SaveError struct {
	Path string
	// Advice says what to do, in a sentence.
	Advice string
	Err    error
}

func (e *SaveError) Error() string {
	return fmt.Sprintf("cannot write the diagnostics to %s: %v: %s", e.Path, e.Err, e.Advice)
}

func (e *SaveError) Unwrap() error { return e.Err }

// Save writes the bundle to path. It is written whole to a temporary file beside path first, so
// that a failure leaves nothing half-written; an existing file at path is never replaced unless
// replace is true (then it is replaced in one step). It returns the absolute path written.
func Save(ctx context.Context, path string, replace bool, src Sources) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", &SaveError{Path: path, Err: err, Advice: "give a file name such as phonebar-diagnostics.zip"}
	}
	if st, err := os.Stat(abs); err == nil {
		if st.IsDir() {
			return "", &SaveError{Path: abs, Err: errors.New("it is a folder"), Advice: "give a file name inside it, such as " + filepath.Join(abs, "phonebar-diagnostics.zip")}
		}
		if !replace {
			return "", &SaveError{Path: abs, Err: ErrExists, Advice: "choose another name, or pass --force to replace it"}
		}
	}
	dir := filepath.Dir(abs)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".*.part")
	if err != nil {
		advice := "choose a folder you can write to, such as your home folder"
		if errors.Is(err, fs.ErrNotExist) {
			advice = "the folder " + dir + " does not exist: create it or choose another"
		}
		return "", &SaveError{Path: abs, Err: unwrapPath(err), Advice: advice}
	}
	defer os.Remove(tmp.Name())
	werr := Write(ctx, tmp, src)
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		return "", &SaveError{Path: abs, Err: err, Advice: "check that the disk has room, then try again"}
	}
	if replace {
		err = os.Rename(tmp.Name(), abs)
	} else {
		// A link fails when the name was taken meanwhile: nothing is overwritten.
		err = os.Link(tmp.Name(), abs)
		if errors.Is(err, fs.ErrExist) {
			return "", &SaveError{Path: abs, Err: ErrExists, Advice: "choose another name, or pass --force to replace it"}
		}
		if _, serr := os.Lstat(abs); err != nil && errors.Is(serr, fs.ErrNotExist) {
			// A file system without links (FAT): the name was free a moment ago.
			err = os.Rename(tmp.Name(), abs)
		}
	}
	if err != nil {
		return "", &SaveError{Path: abs, Err: unwrapPath(err), Advice: "choose a folder you can write to, such as your home folder"}
	}
	return abs, nil
}

// SaveNew writes the bundle into dir under a new name, phonebar-diagnostics-TIME.zip, numbered
// (-2, -3, ...) when that name is taken: a bundle made from the window never replaces another.
func SaveNew(ctx context.Context, dir string, src Sources) (string, error) {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	base := "phonebar-diagnostics-" + now().Format("20060102-150405")
	for n := 1; n < 100; n++ {
		name := base + ".zip"
		if n > 1 {
			name = base + "-" + strconv.Itoa(n) + ".zip"
		}
		p, err := Save(ctx, filepath.Join(dir, name), false, src)
		if errors.Is(err, ErrExists) {
			continue
		}
		return p, err
	}
	return "", &SaveError{Path: filepath.Join(dir, base+".zip"), Err: ErrExists, Advice: "remove older bundles from " + dir}
}

// DefaultDir is where the window saves bundles: the Downloads folder when there is one, else the
// home folder.
func DefaultDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	if d := filepath.Join(home, "Downloads"); isDir(d) {
		return d, nil
	}
	return home, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// unwrapPath drops the *PathError's repetition of the path (the SaveError names it).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
