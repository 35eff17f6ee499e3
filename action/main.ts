// Entry of the bundled Action (dist/index.js); see action.yml.
import { runAction } from "./run.js";

await runAction();
