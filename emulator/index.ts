// Public entry of the GitHub emulator (a dev/test tool; the product in src/ never imports it).
export { createGitHubEmulator, GitHubEmulator } from "./emulator.js";
export type { EmulatorOptions, RequestLogEntry } from "./emulator.js";
export type { Fault, FaultSpec } from "./faults.js";
export type { Role } from "./model.js";
export type { DeliveryBehaviour, DeliveryLogEntry, DeliveredEvent } from "./webhooks.js";
export { signBody } from "./webhooks.js";
export { MAX_BODY_LENGTH, MAX_SUB_ISSUES } from "./state.js";
