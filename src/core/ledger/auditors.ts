/**
 * Whether the pool has a current auditor: asked at every contested verdict and every late
 * dissenting reveal. Scanning every member there made a pool of 10,000 members without an auditor
 * spend over half its fold time in the scan (simulator profile, session 6). The fold changes member
 * records only through `setMember`, which keeps, per members map, the DIDs whose record grants
 * job/audit; the question then costs one look per such DID. The index is not part of the state: a
 * cloned or decoded state (a new members map) builds it again with one scan.
 */
import type { LedgerState, MemberState } from "./state.ts";

const AUDIT = "job/audit";
const candidates = new WeakMap<LedgerState["members"], Set<string>>();

/** The one way the fold writes a member's record. */
export function setMember(state: LedgerState, did: string, record: MemberState): void {
  state.members[did] = record;
  if (record.abilities.includes(AUDIT)) candidates.get(state.members)?.add(did);
}

function auditCandidates(state: LedgerState): Set<string> {
  let found = candidates.get(state.members);
  if (!found) {
    found = new Set();
    for (const did in state.members) if (state.members[did]!.abilities.includes(AUDIT)) found.add(did);
    candidates.set(state.members, found);
  }
  return found;
}

/** Whether a current, unsuspended member holds `job/audit` explicitly (admins are not auditors by default). */
export function hasAuditors(state: LedgerState): boolean {
  for (const did of auditCandidates(state)) {
    const member = state.members[did];
    if (member && member.revoked === undefined && member.abilities.includes(AUDIT) && state.standing[did]?.suspended === undefined) return true;
  }
  return false;
}
