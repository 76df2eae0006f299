import type { TagMove, Template, TemplateVersion } from './types';

/** A hash as `docker images` shows an image id: without its algorithm, the first 12 hex digits. */
export function shortHash(hash: string | undefined): string {
  return (hash ?? '').split(':').pop()!.slice(0, 12);
}

/** A version as sandboxes and builds name it (minimal@v1); the bare name when the version is not known. */
export function versionRef(ref: { template?: string; version?: number }): string {
  return ref.version === undefined ? (ref.template ?? '') : `${ref.template}@v${ref.version}`;
}

/** The template the version and tag routes answer for a name: the team's own before the platform's. */
export function templateNamed(templates: Template[], name: string): Template | undefined {
  const named = templates.filter((t) => t.name === name);
  return named.find((t) => !t.platform) ?? named[0];
}

/**
 * Where a rollback without a version moves the tag: the version it held before its newest move (so a second rollback
 * undoes the first); none when that move created it.
 */
export function rollbackTarget(history: TagMove[]): number | undefined {
  return history[0]?.from_version;
}

/**
 * Why the API would refuse to roll a tag back to {@code target}, for the button to say instead of failing; undefined
 * when it would not. A tag may not point at a revoked version, so neither may a rollback move it there.
 */
export function rollbackRefusal(target: number | undefined, versions: TemplateVersion[]): string | undefined {
  if (target === undefined) {
    return 'it has pointed at no other version';
  }
  return versions.find((v) => v.version === target)?.revoked
    ? `v${target} is revoked: a tag may not point at a revoked version`
    : undefined;
}

/** A template's default environment as one line: A=1 B=2. */
export function envLine(env: Record<string, string> | undefined): string {
  return Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
}
