package corpus_test

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"storyline/events"
)

// TestGoCodeNamesNoBundledEntity enforces "nothing in Go code names the
// bundled story's people or organisations": the code must work for any
// story, and tests use invented people and organisations (see
// projections/testdata/halvorsen.jsonl), so that a test cannot pass only
// because it knows the bundled story.
//
// The names come from the bundled corpus itself: the id, the name and every
// alias of each entity.described event whose kind is person or org. Every
// *.go file of the module is searched, except those under corpus/ (the story's
// home) and under testdata/ directories (fuzz seeds, golden files: data, not
// code). Every hit is reported as file:line with the names found there;
// cmd/ is searched like the rest.
//
// Matching:
//   - A string with a Han character is matched as a substring, since Chinese
//     is written without spaces; it must have at least 2 runes (one
//     character is almost always part of some other word).
//   - Any other string is matched case-insensitively as a whole word, so
//     that "Shear" does not hit "shears" nor "Ilya" "Ilyas": the runes either
//     side of it must not be letters or digits ('_' and '-' separate words,
//     as in sam_altman or openai-board), except at a camel-case hump, so that
//     identifiers such as newOpenAI or OpenAIClient are caught too. It must
//     have at least 4 runes: shorter ones (WSJ) are abbreviations that hit
//     unrelated words and identifiers.
//   - Names that are also ordinary English words or phrases (Apple, Summers,
//     Taylor, Toner, Shear, Musk, The Information, The Verge ...) would hit
//     comments and identifiers that mean the word, not the entity (a Taylor
//     series, the information in an event, a shear). Those are found as
//     written in the corpus, case and all, and only if they start with a
//     capital letter: "Apple" and "The Information" still hit, "apple" and
//     "the information" do not. The list below holds English words, not
//     names; whether a word names an entity still comes from the corpus.
func TestGoCodeNamesNoBundledEntity(t *testing.T) {
	names := bundledNames(t)
	if len(names) < 20 {
		t.Fatalf("only %d names from the bundled entities", len(names))
	}
	root := ".."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	var hits []string
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			base := d.Name()
			if rel == "corpus" || base == "testdata" || (path != root && strings.HasPrefix(base, ".")) {
				return filepath.SkipDir
			}
			// A nested module is another project.
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".go") {
			return nil
		}
		files++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(src))
		sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
		for n := 1; sc.Scan(); n++ {
			if found := namedIn(sc.Text(), names); found != "" {
				hits = append(hits, rel+":"+strconv.Itoa(n)+": "+found)
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("walked only %d Go files from %s", files, root)
	}
	for _, h := range hits {
		t.Errorf("names the bundled story's people or organisations: %s", h)
	}
	if len(hits) > 0 {
		t.Log("use invented people and organisations instead (e.g. those of projections/testdata/halvorsen.jsonl)")
	}
}

// englishWords are ordinary English words and phrases that some entity of
// the bundled story is also called by. They are matched only as the corpus
// writes them and only when capitalised (see above).
var englishWords = map[string]bool{
	"apple": true, "anthropic": true, "musk": true, "shear": true,
	"summers": true, "taylor": true, "toner": true, "the information": true,
	"the verge": true,
}

type entityName struct {
	text   string // as written in the corpus
	entity string // the entity's id
	lower  string // text in lower case, for Latin names matched without case
	han    bool   // contains a Han character: match as a substring
	exact  bool   // an English word: match as written only
}

func bundledNames(t *testing.T) []entityName {
	t.Helper()
	seen := map[string]bool{}
	var out []entityName
	add := func(s, entity string) {
		s = strings.TrimSpace(s)
		nm := entityName{text: s, entity: entity, lower: strings.ToLower(s)}
		for _, r := range s {
			if unicode.Is(unicode.Han, r) {
				nm.han = true
				break
			}
		}
		n := utf8.RuneCountInString(s)
		switch {
		case nm.han && n < 2, !nm.han && n < 4:
			return
		case englishWords[nm.lower]:
			first, _ := utf8.DecodeRuneInString(s)
			if !unicode.IsUpper(first) {
				return
			}
			nm.exact = true
		}
		key := nm.lower
		if nm.exact {
			key = s
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, nm)
	}
	for _, e := range load(t) {
		d, ok := e.Data.(*events.EntityDescription)
		if !ok || (d.Kind != events.Person && d.Kind != events.Org) {
			continue
		}
		add(d.ID, d.ID)
		add(d.Name, d.ID)
		for _, a := range d.Aliases {
			add(a, d.ID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].text < out[j].text })
	return out
}

// namedIn lists the names that line names, each with its entity, or "".
// A name found only as part of a longer one (Altman in Sam Altman) is left
// out of the list.
func namedIn(line string, names []entityName) string {
	var found []entityName
	for _, nm := range names {
		if nm.in(line) {
			found = append(found, nm)
		}
	}
	var out []string
	for _, nm := range found {
		part := false
		for _, o := range found {
			if len(o.text) > len(nm.text) && strings.Contains(strings.ToLower(o.text), nm.lower) {
				part = true
			}
		}
		switch {
		case part:
		case nm.text == nm.entity:
			out = append(out, nm.text)
		default:
			out = append(out, nm.text+" ("+nm.entity+")")
		}
	}
	return strings.Join(out, ", ")
}

// in reports whether line names nm.
func (nm entityName) in(line string) bool {
	if nm.han {
		return strings.Contains(line, nm.text)
	}
	for i := 0; i < len(line); {
		if n := nm.prefixOf(line[i:]); n > 0 && wordStart(line[:i], line[i:]) && wordEnd(line[:i+n], line[i+n:]) {
			return true
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		i += size
	}
	return false
}

// prefixOf returns the length of the prefix of s that is nm (without regard
// to case, unless nm.exact), or 0.
func (nm entityName) prefixOf(s string) int {
	if nm.exact {
		if strings.HasPrefix(s, nm.text) {
			return len(nm.text)
		}
		return 0
	}
	n := 0
	for _, want := range nm.text {
		got, size := utf8.DecodeRuneInString(s[n:])
		if size == 0 || unicode.ToLower(got) != unicode.ToLower(want) {
			return 0
		}
		n += size
	}
	return n
}

// wordStart reports whether a word can begin between before and after: at
// the start, after a rune that is neither letter nor digit ("_" and "-"
// separate words, as in sam_altman), or at a camel-case hump (ann in
// testAnn, Okafor in AnnOkafor, Acme in ACMEAcme).
func wordStart(before, after string) bool {
	p, _ := utf8.DecodeLastRuneInString(before)
	if before == "" || !alnum(p) {
		return true
	}
	a, size := utf8.DecodeRuneInString(after)
	if !unicode.IsUpper(a) {
		return false
	}
	b, _ := utf8.DecodeRuneInString(after[size:])
	return unicode.IsLower(p) || unicode.IsDigit(p) || unicode.IsLower(b)
}

// wordEnd reports whether a word can end between before and after: at the
// end, before a rune that is neither letter nor digit, or at a camel-case
// hump (Okafor in OkaforTest, ACME in ACMEClient).
func wordEnd(before, after string) bool {
	a, size := utf8.DecodeRuneInString(after)
	if after == "" || !alnum(a) {
		return true
	}
	if !unicode.IsUpper(a) {
		return false
	}
	p, _ := utf8.DecodeLastRuneInString(before)
	b, _ := utf8.DecodeRuneInString(after[size:])
	return unicode.IsLower(p) || unicode.IsDigit(p) || unicode.IsLower(b)
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
