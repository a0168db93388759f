// The event vocabulary as the page shows it: a category per event type
// (its colour and filter), and labels for roles, seats, attributions and
// the ways a tenure ends.

export function category(type) {
  switch (type) {
    case 'entity.described': return 'entity';
    case 'board.seat_taken': case 'board.seat_left': return 'board';
    case 'role.started': case 'role.ended': return 'role';
    case 'affiliation.announced': return 'affiliation';
    case 'claim.reported': return 'claim';
    case 'claim.resolved': return 'resolved';
    case 'statement.made': return 'statement';
    case 'report.published': return 'report';
    case 'petition.updated': return 'petition';
    case 'stake.disclosed': return 'stake';
  }
  return 'other';
}

export const CATEGORIES = [
  ['board', 'board seat'], ['role', 'role'], ['affiliation', 'affiliation'], ['claim', 'claim'], ['resolved', 'claim settled'],
  ['statement', 'statement'], ['report', 'report'], ['petition', 'petition'], ['stake', 'stake'], ['entity', 'description'], ['other', 'other'],
];
export const CAT_LABEL = Object.fromEntries(CATEGORIES);

// FILTERS are the event list's choices (#type-filter), by category.
export const FILTERS = {
  story: c => c !== 'entity',
  all: () => true,
  board: c => c === 'board',
  role: c => c === 'role' || c === 'affiliation',
  claim: c => c === 'claim' || c === 'resolved',
  statement: c => c === 'statement',
  other: c => c === 'report' || c === 'petition' || c === 'stake' || c === 'other',
};

export function roleLabel(r) {
  if (!r) return '';
  if (/^c[a-z]{1,2}o$/.test(r)) return r.toUpperCase();
  const s = r.replace(/_/g, ' ');
  return s[0].toUpperCase() + s.slice(1);
}

export function seatLabel(s) { return s ? s[0].toUpperCase() + s.slice(1) : 'Observer'; }

export const ATTRIBUTION = { official: 'official', on_record: 'on the record', anonymous: 'anonymous sources', archive: 'archive (added later)' };
export const HOW = { fired: 'fired', resigned: 'resigned', replaced: 'replaced', interim_ended: 'interim tenure ended', removed: 'removed', term_ended: 'term ended' };
