package events

import (
	"fmt"
	"strings"
)

// Summary is a one-line plain description of the event, by entity id,
// for timelines and logs.
func (e *Event) Summary() string {
	switch d := e.Data.(type) {
	case *EntityDescription:
		return fmt.Sprintf("%s is %s (%s)", d.ID, d.Name, d.Kind)
	case *SeatTaken:
		a := "a"
		if s := string(d.Seat); s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
			a = "an"
		}
		return fmt.Sprintf("%s takes %s %s seat on the %s board", d.Person, a, d.Seat, d.Org)
	case *SeatLeft:
		return fmt.Sprintf("%s leaves the %s board (%s, %s)", d.Person, d.Org, d.Seat, d.How)
	case *RoleStart:
		s := fmt.Sprintf("%s becomes %s of %s", d.Person, d.Role.Text(), d.Org)
		if d.Interim {
			s = fmt.Sprintf("%s becomes interim %s of %s", d.Person, d.Role.Text(), d.Org)
		}
		return s
	case *RoleEnd:
		return fmt.Sprintf("%s is no longer %s of %s (%s)", d.Person, d.Role.Text(), d.Org, d.How)
	case *Affiliation:
		return fmt.Sprintf("%s announced to join %s as %s", d.Person, d.Org, d.Role.Text())
	case *Statement:
		return fmt.Sprintf("%s: %s", d.By, clip(d.Text, 100))
	case *Claim:
		return fmt.Sprintf("claim about %s: %s", strings.Join(d.About, ", "), clip(d.Text, 100))
	case *Resolution:
		if d.Part > 0 {
			return fmt.Sprintf("claim %s part %d %s", short(d.Claim), d.Part, d.Outcome)
		}
		return fmt.Sprintf("claim %s %s", short(d.Claim), d.Outcome)
	case *Filing:
		return fmt.Sprintf("%d event(s) filed under the story %s", len(d.Events), d.Story)
	case *Withdrawal:
		return fmt.Sprintf("record %s withdrawn: %s", short(d.Event), clip(d.Reason, 100))
	case *Petition:
		return fmt.Sprintf("%s: %d of %d signatures", d.Petition, d.Signatures, d.OfTotal)
	case *Stake:
		return fmt.Sprintf("%s holds %s %s in %s", d.Holder, FormatAmount(d.Amount), d.Currency, d.Org)
	case *Report:
		return fmt.Sprintf("report: %s", clip(d.Title, 100))
	}
	return string(e.Type)
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// FormatAmount writes a money amount as people read it: "13 billion".
func FormatAmount(a float64) string {
	switch {
	case a >= 1e9:
		return fmt.Sprintf("%g billion", a/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%g million", a/1e6)
	}
	return fmt.Sprintf("%g", a)
}
