// Package formats writes the story in the shapes other newsroom tools
// read: Knight Lab's TimelineJS (its JSON and its Google Sheet columns),
// schema.org ClaimReview (JSON-LD, for fact-check markup and search) and
// FollowTheMoney (the entities of Aleph and OpenSanctions). It converts the
// views' answers — the timeline, the claims, the replay's changes, as the
// CLI's --json gives them — so a moment exported is the moment the views
// show.
//
// # Rules
//
// TimelineJS: one slide per event (descriptions of who is who aside) on
// the clock asked for, its group the
// event's kind (board, role, claim …), the summary as headline, the quote
// and outlet as text, the source URL as media with the outlet as credit.
// Times are given in the display zone, to the precision the event has
// (a day-precise event has no hour).
//
// ClaimReview: one object per settled claim (confirmed, refuted, partly);
// ratingValue 5 confirmed, 3 partly, 1 refuted of bestRating 5 and
// worstRating 1, with alternateName in words. itemReviewed is the Claim:
// its author the outlet that originated it, firstAppearance its report,
// appearance the relays that repeated it. Open, unresolved and relayed
// claims are not reviews and are left out.
//
// FollowTheMoney: each seat a Directorship (director, organization, role:
// the seat) and each role an Occupancy of a Position, from the replay's
// changes, so a seat or role ends where the views say it ended (someone
// else's start included); each with startDate, endDate once ended,
// sourceUrl and publisher of the event that began it. Dates are as precise
// as the event (2018, 2018-04, 2018-04-01, or a UTC date and time).
package formats
