// The phone's verifier (phone.wasm, through the page's own phone.js) on
// every vector of docs/, as the Rust test `patrol::the_phone_verifier_…`
// wrote them with the kiosks' native outcome beside each: the same
// decision, reason, authenticity and photo outcome, or the test fails.
// Run by that Rust test: PHONE_WASM and PHONE_CASES name its files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runInThisContext } from 'node:vm';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
runInThisContext(readFileSync(here + '../web/phone.js', 'utf8'));

const wasm = readFileSync(process.env.PHONE_WASM);
const cases = JSON.parse(readFileSync(process.env.PHONE_CASES, 'utf8'));

test('there are vectors to decide', () => {
  assert.ok(cases.length >= 20, `only ${cases.length} cases`);
});

for (const c of cases) {
  test(`vector ${c.name}`, async () => {
    const phone = await globalThis.BadgegatePhone.instantiate(wasm);
    phone.call('load', c.load);
    const photo = c.photo_hex ? Buffer.from(c.photo_hex, 'hex') : undefined;
    const d = phone.call('decide', c.decide, photo);
    assert.deepEqual(
      { decision: d.decision, reason: d.reason, authentic: d.authentic, photo: d.photo, flagged: d.flagged },
      c.expect,
      d.detail,
    );
  });
}

test('a forged list is refused and changes nothing', async () => {
  const c = cases.find((x) => x.load.lists.length > 0);
  assert.ok(c, 'a vector with a list');
  const phone = await globalThis.BadgegatePhone.instantiate(wasm);
  const forged = c.load.lists[0].replace(/sequence: (\d+)/, (_, n) => 'sequence: ' + (Number(n) + 1));
  const ans = phone.call('load', { ...c.load, lists: [forged] });
  assert.equal(ans.lists[0].state, 'refused');
  assert.equal(ans.revoked, 0);
});

test('records are signed in a chain the office can check', async () => {
  const c = cases[0];
  const phone = await globalThis.BadgegatePhone.instantiate(wasm);
  phone.call('load', c.load);
  const seed = '11'.repeat(32);
  const key = phone.call('key', { seed });
  const chain = { kiosk_id: 'patrol-test-1', seq: 1, prev_hash: null, seed };
  const first = phone.call('event', { kind: 'start', reason: 'start', detail: 'enrolled', now_ms: 1, chain });
  const second = phone.call('decide', { ...c.decide, chain: { ...chain, seq: 2, prev_hash: first.hash } }).record;
  assert.equal(first.signer, key.public);
  assert.equal(second.prev_hash, first.hash);
  assert.equal(second.kind, 'check');
  assert.equal(second.gate, 'patrol');
  assert.match(second.sig, /^[0-9a-f]{128}$/);
});

test('lists older than the bound are stale, and fresh ones are not', async () => {
  const c = cases.find((x) => x.load.lists.length > 0);
  const phone = await globalThis.BadgegatePhone.instantiate(wasm);
  const issued = phone.call('load', c.load).oldest_list_issued_at;
  assert.ok(issued > 0);
  const fresh = phone.call('load', { ...c.load, now: issued + 3600 });
  assert.equal(fresh.stale, false);
  assert.equal(fresh.max_age_secs, 24 * 3600, 'no policy: a kiosk\'s default bound');
  const old = phone.call('load', { ...c.load, now: issued + 25 * 3600 });
  assert.equal(old.stale, true);
  const none = phone.call('load', { ...c.load, lists: [] });
  assert.equal(none.stale, true, 'no list at all is never fresh');
});

test('a genuine list of a key since retired is set aside, not raised as refused', async () => {
  const c = cases.find((x) => x.load.lists.length > 0 && x.load.trust.keys);
  const phone = await globalThis.BadgegatePhone.instantiate(wasm);
  const ans = phone.call('load', { ...c.load, trust: { retired: c.load.trust.keys } });
  assert.equal(ans.lists[0].state, 'retired');
  assert.equal(ans.revoked, 0);
});
