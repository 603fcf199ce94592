// Child process of the kill test: rewrites one file atomically, forever,
// alternating two documents, until it is killed.
import { writeJsonAtomic } from "../../src/node/index.js";

const [path] = process.argv.slice(2);
const big = (tag: string) => ({ tag, rows: Array.from({ length: 20_000 }, (_, i) => ({ i, tag, x: i * 1.5 })) });
const docs = [big("A"), big("B")];
// The first document is on disk before the parent starts its clock.
writeJsonAtomic(path!, docs[1]);
process.stdout.write(`${process.pid}\n`);
for (let k = 0; ; k++) writeJsonAtomic(path!, docs[k % 2]);
