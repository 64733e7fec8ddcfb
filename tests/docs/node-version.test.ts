/**
 * The README's Node.js version (issue #21, "a clean install"): `engines` in package.json must be a
 * Node that every installed package accepts (else `npm install` warns EBADENGINE on the Node the
 * README names), and the packages the README says need Node ≥ 22 must be exactly those that Node 20
 * (where the suite also runs here) does not satisfy, per package-lock.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockPackage {
  engines?: { node?: string };
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, LockPackage>;
};
const readme = readFileSync('README.md', 'utf8');
const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('```sh'));

/** The lock's packages npm installed here (it skips optional ones for other systems and their deps). */
const installed = Object.entries(lock.packages).filter(
  ([where]) => where !== '' && existsSync(where),
);
const nameOf = (where: string) => where.slice(where.lastIndexOf('node_modules/') + 13);

describe('README Node.js version', () => {
  const floor = semver.minVersion(pkg.engines.node);

  it('names the Node in engines', () => {
    expect(floor).not.toBeNull();
    expect(quickStart).toContain(`**Node.js ${floor!.major}.${floor!.minor} or later**`);
  });

  it('engines is a Node every installed package accepts', () => {
    const refusing = installed
      .filter(([, p]) => p.engines?.node && !semver.satisfies(floor!, p.engines.node))
      .map(([where, p]) => `${nameOf(where)} (${p.engines!.node})`);
    expect(refusing).toEqual([]);
  });

  it('lists exactly the packages that refuse Node 20', () => {
    const node20 = '20.20.2';
    const refusing = new Set(
      installed
        .filter(([, p]) => p.engines?.node && !semver.satisfies(node20, p.engines.node))
        .map(([where]) => nameOf(where)),
    );
    const named = new Set(
      [...quickStart.matchAll(/`([@\w./-]+)` \d+(?:\.\d+)*/g)].map((m) => m[1]!),
    );
    expect([...named].sort()).toEqual([...refusing].sort());
    const count = ['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six'][refusing.size];
    expect(quickStart).toContain(`${count} packages in the tree declare`);
    expect(quickStart).toContain(`Node ${node20}`);
  });
});
