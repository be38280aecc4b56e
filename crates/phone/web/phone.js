'use strict';
// phone.wasm's interface, shared by the patrol page and its Node tests:
// one operation, JSON in (plus raw bytes: a frame's RGBA pixels or a
// photo), JSON out. Requests and answers cross the module's memory as
// (pointer, length) pairs; an answer is a 4-byte little-endian length and
// that many bytes of JSON, {"ok": …} or {"error": "…"}.
globalThis.BadgegatePhone = {
  async instantiate(bytes) {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    const x = instance.exports;
    const put = (u8) => {
      const p = x.bg_alloc(u8.length);
      new Uint8Array(x.memory.buffer, p, u8.length).set(u8);
      return p;
    };
    return {
      // The module's memory now (for the page's numbers).
      memoryBytes: () => x.memory.buffer.byteLength,
      call(op, request, raw) {
        const enc = new TextEncoder();
        const o = enc.encode(op);
        const r = enc.encode(JSON.stringify(request));
        const opP = put(o);
        const rP = put(r);
        let bP = 0;
        let bLen = 0;
        if (raw) {
          bP = put(raw);
          bLen = raw.length;
        }
        const out = x.bg_call(opP, o.length, rP, r.length, bP, bLen);
        const len = new DataView(x.memory.buffer).getUint32(out, true);
        const text = new TextDecoder().decode(new Uint8Array(x.memory.buffer, out + 4, len));
        x.bg_free(out, len + 4);
        const v = JSON.parse(text);
        if (v.error !== undefined) throw new Error(v.error);
        return v.ok;
      },
    };
  },
};
