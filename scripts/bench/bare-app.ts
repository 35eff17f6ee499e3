// The peer of the CPU comparison in `npm run bench`: a Probot 14 server with an App that does
// nothing, started exactly as src/entry/main.ts starts ours.
import { run } from "probot";

await run(() => undefined);
