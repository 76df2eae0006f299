import { describe, expect, it } from 'vitest';
import { envLine, rollbackRefusal, rollbackTarget, shortHash, templateNamed, versionRef } from './templates';

describe('shortHash', () => {
  it('drops the algorithm and keeps 12 hex digits, as docker images shows an image id', () => {
    expect(shortHash('sha256:4f3c2b1a09e8d7c6b5a4f3e2d1c0')).toBe('4f3c2b1a09e8');
    expect(shortHash('9a8b7c6d5e4f3a2b1c0d')).toBe('9a8b7c6d5e4f');
    expect(shortHash(undefined)).toBe('');
  });
});

describe('versionRef', () => {
  it('names a version as a sandbox request does', () => {
    expect(versionRef({ template: 'minimal', version: 1 })).toBe('minimal@v1');
    expect(versionRef({ template: 'minimal' })).toBe('minimal');
  });
});

describe('templateNamed', () => {
  it("prefers the team's own template to the platform's of the same name", () => {
    const platform = { id: 'tpl-p', name: 'web', platform: true };
    const own = { id: 'tpl-t', name: 'web' };
    expect(templateNamed([platform, own, { id: 'tpl-o', name: 'other' }], 'web')).toBe(own);
    expect(templateNamed([platform], 'web')).toBe(platform);
    expect(templateNamed([platform], 'nope')).toBeUndefined();
  });
});

describe('rollbackTarget', () => {
  it('is the version the tag held before its newest move', () => {
    expect(rollbackTarget([{ from_version: 2, to_version: 1, reason: 'rollback' }, { from_version: 1, to_version: 2, reason: 'build' }])).toBe(2);
    expect(rollbackTarget([{ to_version: 1, reason: 'build' }])).toBeUndefined();
    expect(rollbackTarget([])).toBeUndefined();
  });
});

describe('rollbackRefusal', () => {
  it('says why the API would refuse the rollback: no earlier version, or a revoked one', () => {
    const versions = [{ version: 2, revoked: true }, { version: 1, revoked: false }];
    expect(rollbackRefusal(undefined, versions)).toBe('it has pointed at no other version');
    expect(rollbackRefusal(2, versions)).toBe('v2 is revoked: a tag may not point at a revoked version');
    expect(rollbackRefusal(1, versions)).toBeUndefined();
  });
});

describe('envLine', () => {
  it('joins the variables as a shell would read them', () => {
    expect(envLine({ A: '1', PATH: '/bin' })).toBe('A=1 PATH=/bin');
    expect(envLine(undefined)).toBe('');
  });
});
