package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"storyline/projections"
	"storyline/query"
	"storyline/replay"
	"strings"
	"text/tabwriter"
	"time"

	"storyline/events"
)

// The view shapes of DESIGN.md, as far as the tables need them.
type (
	boardJSON struct {
		Org       string       `json:"org"`
		OrgName   string       `json:"org_name"`
		At        string       `json:"at"`
		KnownAt   string       `json:"known_at"`
		Members   []memberJSON `json:"members"`
		Observers []memberJSON `json:"observers"`
		Anomalies []anomaly    `json:"anomalies"`
	}
	memberJSON struct {
		Person         string `json:"person"`
		Name           string `json:"name"`
		Seat           string `json:"seat"`
		Since          string `json:"since"`
		SincePrecision string `json:"since_precision"`
	}
	anomaly struct {
		Event  string `json:"event"`
		Reason string `json:"reason"`
	}
	rolesJSON struct {
		Org       string     `json:"org"`
		OrgName   string     `json:"org_name"`
		At        string     `json:"at"`
		KnownAt   string     `json:"known_at"`
		Roles     []roleJSON `json:"roles"`
		Anomalies []anomaly  `json:"anomalies"`
	}
	roleJSON struct {
		Role           string `json:"role"`
		Person         string `json:"person"`
		Name           string `json:"name"`
		Org            string `json:"org"`
		OrgName        string `json:"org_name"`
		Interim        bool   `json:"interim"`
		Since          string `json:"since"`
		SincePrecision string `json:"since_precision"`
	}
	statusJSON struct {
		Person    string            `json:"person"`
		Name      string            `json:"name"`
		At        string            `json:"at"`
		KnownAt   string            `json:"known_at"`
		Summary   string            `json:"summary"`
		Positions []roleJSON        `json:"positions"`
		Seats     []json.RawMessage `json:"seats"`
		Announced []struct {
			Org       string `json:"org"`
			OrgName   string `json:"org_name"`
			Role      string `json:"role"`
			Note      string `json:"note"`
			At        string `json:"at"`
			Precision string `json:"precision"`
			Text      string `json:"text"`
			Effective string `json:"effective"`
		} `json:"announced"`
		Recent []eventLine `json:"recent"`
	}
	eventLine struct {
		Seq        uint64 `json:"seq"`
		ID         string `json:"id"`
		Type       string `json:"type"`
		OccurredAt string `json:"occurred_at"`
		Precision  string `json:"occurred_precision"`
		ReportedAt string `json:"reported_at"`
		Source     struct {
			Outlet      string `json:"outlet"`
			Attribution string `json:"attribution"`
		} `json:"source"`
		Summary    string `json:"summary"`
		OutletName string `json:"outlet_name"`
		Supersedes string `json:"supersedes"`
		Erratum    string `json:"erratum"`
		Recorded   string `json:"recorded"`
	}
)

// what is an event line's summary, with what it corrects: a source's
// correction, or the archive's erratum and when it was made.
func (e eventLine) what() string {
	s := orDash(e.Summary)
	if e.Supersedes != "" {
		s += " [corrects " + short(e.Supersedes) + "]"
	}
	if e.Erratum != "" {
		at := ""
		if t, err := time.Parse(time.RFC3339, e.Recorded); err == nil {
			at = " " + t.Format("2006-01-02")
		}
		s += " [erratum" + at + " of " + short(e.Erratum) + "]"
	}
	return s
}

// outlet is the name an event line shows for its outlet.
func (e eventLine) outlet() string { return cmp.Or(e.OutletName, e.Source.Outlet) }

func (m *Main) table() *tabwriter.Writer {
	return tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
}

// when formats an RFC 3339 time in the zone asked for, as precisely as its
// precision allows (see [replay.When]).
func when(q *queryFlags, s, precision string) string {
	if s == "" {
		return "-"
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	var loc *time.Location
	if q != nil {
		loc = q.zone.loc
	}
	return replay.When(t, events.Precision(precision), loc)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func header(w io.Writer, q *queryFlags, title, at, knownAt string) {
	fmt.Fprintf(w, "%s — at %s, as known at %s\n\n", title, when(q, at, ""), when(q, knownAt, ""))
}

func printBoard(m *Main, q *queryFlags, raw json.RawMessage) error {
	var b boardJSON
	if err := json.Unmarshal(raw, &b); err != nil {
		return err
	}
	header(m.Stdout, q, "Board of "+named(b.OrgName, b.Org), b.At, b.KnownAt)
	w := m.table()
	fmt.Fprintln(w, "SEAT\tNAME\tID\tSINCE")
	for _, mb := range b.Members {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", mb.Seat, orDash(mb.Name), mb.Person, when(q, mb.Since, mb.SincePrecision))
	}
	for _, mb := range b.Observers {
		fmt.Fprintf(w, "observer\t%s\t%s\t%s\n", orDash(mb.Name), mb.Person, when(q, mb.Since, mb.SincePrecision))
	}
	w.Flush()
	fmt.Fprintf(m.Stdout, "\n%d voting member(s), %d observer(s)\n", len(b.Members), len(b.Observers))
	printAnomalies(m, b.Anomalies)
	return nil
}

func printAnomalies(m *Main, as []anomaly) {
	for _, a := range as {
		fmt.Fprintf(m.Stdout, "anomaly: %s (event %s)\n", a.Reason, a.Event)
	}
}

func printRoles(m *Main, q *queryFlags, raw json.RawMessage) error {
	var r rolesJSON
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	header(m.Stdout, q, "Roles at "+named(r.OrgName, r.Org), r.At, r.KnownAt)
	w := m.table()
	fmt.Fprintln(w, "ROLE\tNAME\tID\tINTERIM\tSINCE")
	for _, x := range r.Roles {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", x.Role, orDash(x.Name), x.Person, yes(x.Interim), when(q, x.Since, x.SincePrecision))
	}
	none(w, len(r.Roles), "no role known to be held at this moment")
	w.Flush()
	printAnomalies(m, r.Anomalies)
	return nil
}

// named is "Name (id)", or the id alone for an entity never described.
func named(name, id string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}

// none writes a row saying a table is empty, so that an empty answer is
// not mistaken for a truncated one.
func none(w io.Writer, n int, what string) {
	if n == 0 {
		fmt.Fprintf(w, "(%s)\n", what)
	}
}

func yes(b bool) string {
	if b {
		return "interim"
	}
	return "-"
}

func printStatus(m *Main, q *queryFlags, raw json.RawMessage) error {
	var s statusJSON
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	header(m.Stdout, q, fmt.Sprintf("%s (%s)", orDash(s.Name), s.Person), s.At, s.KnownAt)
	fmt.Fprintf(m.Stdout, "%s\n\n", s.Summary)
	w := m.table()
	fmt.Fprintln(w, "POSITION\tORG\tINTERIM\tSINCE")
	for _, p := range s.Positions {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Role, named(p.OrgName, p.Org), yes(p.Interim), when(q, p.Since, p.SincePrecision))
	}
	if len(s.Positions) == 0 {
		fmt.Fprintln(w, "(none)\t\t\t")
	}
	w.Flush()
	for i, a := range s.Announced {
		if i == 0 {
			fmt.Fprintln(m.Stdout, "\nAnnounced, not started:")
		}
		if a.Effective != "" {
			fmt.Fprintf(m.Stdout, "  %s: announced %s", a.Text, when(q, a.At, ""))
		} else {
			fmt.Fprintf(m.Stdout, "  %s (%s)", a.Text, when(q, a.At, a.Precision))
		}
		if a.Note != "" {
			fmt.Fprintf(m.Stdout, ": %s", a.Note)
		}
		fmt.Fprintln(m.Stdout)
	}
	if len(s.Recent) > 0 {
		fmt.Fprintln(m.Stdout, "\nRecent events:")
		printEvents(m, q, s.Recent)
	}
	return nil
}

func printEvents(m *Main, q *queryFlags, evs []eventLine) {
	w := m.table()
	for _, e := range evs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s, %s\n", when(q, e.OccurredAt, e.Precision), e.Type, clipText(e.what(), whatWidth), clipText(e.outlet(), outletWidth), e.Source.Attribution)
	}
	w.Flush()
}

func printTimeline(m *Main, q *queryFlags, raw json.RawMessage) error {
	var evs []eventLine
	if err := json.Unmarshal(raw, &evs); err != nil {
		var wrapped struct {
			Events []eventLine `json:"events"`
		}
		if err2 := json.Unmarshal(raw, &wrapped); err2 != nil {
			return err
		}
		evs = wrapped.Events
	}
	w := m.table()
	fmt.Fprintln(w, "WHEN\tREPORTED\tTYPE\tWHAT\tSOURCE")
	none(w, len(evs), "no event matches")
	for _, e := range evs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s, %s\n", when(q, e.OccurredAt, e.Precision), when(q, e.ReportedAt, ""), e.Type, clipText(e.what(), whatWidth), clipText(e.outlet(), outletWidth), e.Source.Attribution)
	}
	w.Flush()
	fmt.Fprintf(m.Stdout, "\n%d event(s); --json has every field in full\n", len(evs))
	return nil
}

func printClaims(m *Main, q *queryFlags, raw json.RawMessage) error {
	var c projections.Claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	w := m.table()
	fmt.Fprintln(w, "REPORTED\tOUTLET\tATTRIBUTION\tOUTCOME\tLEAD\tID\tCLAIM")
	counts := map[string]int{}
	none(w, len(c.Claims), "no claim reported by then")
	for _, x := range c.Claims {
		counts[x.Outcome]++
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", when(q, x.ReportedAt.Format(time.RFC3339), string(x.Precision)), clipText(cmp.Or(x.OutletName, x.Outlet), outletWidth),
			x.Attribution, x.Outcome, claimLead(x), short(x.ID), clipText(x.Text, 90))
		for _, line := range claimNotes(q, x) {
			fmt.Fprintf(w, "\t\t\t\t\t\t  %s\n", line)
		}
	}
	w.Flush()
	fmt.Fprintf(m.Stdout, "\n%d claim(s): %d confirmed, %d refuted, %d partly, %d unresolved, %d open, %d relayed.\n"+
		"LEAD: how long before what happened became public the claim was reported; a range where the times' precision allows more.\n",
		len(c.Claims), counts["confirmed"], counts["refuted"], counts["partly"], counts["unresolved"], counts["open"], counts["relayed"])
	for _, a := range c.Anomalies {
		fmt.Fprintf(m.Stdout, "anomaly: %s (event %s)\n", a.Reason, a.Event)
	}
	return nil
}

func claimLead(x projections.ClaimItem) string {
	switch {
	case x.LeadHours == nil:
		return "-"
	case x.LeadUncertain && x.LeadMaxHours != nil:
		return leadText(*x.LeadHours) + "…" + leadText(*x.LeadMaxHours)
	}
	return leadText(*x.LeadHours)
}

// claimNotes are the lines under a claim: its parts, what it repeats, who
// relayed it, and corrections and errata of its record.
func claimNotes(q *queryFlags, x projections.ClaimItem) []string {
	var out []string
	for _, p := range x.Parts {
		out = append(out, fmt.Sprintf("part %d %s: %s", p.N, p.Outcome, clipText(p.Text, 80)))
	}
	if o := x.Original; o != nil {
		s := fmt.Sprintf("repeats %s, %s", cmp.Or(o.OutletName, o.Outlet), when(q, o.ReportedAt.Format(time.RFC3339), string(o.Precision)))
		if o.Outcome != "" {
			s += " (" + o.Outcome + ")"
		}
		out = append(out, s+": "+clipText(o.Summary, 70))
	}
	for _, r := range x.Relays {
		out = append(out, fmt.Sprintf("relayed by %s, %s", cmp.Or(r.OutletName, r.Outlet), when(q, r.ReportedAt.Format(time.RFC3339), string(r.Precision))))
	}
	if c := x.Corrected; c != nil {
		out = append(out, fmt.Sprintf("corrected %s by %s (replaces %s)", when(q, c.At.Format(time.RFC3339), ""), cmp.Or(x.OutletName, x.Outlet), short(c.Of)))
	}
	if e := x.Erratum; e != nil {
		at := "(time not recorded)"
		if !e.At.IsZero() {
			at = e.At.UTC().Format("2006-01-02 15:04 UTC")
		}
		out = append(out, fmt.Sprintf("erratum %s (the archive's record %s fixed)", at, short(e.Of)))
	}
	return out
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func leadText(h float64) string {
	switch {
	case h >= 48 || h <= -48:
		return fmt.Sprintf("%+.1fd", h/24)
	default:
		return fmt.Sprintf("%+.1fh", h)
	}
}

// Widths a table clips its free text to, so that a row fits a wide
// terminal line; --json keeps the text whole.
const (
	whatWidth   = 100
	outletWidth = 40
)

func clipText(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

func printSources(m *Main, q *queryFlags, raw json.RawMessage) error {
	var s projections.Sources
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	w := m.table()
	fmt.Fprintln(w, "OUTLET\tEVENTS\tREPORTS\tCLAIMS\tCONFIRMED\tREFUTED\tPARTLY\tOPEN\tRELAYED\tCARRIED\tMEDIAN LEAD\tANONYMOUS")
	none(w, len(s.Sources), "no outlet has an event that counts at this moment")
	for _, x := range s.Sources {
		lead := "-"
		if x.MedianLead != nil {
			lead = leadText(*x.MedianLead)
			if x.LeadsUncertain > 0 {
				lead += "*"
			}
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%.0f%%\n", clipText(cmp.Or(x.Name, x.Outlet), 50), x.Events, x.Reports, x.Claims,
			x.Confirmed, x.Refuted, x.Partly, x.Open+x.Unresolved, x.Relayed, x.Carried, lead, x.AnonymousShare*100)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(m.Stdout, "\nCLAIMS: claims the outlet originated; RELAYED: its claims repeating another report (no credit); CARRIED: others' events it carried (via).\n"+
		"MEDIAN LEAD: of its confirmed claims, each at the least its times' precision allows (negative: reported after it was public); *: some of them could be longer.")
	return err
}

func printStakes(m *Main, q *queryFlags, raw json.RawMessage) error {
	var s struct {
		Org, At string
		OrgName string `json:"org_name"`
		KnownAt string `json:"known_at"`
		Stakes  []struct {
			Holder, Name, Currency, Note, Since, Outlet string
			SincePrecision                              string `json:"since_precision"`
			Amount                                      float64
		} `json:"stakes"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	header(m.Stdout, q, "Stakes in "+named(s.OrgName, s.Org), s.At, s.KnownAt)
	w := m.table()
	fmt.Fprintln(w, "HOLDER\tAMOUNT\tSINCE\tSOURCE\tNOTE")
	for _, x := range s.Stakes {
		fmt.Fprintf(w, "%s\t%s %s\t%s\t%s\t%s\n", orDash(x.Name), events.FormatAmount(x.Amount), x.Currency, when(q, x.Since, x.SincePrecision), x.Outlet, clipText(x.Note, 60))
	}
	none(w, len(s.Stakes), "no stake disclosed by then")
	return w.Flush()
}

func printDiff(m *Main, q *queryFlags, raw json.RawMessage) error {
	var d struct {
		From, To, By string
		KnownAt      string `json:"known_at"`
		Changes      []struct {
			View, Text string
		} `json:"changes"`
		During []struct {
			View, Text, At string
		} `json:"during"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "From %s to %s (%s clock, as known at %s)\n", when(q, d.From, ""), when(q, d.To, ""), d.By, when(q, d.KnownAt, ""))
	fmt.Fprintf(m.Stdout, "\nWhat changed along the way (%d):\n", len(d.During))
	for _, c := range d.During {
		fmt.Fprintf(m.Stdout, "  %-22s %s\n", when(q, c.At, ""), c.Text)
	}
	fmt.Fprintf(m.Stdout, "\nNet difference between the two moments (%d):\n", len(d.Changes))
	for _, c := range d.Changes {
		fmt.Fprintf(m.Stdout, "  %s\n", c.Text)
	}
	return nil
}

func printStories(m *Main, q *queryFlags, raw json.RawMessage) error {
	var ss []query.StoryInfo
	if err := json.Unmarshal(raw, &ss); err != nil {
		return err
	}
	w := m.table()
	fmt.Fprintln(w, "STORY\tEVENTS\tFROM\tUNTIL")
	none(w, len(ss), "no story filed: import with --story SLUG")
	for _, s := range ss {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", s.Story, s.Events, when(q, s.From.Format(time.RFC3339), ""), when(q, s.Until.Format(time.RFC3339), ""))
	}
	return w.Flush()
}
