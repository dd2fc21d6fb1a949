// Conformance driver: runs op streams against the REAL seed MemPool of
// @thi.ng/malloc 6.1.150 and prints one JSON line per result.
//
// The Rust example `conform` (core/examples/conform) implements the same
// stream format; for the same input both must print identical text.
//
// Usage: node driver.mjs < stream.jsonl > results.jsonl
//
// Stream format (one JSON value per line, blank lines ignored):
//   {...options}        starts a new stream: new MemPool(options); prints
//                       {"init":true,"stats":S,"hash":H} or
//                       {"init_error":"<message>"} (then the stream's ops are
//                       skipped until the next options line)
//   ["m",size]          malloc                       -> address (0 = failure)
//   ["c",size,fill]     calloc                       -> address
//   ["f",slot]          free(slots[slot % n])        -> true/false
//   ["r",slot,size]     realloc(slots[slot % n])     -> address
//   ["F"]               freeAll                      -> null
//   ["fa",addr]         free of a raw address        -> true/false
//   ["ra",addr,size]    realloc of a raw address     -> address
//   ["ma",T,num]        mallocAs(T, num)             -> the view's byteOffset (0 = undefined)
//   ["ca",T,num,fill]   callocAs(T, num, fill)       -> byteOffset; fill is a string:
//                       Number(fill), or BigInt(fill) for "i64"/"u64"
//   ["rv",view,num]     reallocArray(views[view % n], num) -> byteOffset
//   ["fv",view]         free(views[view % n])        -> true/false
// T is one of TYPES below (the seed's types that the port has too; not "u8c").
// Successful ma/ca append their view to the view list, a successful rv
// replaces its view, F empties it; a freed view stays in it.
// Each op prints {"op":<op>,"res":R,"stats":S,"hash":H} where S is the
// seed's stats() and H the first 16 hex digits of the SHA-1 of the buffer.
//
// The pool is the seed's own MemPool; only its realloc is replaced, to carry
// the port's fixes of the seed's bugs (see FixedPool below). Everything else
// (malloc, free, calloc, compaction, stats, freeAll, the constructor) is the
// seed's code, unchanged.

import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { once } from "node:events";

// The seed checks `align` and `minSplit` with assertions that are compiled
// out when NODE_ENV is "production"; force them on (the port always checks).
// @thi.ng/errors reads this when it is loaded, hence the dynamic import.
process.env.UMBRELLA_ASSERTS = "1";
const { MemPool } = await import("@thi.ng/malloc");

const HEADER = 8; // SIZEOF_MEM_BLOCK
// Largest request whose padded size the seed's 32-bit `align()` computes
// without wrapping: bytes + 8 + (align - 1) must stay <= 2^31 - 1.
const I32_MAX = 0x7fffffff;

// The seed's `align()` (@thi.ng/binary), copied to keep its exact arithmetic.
const align = (addr, size) => (size--, (addr + size) & ~size);

class FixedPool extends MemPool {
    // B4 (found by this pipeline): the seed pads with a 32-bit `align()`,
    // so for bytes + 8 + align - 1 >= 2^31 the padded size wraps to a
    // small or negative number and malloc "succeeds", corrupting the heap.
    // Such a request can only fit in a buffer of 2 GiB or more, which no
    // conformance stream uses, so failing it is the exact answer here (and
    // the port's: it pads with checked arithmetic).
    tooLarge(bytes) {
        return bytes + HEADER + this.align - 1 > I32_MAX;
    }

    malloc(bytes) {
        if (bytes > 0 && this.tooLarge(bytes)) return 0;
        return super.malloc(bytes);
    }

    // The seed's realloc, except that the move (and its copy) now happens
    // in reallocFixed.
    realloc(ptr, bytes) {
        if (bytes <= 0) {
            return 0;
        }
        if (this.tooLarge(bytes)) return 0;
        const oldAddr = ptr > 0 ? ptr - HEADER : 0; // __blockSelfAddress
        let block = this._used;
        while (block) {
            if (block === oldAddr) {
                return this.reallocFixed(block, bytes);
            }
            block = this.blockNext(block);
        }
        return 0;
    }

    // The seed's reallocBlock with B1/B2/B3 fixed; returns the data address.
    reallocFixed(block, bytes) {
        const blockSize = this.blockSize(block);
        const blockEnd = block + blockSize;
        const isTop = blockEnd >= this.top;
        const paddedSize = align(bytes + HEADER, this.align);
        if (paddedSize <= blockSize) {
            const excess = blockSize - paddedSize;
            if (this.doSplit && excess >= this.minSplit) {
                this.splitBlock(block, paddedSize, excess);
            } else if (isTop) {
                // B2 fix: the block's size word follows top.
                this.top = block + this.setBlockSize(block, paddedSize);
            }
            return block + HEADER;
        }
        if (isTop && block + paddedSize < this.end) {
            this.top = block + this.setBlockSize(block, paddedSize);
            return block + HEADER;
        }
        // B1/B3 fix: allocate first (old block still in use), copy the old
        // payload, then free the old block by its data address.
        const oldPtr = block + HEADER;
        const newPtr = this.malloc(bytes);
        if (!newPtr) return 0;
        this.u8.copyWithin(newPtr, oldPtr, blockEnd);
        this.free(oldPtr);
        return newPtr;
    }
}

const OPTION_INTS = ["size", "start", "end", "align", "minSplit"];
const OPTION_BOOLS = ["compact", "split"];

class Malformed extends Error {}

const isInt = (x) => Number.isSafeInteger(x);

const checkOptions = (obj) => {
    for (const [k, v] of Object.entries(obj)) {
        if (OPTION_INTS.includes(k)) {
            if (v !== null && !isInt(v)) {
                throw new Malformed(`option ${k} must be an integer or null`);
            }
        } else if (OPTION_BOOLS.includes(k)) {
            if (v !== null && typeof v !== "boolean") {
                throw new Malformed(`option ${k} must be a boolean or null`);
            }
        } else {
            throw new Malformed(`unknown option ${JSON.stringify(k)}`);
        }
    }
};

const ARITY = { m: 2, c: 3, f: 2, r: 3, F: 1, fa: 2, ra: 3, ma: 3, ca: 4, rv: 3, fv: 2 };
const TYPES = ["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64"];
const BIG = ["u64", "i64"];
// The fill strings the runner reads alike (runner.rs): decimal numbers,
// NaN, Infinity, -Infinity; for the 64-bit types decimal integers only.
const NUMBER_FILL = /^(-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|NaN|-?Infinity)$/;
const BIGINT_FILL = /^-?\d+$/;

const checkOp = (op) => {
    const kind = op[0];
    if (typeof kind !== "string" || !Object.hasOwn(ARITY, kind)) {
        throw new Malformed(`unknown op ${JSON.stringify(kind)}`);
    }
    if (op.length !== ARITY[kind]) {
        throw new Malformed(`op ${kind} takes ${ARITY[kind] - 1} argument(s)`);
    }
    const typed = kind === "ma" || kind === "ca";
    for (let i = 1; i < op.length; i++) {
        if (typed && i === 1) {
            if (!TYPES.includes(op[i])) {
                throw new Malformed(`op ${kind}: argument ${i} must be an element type`);
            }
        } else if (kind === "ca" && i === 3) {
            const re = BIG.includes(op[1]) ? BIGINT_FILL : NUMBER_FILL;
            if (typeof op[i] !== "string" || !re.test(op[i])) {
                throw new Malformed(`op ${kind}: argument 3 must be a number in a string`);
            }
        } else if (!isInt(op[i])) {
            throw new Malformed(`op ${kind}: argument ${i} must be an integer`);
        }
    }
    if ((kind === "f" || kind === "r" || kind === "rv" || kind === "fv") && op[1] < 0) {
        throw new Malformed(`op ${kind}: slot must not be negative`);
    }
};

const hash = (pool) =>
    createHash("sha1").update(pool.u8).digest("hex").slice(0, 16);

const stats = (pool) => JSON.stringify(pool.stats());

// Buffered stdout with back-pressure.
let pending = [];
let pendingLen = 0;
const flush = async () => {
    if (!pending.length) return;
    const chunk = pending.join("");
    pending = [];
    pendingLen = 0;
    if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
};
const emit = async (line) => {
    pending.push(line, "\n");
    pendingLen += line.length + 1;
    if (pendingLen >= 1 << 20) await flush();
};

// A view's result: its data address, or 0 for undefined.
const viewAddr = (view) => (view ? view.byteOffset : 0);

const applyOp = (pool, slots, views, op) => {
    switch (op[0]) {
        case "m": {
            const addr = pool.malloc(op[1]);
            if (addr) slots.push(addr);
            return addr;
        }
        case "c": {
            const addr = pool.calloc(op[1], op[2]);
            if (addr) slots.push(addr);
            return addr;
        }
        case "f":
            if (!slots.length) return false;
            return pool.free(slots[op[1] % slots.length]);
        case "r": {
            if (!slots.length) return 0;
            const i = op[1] % slots.length;
            const addr = pool.realloc(slots[i], op[2]);
            if (addr) slots[i] = addr;
            return addr;
        }
        case "F":
            pool.freeAll();
            slots.length = 0;
            views.length = 0;
            return null;
        case "fa":
            return pool.free(op[1]);
        case "ra":
            return pool.realloc(op[1], op[2]);
        case "ma": {
            const view = pool.mallocAs(op[1], op[2]);
            if (view) views.push(view);
            return viewAddr(view);
        }
        case "ca": {
            const fill = BIG.includes(op[1]) ? BigInt(op[3]) : Number(op[3]);
            const view = pool.callocAs(op[1], op[2], fill);
            if (view) views.push(view);
            return viewAddr(view);
        }
        case "rv": {
            if (!views.length) return 0;
            const i = op[1] % views.length;
            const view = pool.reallocArray(views[i], op[2]);
            if (view) views[i] = view;
            return viewAddr(view);
        }
        case "fv":
            if (!views.length) return false;
            return pool.free(views[op[1] % views.length]);
    }
};

const main = async () => {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    let lineNo = 0;
    let started = false;
    let pool = null;
    let slots = [];
    let views = [];
    try {
        for await (const raw of rl) {
            lineNo++;
            const line = raw.trim();
            if (!line) continue;
            let value;
            try {
                value = JSON.parse(line);
            } catch (e) {
                throw new Malformed(`invalid JSON: ${e.message}`);
            }
            if (Array.isArray(value)) {
                checkOp(value);
                if (!started) throw new Malformed("op before any options line");
                if (!pool) continue; // stream whose init failed
                const res = applyOp(pool, slots, views, value);
                await emit(
                    `{"op":${JSON.stringify(value)},"res":${JSON.stringify(res)},"stats":${stats(pool)},"hash":"${hash(pool)}"}`
                );
            } else if (value !== null && typeof value === "object") {
                checkOptions(value);
                started = true;
                slots = [];
                views = [];
                try {
                    pool = new FixedPool(value);
                } catch (e) {
                    pool = null;
                    await emit(JSON.stringify({ init_error: String(e.message) }));
                    continue;
                }
                await emit(`{"init":true,"stats":${stats(pool)},"hash":"${hash(pool)}"}`);
            } else {
                throw new Malformed("expected an options object or an op array");
            }
        }
        await flush();
    } catch (e) {
        await flush();
        if (e instanceof Malformed) {
            process.stderr.write(`driver.mjs: line ${lineNo}: ${e.message}\n`);
            process.exitCode = 2;
            return;
        }
        throw e;
    }
};

await main();
