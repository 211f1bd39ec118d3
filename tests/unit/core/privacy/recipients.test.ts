/**
 * Who a rotation wraps the new key for (`recipientsOf`): current members with a key-agreement key,
 * and invite links while they can still admit someone. A multi-use link keeps receiving keys until
 * its uses are spent; an expired or revoked link, one whose inviter was revoked, and one that a
 * revoked member joined through (it still holds the link's secret) do not.
 */
import { describe, expect, it } from "vitest";
import { bytesToHex, kexKeyPairFromSeed } from "../../../../src/core/crypto/index.ts";
import type { Did } from "../../../../src/core/identity/did-key.ts";
import type { InviteKeyState, LedgerState, MemberState } from "../../../../src/core/ledger/state.ts";
import { recipientTag } from "../../../../src/core/ledger/rules/privacy.ts";
import { recipientsOf, rotationDue } from "../../../../src/core/privacy/rotation.ts";
import { alice, bob, carol, dave } from "../../../fixtures/identities.ts";

const T = 1_767_225_600_000;
const INVITE = "ab".repeat(32);
const linkKey = "did:key:z6MkinviteKeyOfTheLink" as Did;
const kex = (fill: number) => bytesToHex(kexKeyPairFromSeed(new Uint8Array(32).fill(fill), "test/kex").publicKey);
const member = (extra: Partial<MemberState> = {}) => ({ abilities: ["job/run"], by: alice.did, since: T, kex: kex(9), ...extra }) as MemberState;

/** alice (root) and bob, who joined through the link; the link admits `uses` people until `joinBefore`. */
function state(link: Partial<InviteKeyState> = {}, changes: (s: LedgerState) => void = () => {}): LedgerState {
  const s = {
    members: { [alice.did]: member(), [bob.did]: member({ invite: INVITE }) },
    revocations: {},
    privacy: { epoch: 0, epochs: {}, complaints: {}, invites: { [INVITE]: { key: linkKey, kex: kex(7), by: alice.did, time: T, uses: 2, joinBefore: T / 1000 + 3_600, ...link } } },
  } as unknown as LedgerState;
  changes(s);
  return s;
}
const dids = (s: LedgerState, time = T + 60_000) => recipientsOf(s, time).recipients.map((r) => r.did);

describe("a rotation's recipients", () => {
  it("include a multi-use link with uses left, beside the members", () => {
    expect(dids(state())).toEqual([...[alice.did, bob.did].sort(), linkKey]);
  });

  it("leave out a link whose uses are spent", () => {
    expect(dids(state({ uses: 1 }))).not.toContain(linkKey);
    expect(dids(state({}, (s) => void (s.members[carol.did] = member({ invite: INVITE }))))).not.toContain(linkKey);
  });

  it("leave out a link that has expired by the rotation's time", () => {
    expect(dids(state(), T + 3_600_000 - 1)).toContain(linkKey);
    expect(dids(state(), T + 3_600_000)).not.toContain(linkKey);
  });

  it("leave out a revoked link, and a link whose inviter was revoked", () => {
    expect(dids(state({}, (s) => void (s.revocations[INVITE] = { by: alice.did, time: T, entry: "e" as never })))).not.toContain(linkKey);
    const byDave = state({ by: dave.did }, (s) => void (s.members[dave.did] = member({ revoked: T })));
    expect(dids(byDave)).not.toContain(linkKey);
    expect(dids(byDave)).not.toContain(dave.did);
  });

  it("leave out a link that a member revoked since (or being removed now) joined through: it holds the link's secret", () => {
    expect(dids(state({ uses: 5 }, (s) => void (s.members[bob.did]!.revoked = T)))).toEqual([alice.did]);
    expect(recipientsOf(state({ uses: 5 }), T, new Set([bob.did])).recipients.map((r) => r.did)).toEqual([alice.did]);
  });
});

describe("a rotation is due", () => {
  /** Epoch 1 started at T + 10 s, wrapped for `tagged`; bob (who joined through the link) is revoked. */
  const revokedBob = (link: Partial<InviteKeyState>, tagged: Did[]) =>
    state(link, (s) => {
      s.members[bob.did]!.revoked = T + 30_000;
      s.privacy!.epoch = 1;
      s.privacy!.epochs["1"] = { rotation: "e1", keyId: "00".repeat(8), by: alice.did, time: T + 10_000, mailbox: "11".repeat(32), recipients: tagged.map(recipientTag).join("") } as never;
    });

  it("when a revoked member was among the current key's recipients", () => {
    expect(rotationDue(revokedBob({}, [alice.did, bob.did]))).toEqual([bob.did]);
  });

  it("when a revoked member joined through a link made during the current epoch, though no tag names it", () => {
    expect(rotationDue(revokedBob({ time: T + 20_000 }, [alice.did]))).toEqual([bob.did]);
  });

  it("when a revoked member joined through a link the current rotation wrapped for", () => {
    expect(rotationDue(revokedBob({}, [alice.did, linkKey]))).toEqual([bob.did]);
  });

  it("not when the current key reached neither the revoked member nor its link", () => {
    expect(rotationDue(revokedBob({}, [alice.did]))).toEqual([]);
  });
});
