package formats

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"storyline/projections"
)

// Ratings is the ClaimReview scale: a verdict's ratingValue of 5, and its
// alternateName in words.
var Ratings = map[string]struct {
	Value int
	Name  string
}{
	"confirmed": {5, "Confirmed"},
	"partly":    {3, "Partly confirmed"},
	"refuted":   {1, "Refuted"},
}

// Reviewer is who publishes the reviews: the archive's name and address.
type Reviewer struct {
	Name string
	URL  string
}

// ClaimReview is one schema.org ClaimReview object.
type ClaimReview struct {
	Context       string `json:"@context"`
	Type          string `json:"@type"`
	ClaimReviewed string `json:"claimReviewed"`
	ReviewRating  Rating `json:"reviewRating"`
	ItemReviewed  Claim  `json:"itemReviewed"`
	Author        Org    `json:"author"`
	URL           string `json:"url,omitempty"`
	DatePublished string `json:"datePublished,omitempty"`
	InLanguage    string `json:"inLanguage,omitempty"`
}

// Rating is a ClaimReview's verdict.
type Rating struct {
	Type          string `json:"@type"`
	RatingValue   int    `json:"ratingValue"`
	BestRating    int    `json:"bestRating"`
	WorstRating   int    `json:"worstRating"`
	AlternateName string `json:"alternateName"`
}

// Claim is the claim reviewed.
type Claim struct {
	Type            string         `json:"@type"`
	Author          Org            `json:"author"`
	DatePublished   string         `json:"datePublished"`
	FirstAppearance *CreativeWork  `json:"firstAppearance,omitempty"`
	Appearance      []CreativeWork `json:"appearance,omitempty"`
}

// Org is an author.
type Org struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// CreativeWork is where a claim appeared.
type CreativeWork struct {
	Type          string `json:"@type"`
	URL           string `json:"url,omitempty"`
	Author        *Org   `json:"author,omitempty"`
	DatePublished string `json:"datePublished,omitempty"`
}

// ClaimReviews converts a claims answer into one ClaimReview per settled
// claim.
func ClaimReviews(answer []byte, by Reviewer) ([]ClaimReview, error) {
	var v projections.Claims
	if err := json.Unmarshal(answer, &v); err != nil {
		return nil, fmt.Errorf("claims answer: %w", err)
	}
	var out []ClaimReview
	for _, c := range v.Claims {
		r, ok := Ratings[c.Outcome]
		if !ok {
			continue // open, unresolved, relayed: nothing to review
		}
		out = append(out, review(c, r.Value, r.Name, by))
	}
	return out, nil
}

func review(c projections.ClaimItem, value int, name string, by Reviewer) ClaimReview {
	outlet := Org{Type: "Organization", Name: cmpOr(c.OutletName, c.Outlet)}
	cr := ClaimReview{Context: "https://schema.org", Type: "ClaimReview", ClaimReviewed: c.Text, InLanguage: c.Lang,
		ReviewRating: Rating{Type: "Rating", RatingValue: value, BestRating: 5, WorstRating: 1, AlternateName: name},
		ItemReviewed: Claim{Type: "Claim", Author: outlet, DatePublished: c.ReportedAt.Format(time.RFC3339)},
		Author:       Org{Type: "Organization", Name: by.Name, URL: by.URL}, URL: by.URL}
	if c.SettledAt != nil {
		cr.DatePublished = c.SettledAt.Format(time.RFC3339)
	} else if len(c.Parts) > 0 && c.Parts[0].SettledAt != nil {
		cr.DatePublished = c.Parts[0].SettledAt.Format(time.RFC3339)
	}
	if c.URL != "" {
		cr.ItemReviewed.FirstAppearance = &CreativeWork{Type: "CreativeWork", URL: c.URL, Author: &outlet, DatePublished: c.ReportedAt.Format(time.RFC3339)}
	}
	for _, r := range c.Relays {
		relayer := Org{Type: "Organization", Name: cmpOr(r.OutletName, r.Outlet)}
		cr.ItemReviewed.Appearance = append(cr.ItemReviewed.Appearance, CreativeWork{Type: "CreativeWork", URL: r.URL, Author: &relayer, DatePublished: r.ReportedAt.Format(time.RFC3339)})
	}
	if len(c.Parts) > 0 {
		// Which parts held, in the verdict's words.
		var held []string
		for _, p := range c.Parts {
			held = append(held, fmt.Sprintf("%q %s", p.Text, p.Outcome))
		}
		cr.ReviewRating.AlternateName += ": " + strings.Join(held, "; ")
	}
	return cr
}
