// Buffer sharing between @thi.ng/malloc and the Rust port: one job per run.
//
// stdin:  {"options":{...}} to make a new pool, or {"start":N,"hex":"..."} to open a buffer
//         another pool wrote (the seed's skipInitialization), plus "ops": [["m",n] | ["f",addr]]
// stdout: {"results":[...],"stats":{...},"hex":"..."}: the buffer after the ops, as hex.
import { MemPool } from "@thi.ng/malloc";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input);

const pool = job.hex
    ? new MemPool({
          buf: new Uint8Array(Buffer.from(job.hex, "hex")).buffer,
          start: job.start,
          skipInitialization: true,
      })
    : new MemPool(job.options);

const results = job.ops.map(([op, arg]) => {
    if (op === "m") return pool.malloc(arg);
    if (op === "f") return pool.free(arg);
    throw new Error(`unknown op ${op}`);
});
process.stdout.write(
    JSON.stringify({
        results,
        stats: pool.stats(),
        hex: Buffer.from(pool.buf).toString("hex"),
    }) + "\n",
);
