import type { Permission, RoleConfig } from "./config.js";
import { PERMISSIONS } from "./config.js";

/** What the shell found out about one person, fresh for this run. */
export interface Person {
  permission: Permission;
  /** Configured teams (as written in the config) the person is an active member of. */
  teams: string[];
}

/** login (lower case) → person. Missing people are treated as having no access. */
export type People = ReadonlyMap<string, Person>;

const NOBODY: Person = { permission: "none", teams: [] };

export function personOf(people: People, login: string): Person {
  return people.get(login.toLowerCase()) ?? NOBODY;
}

export function permissionAtLeast(permission: Permission, minimum: Permission): boolean {
  return PERMISSIONS.indexOf(permission) >= PERMISSIONS.indexOf(minimum);
}

export type Eligibility = { allowed: true } | { allowed: false; reason: string };

/**
 * Who may fill a role: the listed users and members of the listed teams (and, if `permission` is
 * set too, only those of them with it); with no users or teams listed, anyone with the minimum
 * permission (default write).
 */
export function mayFill(role: RoleConfig, login: string, people: People): Eligibility {
  const person = personOf(people, login);
  const listed = role.users.length > 0 || role.teams.length > 0;
  if (listed) {
    const named =
      role.users.some((user) => user.toLowerCase() === login.toLowerCase()) ||
      role.teams.some((team) => person.teams.includes(team));
    if (!named) {
      const who = [
        ...role.users.map((user) => `@${user}`),
        ...role.teams.map((team) => `members of the team \`${team}\``),
      ].join(", ");
      return { allowed: false, reason: `only ${who} may fill it` };
    }
  }
  const minimum = role.permission ?? (listed ? undefined : "write");
  if (minimum !== undefined && !permissionAtLeast(person.permission, minimum)) {
    return {
      allowed: false,
      reason: `it needs ${minimum} permission to this repository and @${login} has ${person.permission}`,
    };
  }
  return { allowed: true };
}
